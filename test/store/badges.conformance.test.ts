import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { badgeExplorer, badgeFirstPurchase, badgeTenthVisit, compileRules, decideEvent, DEFAULT_BADGES, evaluate, listBadges, simulate, type CompiledRuleSet, type Decision, type RuleEvent, type Store } from '../../engine';
import { recordAndSettle } from '../../engine/rules/decide';
import { loadContext } from '../../engine/rules/contextRows';
import { backends } from '../support/stores';
import { purchase } from '../unit/rules/helpers';

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;
const BADGES = DEFAULT_BADGES.map(({ id, name }) => ({ id, name }));

function badgeProgram(rules = [...badgeFirstPurchase.build(), ...badgeTenthVisit.build(), ...badgeExplorer.build()]): CompiledRuleSet {
	return compileRules({ version: 1, program: { id: unique('program'), badges: BADGES }, rules });
}

/** Badges as the store keeps them: earned once per customer, under replays, races and merges. */
describe('badges conformance', async () => {
	for (const backend of await backends()) {
		describe(`badges on ${backend.name}`, { skip: backend.unavailable }, () => {
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
			const badgesOf = async (set: CompiledRuleSet, customerId: string) => (await store.transaction((sql) => listBadges(sql, set.program.id, customerId))).map((b) => [b.badge, b.name]);

			test('first purchase earns the badge once; the next purchase and a replay of the first award nothing more', async () => {
				const set = badgeProgram();
				const email = `${unique('first')}@example.com`;
				const first = purchase(1500, { email, key: `${email}:1`, at: '2026-03-01T10:00:00Z' });
				const [decision] = await replay(set, [first]);
				assert.deepEqual(decision.badgeAwards, [{ ruleId: 'badge_first_purchase', badge: 'first-purchase', name: 'First purchase' }]);
				assert.deepEqual(await badgesOf(set, decision.customerKey), [['first-purchase', 'First purchase']]);

				const again = await store.transaction((sql) => decideEvent(sql, set, first, new Date(first.occurredAt)));
				assert.deepEqual(again.badgeAwards, decision.badgeAwards, 'a re-run decides the same: the award is this event’s');
				assert.equal(again.replay, true, 'and writes nothing');

				const [second] = await replay(set, [purchase(900, { email, key: `${email}:2`, at: '2026-03-02T10:00:00Z' })]);
				assert.equal(second.badgeAwards, undefined);
				const line = second.explanation.find((e) => e.ruleId === 'badge_first_purchase');
				assert.equal(line?.outcome, 'not_met', 'the rule says "not yet earned" no longer holds');
				assert.equal(line?.failedCondition?.fact, 'profile.badges');
				assert.deepEqual(await badgesOf(set, decision.customerKey), [['first-purchase', 'First purchase']]);
			});

			test('explorer of 3 categories: the third category earns the badge and the early-access tag', async () => {
				const set = badgeProgram();
				const email = `${unique('explorer')}@example.com`;
				const [a, b, c] = await replay(set, [
					purchase(1000, { email, key: `${email}:1`, at: '2026-03-01T10:00:00Z', categories: ['coffee'] }),
					purchase(1000, { email, key: `${email}:2`, at: '2026-03-02T10:00:00Z', categories: ['Coffee', 'tea'] }),
					purchase(1000, { email, key: `${email}:3`, at: '2026-03-03T10:00:00Z', categories: ['pastries'] }),
				]);
				assert.deepEqual([a, b, c].map((d) => (d.badgeAwards ?? []).map((x) => x.badge)), [['first-purchase'], [], ['explorer']]);
				assert.deepEqual(c.perkTags, [{ ruleId: 'badge_explorer', tag: 'early-access' }]);
				const customer = await store.findCustomer({ customerId: c.customerKey });
				assert.ok(customer?.tags.includes('early-access'), `tags: ${customer?.tags.join(', ')}`);
				assert.deepEqual(c.routes.includes('other'), true);
			});

			test('10th visit: the tenth paid order earns the badge and a free-shipping offer', async () => {
				const set = badgeProgram();
				const email = `${unique('tenth')}@example.com`;
				const orders = Array.from({ length: 10 }, (_, i) => purchase(500, { email, key: `${email}:${i}`, at: `2026-03-${String(i + 1).padStart(2, '0')}T10:00:00Z` }));
				const decisions = await replay(set, orders);
				assert.deepEqual(decisions.map((d) => (d.badgeAwards ?? []).some((x) => x.badge === 'tenth-visit')), [false, false, false, false, false, false, false, false, false, true]);
				const tenth = decisions[9].fired.find((f) => f.ruleId === 'badge_tenth_visit')!;
				const perk = tenth.actions.find((a) => a.type === 'perk')!;
				assert.deepEqual([perk.route, perk.template, perk.freeShipping, perk.expiresAt], ['offer', 'free_shipping', true, '2026-04-09T10:00:00.000Z']);
			});

			test('8 events deciding the same badge at once: one row, one decision announces it', async () => {
				const set = badgeProgram(badgeFirstPurchase.build());
				const email = `${unique('race')}@example.com`;
				await replay(set, [{ type: 'signup', occurredAt: '2026-03-01T09:00:00Z', idempotencyKey: `signup:${email}`, source: 'generic', customer: { identities: { email } } }]);
				const at = new Date('2026-03-01T10:00:00Z');
				const events = Array.from({ length: 8 }, (_, i) => purchase(1000, { email, key: `${email}:race:${i}`, at: at.toISOString() }));
				// As workers can interleave: every one reads before any writes, then all write at once.
				const contexts = await Promise.all(events.map((event) => store.transaction((sql) => loadContext(sql, set, event, at))));
				assert.ok(contexts.every((c) => c.profile.customerId && c.profile.badges?.length === 0), 'each read saw no badge yet');
				const decisions = await Promise.all(contexts.map((context) => store.transaction((sql) => recordAndSettle(sql, evaluate(set, context, at)))));
				const announced = decisions.filter((d) => (d.badgeAwards ?? []).length > 0);
				assert.equal(announced.length, 1, JSON.stringify(decisions.map((d) => d.badgeAwards)));
				const [row] = await store.db.query<{ n: number; event_key: string }>('SELECT COUNT(*) AS n, MIN(event_key) AS event_key FROM customer_badges WHERE program_id = $1', [set.program.id]);
				assert.equal(Number(row.n), 1);
				assert.equal(row.event_key, announced[0].eventKey, 'the decision that announces it is the one that holds it');
				// A replay of a losing event still announces nothing.
				const loser = decisions.find((d) => d !== announced[0])!;
				const event = events.find((e) => e.idempotencyKey === loser.eventKey)!;
				const again = await store.transaction((sql) => decideEvent(sql, set, event, at));
				assert.equal(again.badgeAwards, undefined);
			});

			test('a badge the program does not define is refused when the rules compile, naming the action', () => {
				assert.throws(() => compileRules({ version: 1, program: { badges: BADGES }, rules: [{ id: 'x', triggers: ['purchase'], actions: [{ type: 'award_badge', badge: 'gold-star' }] }] }), (error: Error) =>
					error.message.includes('rules[0].actions[0].badge') && error.message.includes('"gold-star" is not a badge of the program'),
				);
			});

			test('a customer the store does not know yet gets no badge (the rule still fires)', async () => {
				const set = badgeProgram(badgeFirstPurchase.build().map((r) => ({ ...r, conditions: undefined })));
				const event = purchase(1000, { email: `${unique('ghost')}@example.com`, key: unique('ghost') });
				const decision = await store.transaction((sql) => decideEvent(sql, set, event, new Date(event.occurredAt)));
				assert.deepEqual(decision.fired.map((f) => f.ruleId), ['badge_first_purchase']);
				assert.equal(decision.badgeAwards, undefined);
				const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM customer_badges WHERE program_id = $1', [set.program.id]);
				assert.equal(Number(row.n), 0);
			});

			test('two profiles that both earned a badge merge into one holding it once', async () => {
				const set = badgeProgram(badgeFirstPurchase.build());
				const email = `${unique('merge')}@example.com`;
				const square = unique('sq');
				const [online] = await replay(set, [purchase(1000, { email, key: `${email}:web`, at: '2026-03-01T10:00:00Z' })]);
				const till: RuleEvent = { ...purchase(800, { key: `${square}:till`, at: '2026-03-02T10:00:00Z', source: 'square' }), customer: { identities: { square } } };
				const [counter] = await replay(set, [till]);
				assert.notEqual(online.customerKey, counter.customerKey);
				assert.equal(counter.badgeAwards?.length, 1, 'each profile earned it');
				const merged = await store.upsertCustomer({ identities: { email, square } }, new Date('2026-03-03T10:00:00Z'));
				assert.deepEqual(await badgesOf(set, merged.id), [['first-purchase', 'First purchase']]);
				const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM customer_badges WHERE program_id = $1', [set.program.id]);
				assert.equal(Number(row.n), 1);
			});
		});
	}
});
