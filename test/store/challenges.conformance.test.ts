import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { claimDueEventsFrom, compileRules, crossCategoryBonus, decideEvent, evaluate, explanationLine, purchaseStreak, simulate, type CompiledRuleSet, type Decision, type RuleEvent, type RuleInput, type Store } from '../../engine';
import { recordAndSettle } from '../../engine/rules/decide';
import { loadContext } from '../../engine/rules/contextRows';
import { backends } from '../support/stores';
import { purchase } from '../unit/rules/helpers';

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;

function signup(email: string, at: string, timeZone?: string): RuleEvent {
	return { type: 'signup', occurredAt: at, idempotencyKey: `signup:${email}`, source: 'generic', customer: { identities: { email }, ...(timeZone ? { timeZone } : {}) } };
}

/** A program of its own (caps are program-wide) whose signups start one challenge. */
function challengeProgram(start: Record<string, unknown>, program: Record<string, unknown> = {}): CompiledRuleSet {
	return compileRules({ version: 1, program: { id: unique('program'), ...program }, rules: [{ id: 'welcome_challenge', triggers: ['signup'], actions: [{ type: 'start_challenge', challenge: 'first_steps', goalPurchases: 2, ...start }] } as RuleInput] });
}

/** Challenges as the store runs them: started, counted, completed once, due before they end. */
describe('challenges conformance', async () => {
	for (const backend of await backends()) {
		describe(`challenges on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());

			/** Each event as a workflow would see it: the customer and the order are recorded too. */
			async function replay(set: CompiledRuleSet, events: RuleEvent[]): Promise<Decision[]> {
				const decisions: Decision[] = [];
				for (const event of events) await simulate(store, set, [event], { onDecision: (d) => decisions.push(d), onError: (e) => assert.fail(e as Error) });
				return decisions;
			}
			const challengeRow = async (sourceEventKey: string) => {
				const [row] = await store.db.query<{ customer_key: string; ends_at: string; completed_at: string | null; completed_by_event: string | null; goal: number; reward: string }>(
					'SELECT customer_key, ends_at, completed_at, completed_by_event, goal, reward FROM rule_challenges WHERE source_event_key = $1',
					[sourceEventKey],
				);
				return row;
			};

			test('3 purchases start "2 purchases this month for 2x points"; the 2nd purchase after completes it, once, even when decided twice', async () => {
				const email = `${unique('streak')}@example.com`;
				const set = compileRules({ version: 1, program: { id: unique('program') }, rules: purchaseStreak.build() });
				const buy = (day: number, totalMinor: number) => purchase(totalMinor, { at: `2026-03-${String(day).padStart(2, '0')}T10:00:00Z`, email, key: `${email}:${day}` });
				const [, , third, tenth] = await replay(set, [buy(1, 1000), buy(2, 1000), buy(3, 1000), buy(10, 2550)]);
				assert.deepEqual(third.challengesToStart.map((c) => [c.challenge, c.goal, c.endsAt]), [['2_purchases_this_month', 2, '2026-03-31T23:59:59.999Z']]);
				const started = await challengeRow(third.eventKey);
				assert.deepEqual([started.customer_key, started.ends_at, started.completed_at, Number(started.goal), JSON.parse(started.reward)], [third.customerKey, '2026-03-31T23:59:59.999Z', null, 2, { multiplier: 2 }]);
				assert.ok(tenth.explanation.map(explanationLine).includes('purchase_streak: challenge — challenge 2_purchases_this_month: 1 of 2 purchases, ends 2026-03-31'), 'the purchase that started it does not count');
				assert.equal(tenth.pointsToAward, 0);

				const completing = buy(12, 4000);
				const [first] = await replay(set, [completing]);
				// 2x on $25.50 and $40.00: the extra over base points is 25 + 40.
				assert.deepEqual(first.challengeCompletions.map((c) => [c.challenge, c.points, c.purchases]), [['2_purchases_this_month', 65, [`woocommerce:${email}:10`, `woocommerce:${email}:12`]]]);
				assert.equal(first.pointsToAward, 65);
				assert.deepEqual(first.routes, ['award']);
				const again = await store.transaction((sql) => decideEvent(sql, set, completing, new Date(completing.occurredAt)));
				assert.equal(again.replay, true, 'nothing new was written');
				assert.equal(again.pointsToAward, 65, 'the same decision again: Award Points keys the points by the event and gives them once');
				const completed = await challengeRow(third.eventKey);
				assert.deepEqual([completed.completed_at, completed.completed_by_event], ['2026-03-12T10:00:00.000Z', completing.idempotencyKey]);
				const [extra] = await store.db.query<{ n: number; points: number }>(`SELECT COUNT(*) AS n, SUM(points) AS points FROM rule_extra_points WHERE kind = 'challenge' AND source_event_key = $1`, [third.eventKey]);
				assert.deepEqual([Number(extra.n), Number(extra.points)], [1, 65]);

				const [later] = await replay(set, [buy(14, 1000)]);
				assert.deepEqual([later.challengeCompletions, later.pointsToAward], [[], 0], 'a completed challenge awards nothing more');
				assert.ok(!later.explanation.some((e) => e.outcome === 'challenge'));
			});

			test('two purchases completing the same challenge at the same moment: it pays once', async () => {
				const set = challengeProgram({ withinDays: 30, reward: { points: 100 } });
				const email = `${unique('race')}@example.com`;
				const buy = (id: string) => purchase(2000, { at: '2026-03-05T10:00:00Z', email, key: `${email}:${id}` });
				await replay(set, [signup(email, '2026-03-01T10:00:00Z'), purchase(2000, { at: '2026-03-02T10:00:00Z', email, key: `${email}:first` })]);
				// As workers on PostgreSQL can interleave: all three read the challenge before any completes it.
				const at = new Date('2026-03-05T10:00:00Z');
				const read = await Promise.all(['a', 'b', 'c'].map((id) => store.transaction((sql) => loadContext(sql, set, buy(id), at))));
				const decisions = [];
				for (const context of read) decisions.push(await store.transaction((sql) => recordAndSettle(sql, evaluate(set, context, at))));
				assert.equal(read.filter((c) => c.counters.runningChallenges?.length).length, 3, 'each read saw the challenge running');
				const paid = decisions.flatMap((d) => d.challengeCompletions.filter((c) => c.points > 0));
				assert.equal(paid.length, 1, JSON.stringify(decisions.map((d) => d.challengeCompletions)));
				assert.equal(decisions.reduce((sum, d) => sum + d.pointsToAward, 0), 100);
				const [extra] = await store.db.query<{ points: number }>(`SELECT SUM(points) AS points FROM rule_extra_points WHERE kind = 'challenge' AND customer_key = $1`, [decisions[0].customerKey]);
				assert.equal(Number(extra.points), 100, 'and counts once against the budgets');
			});

			test('a calendar-month challenge ends at the customer’s local month end', async () => {
				const set = challengeProgram({ calendar: 'month', reward: { points: 100 } });
				const kiwi = `${unique('kiwi')}@example.com`;
				const london = `${unique('london')}@example.com`;
				// 12:00 UTC on March 31 is already 01:00 on April 1 in Auckland.
				const [inAuckland, inLondon] = await replay(set, [signup(kiwi, '2026-03-31T12:00:00Z', 'Pacific/Auckland'), signup(london, '2026-03-31T12:00:00Z')]);
				assert.equal((await challengeRow(inAuckland.eventKey)).ends_at, '2026-04-30T11:59:59.999Z', 'midnight at the end of April, NZST (UTC+12)');
				assert.ok(inAuckland.explanation.map(explanationLine).includes('welcome_challenge: challenge — challenge first_steps started: 0 of 2 purchases, ends 2026-04-30'));
				assert.equal((await challengeRow(inLondon.eventKey)).ends_at, '2026-03-31T23:59:59.999Z', 'no zone of their own: the program’s (UTC)');
			});

			test('a customer with a running challenge does not get a second one of the same id', async () => {
				const set = challengeProgram({ withinDays: 10, reward: { points: 10 } });
				const email = `${unique('again')}@example.com`;
				const [first, second] = await replay(set, [signup(email, '2026-04-01T10:00:00Z'), { ...signup(email, '2026-04-03T10:00:00Z'), idempotencyKey: `signup-again:${email}` }]);
				assert.equal(first.challengesToStart.length, 1);
				assert.deepEqual(second.challengesToStart, []);
				assert.ok(second.explanation.map(explanationLine).includes('welcome_challenge: challenge — challenge first_steps not started: one is already running (0 of 2 purchases, ends 2026-04-11)'));
				const [rows] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM rule_challenges WHERE customer_key = $1', [first.customerKey]);
				assert.equal(Number(rows.n), 1);
			});

			test('bonus points now count against the rule’s cap: the bonus that would break it is held back', async () => {
				const [rule] = crossCategoryBonus.build();
				const set = compileRules({ version: 1, program: { id: unique('program') }, rules: [{ ...rule, caps: [{ metric: 'points', period: 'month', max: 30 }] }] });
				const email = `${unique('pastry')}@example.com`;
				const buy = (day: number, categories: string[], totalMinor: number) => purchase(totalMinor, { at: `2026-03-0${day}T10:00:00Z`, email, categories, key: `${email}:${day}` });
				const decisions = await replay(set, [buy(1, ['coffee'], 2000), buy(2, ['pastries'], 2000), buy(3, ['pastries'], 2000), buy(4, ['pastries'], 1000)]);
				assert.deepEqual(decisions.map((d) => d.pointsToAward), [0, 20, 0, 10], '20 + 20 would break 30; 20 + 10 does not');
				// The rule itself is "not met" on a pastries-only order; its running bonus is what is held back.
				const held = decisions[2].explanation.find((e) => e.ruleId === 'cross_category_bonus' && e.outcome === 'suppressed');
				assert.equal(held?.suppressedBy?.kind, 'cap');
				assert.equal(held?.suppressedBy?.capKey, 'rule:cross_category_bonus:month:points');
				assert.match(held?.reason ?? '', /held back: rule cap of 30 points per month would be exceeded \(20 used, this needs 20\)/);
				const [usage] = await store.db.query<{ points: number }>(`SELECT SUM(points) AS points FROM rule_extra_points WHERE program_id = $1 AND kind = 'bonus'`, [set.program.id]);
				assert.equal(Number(usage.points), 30);
			});

			test('a challenge ending within 2 days is one challenge_deadline event, claimed once; completed ones are not', async () => {
				const set = challengeProgram({ withinDays: 5, reward: { points: 10 } });
				const slow = `${unique('slow')}@example.com`;
				const done = `${unique('done')}@example.com`;
				const [slowStart, doneStart] = await replay(set, [
					signup(slow, '2026-05-01T10:00:00Z'),
					signup(done, '2026-05-01T10:00:00Z'),
					purchase(1500, { at: '2026-05-02T10:00:00Z', email: slow, key: `${slow}:1` }),
					purchase(1500, { at: '2026-05-02T10:00:00Z', email: done, key: `${done}:1` }),
					purchase(1500, { at: '2026-05-03T10:00:00Z', email: done, key: `${done}:2` }),
				]);
				const settings = { programId: set.program.id, programTimeZone: 'UTC', currency: 'USD', kinds: { challengeDeadline: {} } };
				assert.deepEqual(await claimDueEventsFrom(store, settings, new Date('2026-05-04T09:59:00Z')), [], 'ends May 6 10:00: not yet within 2 days');
				const due = await claimDueEventsFrom(store, settings, new Date('2026-05-04T12:00:00Z'));
				const occurrence = `${slowStart.eventKey}:welcome_challenge`;
				assert.deepEqual(
					due.map((e) => [e.type, e.idempotencyKey, e.occurredAt, e.data]),
					[
						[
							'challenge_deadline',
							`due:challenge_deadline:${slowStart.customerKey}:${occurrence}`,
							'2026-05-04T10:00:00.000Z',
							{ kind: 'challenge_deadline', customerId: slowStart.customerKey, occurrence, challenge: 'first_steps', goal: 2, progress: 1, endsAt: '2026-05-06T10:00:00.000Z', startedAt: '2026-05-01T10:00:00.000Z', ruleId: 'welcome_challenge', daysBefore: 2 },
						],
					],
					`the completed challenge of ${doneStart.customerKey} is not due`,
				);
				assert.deepEqual(due[0].customer.identities, { email: slow });
				assert.deepEqual(await claimDueEventsFrom(store, settings, new Date('2026-05-05T12:00:00Z')), [], 'claimed once');
				assert.deepEqual(await claimDueEventsFrom(store, { ...settings, kinds: { challengeDeadline: { daysBefore: 4 } } }, new Date('2026-05-06T10:00:00Z')), [], 'over: nothing, whatever the window');
			});

			test('property: for random purchase sequences the challenge reward equals the formula and completes at most once', async () => {
				await fc.assert(
					fc.asyncProperty(
						fc.record({
							goal: fc.integer({ min: 1, max: 4 }),
							withinDays: fc.integer({ min: 1, max: 6 }),
							multiplier: fc.constantFrom(1.5, 2, 3),
							pointsPerCurrencyUnit: fc.constantFrom(1, 2.5),
							purchases: fc.uniqueArray(fc.record({ hour: fc.integer({ min: -12, max: 24 * 8 }), totalMinor: fc.integer({ min: 0, max: 50_000 }), twice: fc.boolean() }), { selector: (p) => p.hour, maxLength: 7 }),
						}),
						async ({ goal, withinDays, multiplier, pointsPerCurrencyUnit, purchases }) => {
							const set = compileRules({
								version: 1,
								program: { id: unique('prop'), pointsPerCurrencyUnit },
								rules: [{ id: 'sprint', triggers: ['signup'], actions: [{ type: 'start_challenge', challenge: 'sprint', goalPurchases: goal, withinDays, reward: { multiplier } }] }],
							});
							const email = `${unique('p')}@example.com`;
							const start = Date.parse('2026-06-01T00:00:00Z');
							const events = purchases.map((p) => ({ ...p, event: purchase(p.totalMinor, { at: new Date(start + p.hour * 3_600_000).toISOString(), email, key: `${email}:${p.hour}` }) }));
							const before = events.filter((p) => p.hour < 0);
							const after = events.filter((p) => p.hour >= 0).sort((a, b) => a.hour - b.hour);
							await replay(set, [...before.map((p) => p.event), signup(email, new Date(start).toISOString())]);
							const completions = new Map<string, number>();
							for (const p of after) {
								const [decision] = await replay(set, [p.event]);
								if (decision.challengeCompletions.length) completions.set(decision.eventKey, decision.challengeCompletions.reduce((s, c) => s + c.points, 0));
								if (p.twice) {
									const rerun = await store.transaction((sql) => decideEvent(sql, set, p.event, new Date(p.event.occurredAt)));
									assert.equal(rerun.pointsToAward, decision.pointsToAward, 'a re-run decides the same');
								}
							}
							// Counted: purchases after the start (not at it) and before the end, oldest first, the first `goal` of them.
							const counted = after.filter((p) => p.hour > 0 && p.hour < withinDays * 24).slice(0, goal);
							const expected = counted.length < goal ? 0 : counted.reduce((sum, p) => sum + Math.floor(Math.floor(Math.floor(p.totalMinor / 100) * pointsPerCurrencyUnit) * (multiplier - 1)), 0);
							assert.ok(completions.size <= 1, 'completed at most once');
							assert.equal(completions.size, counted.length < goal ? 0 : 1);
							assert.equal([...completions.values()].reduce((s, n) => s + n, 0), expected);
							const [recorded] = await store.db.query<{ points: number | null }>(`SELECT SUM(points) AS points FROM rule_extra_points WHERE program_id = $1 AND kind = 'challenge'`, [set.program.id]);
							assert.equal(Number(recorded.points ?? 0), expected, 'recorded once against the rule');
						},
					),
					{ numRuns: backend.name === 'postgres' ? 12 : 30 },
				);
			});
		});
	}
});
