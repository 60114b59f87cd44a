import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cartRecovery, compileRules, crossCategoryBonus, newLocationVisit, onlineCustomerStoreVisit, PRESETS, RULE_TRIGGERS, crossSell, decideEvent, simulate, winBack, type Decision, type RuleEvent, type RuleInput, type Store } from '../../engine';
import { backends } from '../support/stores';
import { cartAbandoned, purchase } from '../unit/rules/helpers';

/** Seed scenarios of the rule evaluator, through the store on every backend. */
describe('rules conformance', async () => {
	for (const backend of await backends()) {
		describe(`rules on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());
			const uniqueEmail = () => `c${Math.random().toString(36).slice(2)}@example.com`;

			async function replay(rules: RuleInput[] | Parameters<typeof compileRules>[0], events: RuleEvent[]): Promise<Decision[]> {
				const decisions: Decision[] = [];
				await simulate(store, compileRules(rules), events, { onDecision: (d) => decisions.push(d), onError: (e) => assert.fail(e as Error) });
				return decisions;
			}

			test('cart of $49 → nothing; $50 idle 2 h → reminder with a 10% coupon follow-up after 24 h', async () => {
				const email = uniqueEmail();
				const [small, big] = await replay(cartRecovery.build(), [cartAbandoned(4900, 130, '2026-03-10T10:00:00Z', email), cartAbandoned(5000, 130, '2026-03-10T11:00:00Z', email)]);
				assert.deepEqual(small.routes, []);
				assert.equal(small.explanation[0].failedCondition?.actual, 4900);
				assert.deepEqual(big.routes, ['offer', 'other']);
				const followUp = big.fired[0].actions.find((a) => a.type === 'schedule_follow_up');
				assert.equal(followUp?.dueAt, '2026-03-11T11:00:00.000Z');
				assert.deepEqual((followUp?.then as Array<{ percentOff: number; validHours: number }>)[0], { type: 'issue_coupon', template: 'cart_coupon', channel: 'sms', percentOff: 10, validHours: 24 });
				const idleTooShort = await replay(cartRecovery.build(), [cartAbandoned(9000, 60, '2026-03-10T10:00:00Z', uniqueEmail())]);
				assert.equal(idleTooShort[0].explanation[0].failedCondition?.fact, 'event.cart.idleMinutes');
			});

			test('no purchase 24 h after the reminder → a 10% coupon valid 24 h; a purchase in between cancels it', async () => {
				const quiet = uniqueEmail();
				const buyer = uniqueEmail();
				const decisions = await replay(cartRecovery.build(), [
					cartAbandoned(6000, 150, '2026-03-10T10:00:00Z', quiet),
					cartAbandoned(6000, 150, '2026-03-10T10:00:00Z', buyer),
					purchase(6000, { at: '2026-03-10T20:00:00Z', email: buyer, key: `${buyer}:bought` }),
					purchase(1000, { at: '2026-03-12T10:00:00Z', email: uniqueEmail(), key: `${quiet}:later` }),
				]);
				// Earlier tests share this store; only this test's customers count here.
				const followUps = decisions.filter((d) => d.eventType === 'follow_up_due' && (d.eventKey.includes(quiet) || d.eventKey.includes(buyer)));
				assert.equal(followUps.length, 1, 'only the customer who did not buy gets the coupon');
				assert.equal(followUps[0].evaluatedAt, '2026-03-11T10:00:00.000Z');
				const coupon = followUps[0].fired[0].actions[0];
				assert.deepEqual([coupon.type, coupon.percentOff, coupon.expiresAt], ['issue_coupon', 10, '2026-03-12T10:00:00.000Z']);
				assert.equal(followUps[0].eventKey, `follow_up:cart:${quiet}:2026-03-10T10:00:00Z:cart_recovery`);
			});

			test('the win-back offer suppresses the cart offer for 48 hours', async () => {
				const email = uniqueEmail();
				const decisions = await replay(
					[...winBack.build(), ...cartRecovery.build()],
					[
						purchase(40000, { at: '2026-01-01T12:00:00Z', email, key: `${email}:o1` }),
						{ type: 'inactivity_due', occurredAt: '2026-03-10T09:00:00Z', idempotencyKey: `${email}:inactive`, customer: { identities: { email } } },
						cartAbandoned(6000, 150, '2026-03-11T09:00:00Z', email),
						cartAbandoned(6000, 150, '2026-03-12T10:00:00Z', email),
					],
				);
				const [, winBackDecision, cartSoon, cartLater] = decisions;
				assert.deepEqual(winBackDecision.fired.map((f) => f.ruleId), ['win_back_high_value']);
				assert.equal(winBackDecision.fired[0].actions[0].category, 'coffee', 'offer in the favourite category');
				assert.deepEqual(winBackDecision.explanation.find((e) => e.ruleId === 'win_back')?.failedCondition?.path, 'rules[1].conditions.all[1].any[0]', 'the everyone-else rule fails on spend');
				const cart = cartSoon.explanation.find((e) => e.ruleId === 'cart_recovery');
				assert.equal(cart?.outcome, 'suppressed');
				assert.equal(cart?.suppressedBy?.kind, 'suppression');
				assert.equal(cart?.reason, 'held back until 2026-03-12T09:00:00.000Z because "win_back_high_value" won its conflict group');
				assert.equal(cart?.suppressedBy?.byRuleId, 'win_back_high_value');
				assert.ok(cartLater.fired.some((f) => f.ruleId === 'cart_recovery'), 'after 48 h the cart reminder goes out again');
			});

			test('at most one reward per customer per day, in the customer time zone', async () => {
				const email = uniqueEmail();
				const rules = { version: 1 as const, program: { timeZone: 'America/Los_Angeles', maxRewardsPerCustomerPerDay: 1 }, rules: [{ id: 'every_order', triggers: ['purchase' as const], actions: [{ type: 'award_points' as const, mode: 'fixed' as const, points: 10 }] }] };
				const decisions = await replay(rules, [
					purchase(1000, { at: '2026-03-10T17:00:00Z', email, key: `${email}:1` }),
					purchase(1000, { at: '2026-03-11T06:00:00Z', email, key: `${email}:2` }), // still March 10 in Los Angeles
					purchase(1000, { at: '2026-03-11T09:00:00Z', email, key: `${email}:3` }), // March 11 there
				]);
				assert.deepEqual(decisions.map((d) => d.pointsToAward), [10, 0, 10]);
				assert.equal(decisions[1].explanation[0].suppressedBy?.kind, 'daily_limit');
			});

			test('coffee three times this month and no tea → try our tea, on the third', async () => {
				const email = uniqueEmail();
				const buy = (day: number, categories: string[]) => purchase(800, { at: `2026-03-0${day}T10:00:00Z`, email, categories, key: `${email}:${day}` });
				const decisions = await replay(crossSell.build(), [buy(1, ['coffee']), buy(2, ['coffee']), buy(3, ['coffee'])]);
				assert.deepEqual(decisions.map((d) => d.fired.length), [0, 0, 1]);
				assert.equal(decisions[0].explanation[0].failedCondition?.actual, 1);
				const withTea = await replay(crossSell.build(), [buy(1, ['coffee', 'tea']), buy(2, ['coffee']), buy(3, ['coffee'])].map((e) => ({ ...e, customer: { identities: { email: `tea-${email}` } }, idempotencyKey: `tea-${e.idempotencyKey}` })));
				assert.equal(withTea[2].explanation[0].failedCondition?.path, 'rules[0].conditions.all[1]');
			});

			test('a re-run of the same event decides the same and counts once', async () => {
				const email = uniqueEmail();
				const set = compileRules([{ id: 'once_a_week', triggers: ['purchase'], frequency: { max: 1, perDays: 7 }, caps: [{ metric: 'points', period: 'day', max: 1000000 }], actions: [{ type: 'award_points', mode: 'fixed', points: 7 }] }]);
				const event = purchase(1000, { at: '2026-03-10T12:00:00Z', email, key: `${email}:rerun` });
				const now = new Date(event.occurredAt);
				const first = await store.transaction((sql) => decideEvent(sql, set, event, now));
				const second = await store.transaction((sql) => decideEvent(sql, set, event, now));
				assert.equal(first.pointsToAward, 7);
				assert.equal(first.replay, undefined);
				assert.equal(second.pointsToAward, 7, 'the rerun is not held back by its own first run');
				assert.equal(second.replay, true);
				const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM rule_firings WHERE event_key = $1', [event.idempotencyKey]);
				assert.equal(Number(row.n), 1);
				const other = await store.transaction((sql) => decideEvent(sql, set, { ...event, idempotencyKey: `${email}:next`, id: `${email}:next` }, now));
				assert.equal(other.explanation[0].suppressedBy?.kind, 'frequency');
				const preview = await store.transaction((sql) => decideEvent(sql, set, { ...event, idempotencyKey: `${email}:preview` }, now, { record: false }));
				assert.equal(preview.explanation[0].suppressedBy?.kind, 'frequency');
			});

			test('coffee today → double points on pastries for 7 days, once per purchase', async () => {
				const email = uniqueEmail();
				const buy = (at: string, categories: string[], key: string) => purchase(2000 * categories.length, { at, email, categories, key: `${email}:${key}` });
				const decisions = await replay(crossCategoryBonus.build(), [
					buy('2026-03-01T10:00:00Z', ['coffee'], 'a'),
					buy('2026-03-04T10:00:00Z', ['pastries', 'tea'], 'b'),
					buy('2026-03-09T10:00:00Z', ['pastries'], 'c'),
				]);
				assert.deepEqual(decisions[0].fired[0].actions.map((a) => a.type), ['category_bonus', 'send_offer']);
				assert.deepEqual(decisions[1].bonusAwards, [{ ruleId: 'cross_category_bonus', sourceEventKey: `${email}:a`, multiplier: 2, points: 20, lines: [0] }]);
				assert.equal(decisions[1].pointsToAward, 20);
				assert.deepEqual(decisions[1].routes, ['award']);
				assert.deepEqual(decisions[2].bonusAwards, [], 'the bonus ended after 7 days');
			});

			test("where a customer bought: first visit to another store, and an online customer's first visit to the shop", async () => {
				const email = uniqueEmail();
				const counter = (at: string, location: string, key: string) => purchase(900, { at, email, source: 'square', channel: 'in_store', location, key: `${email}:${key}` });
				const decisions = await replay(
					[...newLocationVisit.build(), ...onlineCustomerStoreVisit.build()],
					[
						// A web order recorded without a channel, as before channels were recorded: WooCommerce orders are online.
						purchase(2500, { at: '2026-03-01T10:00:00Z', email, key: `${email}:web` }),
						counter('2026-03-02T10:00:00Z', 'L-HARBOUR', 'harbour-1'),
						counter('2026-03-03T10:00:00Z', 'L-HARBOUR', 'harbour-2'),
						counter('2026-03-04T10:00:00Z', 'L-STATION', 'station-1'),
						counter('2026-03-05T10:00:00Z', 'L-STATION', 'station-2'),
						purchase(900, { at: '2026-03-06T10:00:00Z', email, source: 'square', channel: 'online', location: 'L-MARKET', key: `${email}:market-online` }),
						counter('2026-03-07T10:00:00Z', 'L-MARKET', 'market-1'),
					],
				);
				assert.deepEqual(
					decisions.map((d) => d.fired.map((f) => f.ruleId).join()),
					['', 'online_customer_store_visit', '', 'new_location_visit', '', '', ''],
					'the web order, the first counter visit, again, a second store, again, an online order at a third, then its counter (bought there before)',
				);
				const second = decisions[3].explanation.find((e) => e.ruleId === 'new_location_visit')!;
				assert.deepEqual(second.conditions && 'all' in second.conditions ? second.conditions.all.map((c) => ('actual' in c ? c.actual : undefined)) : [], ['in_store', 1, 2]);
				const onceOnly = decisions[2].explanation.find((e) => e.ruleId === 'online_customer_store_visit')!;
				assert.deepEqual([onceOnly.failedCondition?.fact, onceOnly.failedCondition?.actual], ['profile.inStoreOrderCount', 2]);

				const newcomer = uniqueEmail();
				const [first] = await replay([...newLocationVisit.build(), ...onlineCustomerStoreVisit.build()], [purchase(900, { email: newcomer, source: 'square', channel: 'in_store', location: 'L-HARBOUR', key: `${newcomer}:1` })]);
				assert.deepEqual(first.fired, [], 'a first purchase ever is neither');
			});

			test('property: any valid event, known customer or not, odd time zones included, is decided without throwing', async () => {
				const set = compileRules([...PRESETS.flatMap((p) => p.build())]);
				await fc.assert(
					fc.asyncProperty(
						fc.record({
							type: fc.constantFrom(...RULE_TRIGGERS),
							email: fc.constantFrom('p1@example.com', 'p2@example.com'),
							minute: fc.integer({ min: 0, max: 60 * 24 * 90 }),
							timeZone: fc.constantFrom('Europe/Berlin', 'Not/AZone', 'Pacific/Chatham'),
							total: fc.option(fc.integer({ min: 0, max: 100000 }), { nil: undefined }),
							visitExtras: fc.option(fc.record({ segment: fc.string(), timeZone: fc.constantFrom('Bad/Zone', 'Asia/Tokyo') }), { nil: undefined }),
						}),
						async ({ type, email, minute, timeZone, total, visitExtras }) => {
							const at = new Date(Date.parse('2026-01-01T00:00:00Z') + minute * 60_000).toISOString();
							const event: RuleEvent = {
								type,
								occurredAt: at,
								idempotencyKey: `prop:${type}:${email}:${minute}:${total}`,
								customer: { identities: { email }, timeZone },
								...(total === undefined ? {} : type === 'purchase' ? { order: { id: `p${minute}`, currency: 'USD', totalMinor: total, lines: [{ category: 'coffee', totalMinor: total }] } } : { cart: { currency: 'USD', totalMinor: total, idleMinutes: 200 } }),
							};
							const decision = await store.transaction((sql) => decideEvent(sql, set, event, new Date(at), { extras: visitExtras ?? {} }));
							assert.equal(decision.eventKey, event.idempotencyKey);
						},
					),
					{ numRuns: backend.name === 'postgres' ? 25 : 60 },
				);
			});

			test('a program-wide cap binds across customers', async () => {
				const tag = Math.random().toString(36).slice(2);
				const rules = { version: 1 as const, program: { id: `cap-${tag}`, caps: [{ metric: 'offers' as const, period: 'day' as const, max: 2 }] }, rules: [{ id: 'offer_everyone', triggers: ['purchase' as const], actions: [{ type: 'send_offer' as const, template: 'thanks' }] }] };
				const decisions = await replay(rules, [1, 2, 3].map((i) => purchase(500, { at: `2026-03-10T1${i}:00:00Z`, email: `${tag}-${i}@example.com`, key: `${tag}:${i}` })));
				assert.deepEqual(decisions.map((d) => d.routes.join()), ['offer', 'offer', '']);
				assert.equal(decisions[2].explanation[0].suppressedBy?.capKey, 'program:day:offers');
			});
		});
	}
});
