import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, evaluate, explanationLine, purchaseStreak, type ActiveBonus, type CapUsage, type RuleInput, type RunningChallenge } from '../../../engine';
import { contextFor, purchase } from './helpers';

const NOW = new Date('2026-03-10T15:00:00Z');

const starter = (id: string, challenge: string, extra: Partial<RuleInput> = {}): RuleInput => ({
	id,
	triggers: ['purchase'],
	actions: [{ type: 'start_challenge', challenge, goalPurchases: 2, calendar: 'month', reward: { points: 50 } }],
	...extra,
});

/** A challenge started on March 2 that ends with March (UTC), with the purchases counted so far. */
function running(purchases: Array<[string, number]>, overrides: Partial<RunningChallenge> = {}): RunningChallenge {
	return {
		ruleId: 'streak',
		sourceEventKey: 'woocommerce:order:start:paid',
		challenge: '2_purchases_this_month',
		goal: 2,
		startsAt: '2026-03-02T10:00:00.000Z',
		endsAt: '2026-03-31T23:59:59.999Z',
		reward: { points: 50 },
		purchases: purchases.map(([key, netMinor], i) => ({ key, placedAt: `2026-03-0${3 + i}T10:00:00.000Z`, netMinor, currency: 'USD' })),
		...overrides,
	};
}

const counters = (extra: { runningChallenges?: RunningChallenge[]; activeBonuses?: ActiveBonus[]; capUsage?: Record<string, CapUsage> } = {}) => ({ counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: {}, suppressedUntil: {}, ...extra } });
const lines = (decision: ReturnType<typeof evaluate>) => decision.explanation.map(explanationLine);

describe('challenges', () => {
	test('progress: one of two purchases says so with the end date, awards nothing and routes nowhere', () => {
		const set = compileRules([]);
		const decision = evaluate(set, contextFor(purchase(1200), {}, counters({ runningChallenges: [running([['woocommerce:a', 1200]])] })), NOW);
		assert.deepEqual(lines(decision), ['streak: challenge — challenge 2_purchases_this_month: 1 of 2 purchases, ends 2026-03-31']);
		assert.deepEqual(decision.challengeCompletions, []);
		assert.equal(decision.pointsToAward, 0);
		assert.deepEqual(decision.routes, []);
	});

	test('completion with a fixed reward: the points are added and the item goes to Award', () => {
		const set = compileRules([{ id: 'base', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: 5 }] }]);
		const challenge = running([
			['woocommerce:a', 1200],
			['woocommerce:b', 2099],
		]);
		const decision = evaluate(set, contextFor(purchase(2099), {}, counters({ runningChallenges: [challenge] })), NOW);
		assert.deepEqual(decision.challengeCompletions, [{ ruleId: 'streak', sourceEventKey: challenge.sourceEventKey, challenge: '2_purchases_this_month', goal: 2, purchases: ['woocommerce:a', 'woocommerce:b'], points: 50 }]);
		assert.equal(decision.pointsToAward, 55);
		assert.deepEqual(decision.routes, ['award']);
		assert.ok(lines(decision).includes('streak: challenge — challenge 2_purchases_this_month completed: 2 of 2 purchases, +50 points'));
		assert.deepEqual(decision.extraPointsUsage, [{ kind: 'challenge', ruleId: 'streak', sourceEventKey: challenge.sourceEventKey, points: 50, costMinor: 50, revenueMinor: 3299 }]);
	});

	test('completion with a multiplier: the extra over the counted purchases’ base points, rounded down per purchase', () => {
		const set = compileRules({ version: 1, program: { pointsPerCurrencyUnit: 1.5 }, rules: [] });
		// $12.34 → 12 units → 18 base points; $20.99 → 20 units → 30 base; ×3 adds twice the base: 36 + 60.
		// A third purchase beyond the goal is not part of the reward.
		const challenge = running(
			[
				['woocommerce:a', 1234],
				['woocommerce:b', 2099],
				['woocommerce:c', 5000],
			],
			{ reward: { multiplier: 3 } },
		);
		const decision = evaluate(set, contextFor(purchase(5000), {}, counters({ runningChallenges: [challenge] })), NOW);
		assert.equal(decision.challengeCompletions[0].points, 96);
		assert.deepEqual(decision.challengeCompletions[0].purchases, ['woocommerce:a', 'woocommerce:b']);
		assert.equal(decision.pointsToAward, 96);
		const yen = running([['square:y', 123456]], { goal: 1, reward: { multiplier: 2 }, purchases: [{ key: 'square:y', placedAt: '2026-03-03T00:00:00.000Z', netMinor: 1234, currency: 'JPY' }] });
		assert.equal(evaluate(set, contextFor(purchase(1234), {}, counters({ runningChallenges: [yen] })), NOW).pointsToAward, 1851, '¥1234 has no minor unit: floor(1234 × 1.5) × 1');
	});

	test('only a purchase completes a challenge; other events neither complete it nor report progress', () => {
		const set = compileRules([]);
		const challenge = running([
			['woocommerce:a', 1200],
			['woocommerce:b', 2099],
		]);
		const visit = { type: 'visit', occurredAt: NOW.toISOString(), idempotencyKey: 'visit:1', customer: { identities: { email: 'ana@example.com' } } };
		const decision = evaluate(set, contextFor(visit, {}, counters({ runningChallenges: [challenge] })), NOW);
		assert.deepEqual([decision.challengeCompletions, decision.explanation, decision.pointsToAward], [[], [], 0]);
		const ended = running([['a', 1], ['b', 1]], { endsAt: '2026-03-10T14:59:59.999Z' });
		assert.deepEqual(evaluate(set, contextFor(purchase(100), {}, counters({ runningChallenges: [ended] })), NOW).challengeCompletions, [], 'an ended challenge completes nothing');
	});

	test('a fired rule starts its challenge, ending with the customer’s local month', () => {
		const set = compileRules({ version: 1, program: { timeZone: 'Europe/Berlin' }, rules: [starter('streak', 'two_this_month')] });
		const decision = evaluate(set, contextFor(purchase(1000), { timeZone: 'America/Los_Angeles' }), new Date('2026-03-31T23:30:00Z'));
		// 16:30 on March 31 in Los Angeles (PDT, UTC−7): the challenge ends with March there, although it is April in UTC.
		assert.deepEqual(decision.challengesToStart, [{ ruleId: 'streak', challenge: 'two_this_month', goal: 2, startsAt: '2026-03-31T23:30:00.000Z', endsAt: '2026-04-01T06:59:59.999Z', reward: { points: 50 } }]);
		assert.equal(decision.fired[0].actions[0].started, true);
		assert.ok(lines(decision).includes('streak: challenge — challenge two_this_month started: 0 of 2 purchases, ends 2026-03-31'));
		const berlin = evaluate(set, contextFor(purchase(1000)), new Date('2026-03-31T23:30:00Z'));
		assert.equal(berlin.challengesToStart[0].endsAt, '2026-04-30T21:59:59.999Z', 'no customer zone: the program’s (already April 1 in Berlin)');
		const within = compileRules([{ ...starter('quick', 'quick'), actions: [{ type: 'start_challenge', challenge: 'quick', goalPurchases: 3, withinDays: 7, reward: { multiplier: 2 } }] }]);
		assert.equal(evaluate(within, contextFor(purchase(1000)), NOW).challengesToStart[0].endsAt, '2026-03-17T15:00:00.000Z');
	});

	test('no second challenge of the same id while one runs, and the explanation says why', () => {
		const set = compileRules([starter('streak', '2_purchases_this_month')]);
		const decision = evaluate(set, contextFor(purchase(1000), {}, counters({ runningChallenges: [running([['woocommerce:a', 1200]])] })), NOW);
		assert.deepEqual(decision.challengesToStart, []);
		assert.equal(decision.fired[0].actions[0].started, false);
		assert.ok(lines(decision).includes('streak: challenge — challenge 2_purchases_this_month not started: one is already running (1 of 2 purchases, ends 2026-03-31)'), lines(decision).join('\n'));

		const twoRules = compileRules([starter('a_rule', 'same'), starter('b_rule', 'same'), starter('c_rule', 'other')]);
		const both = evaluate(twoRules, contextFor(purchase(1000)), NOW);
		assert.deepEqual(both.challengesToStart.map((c) => [c.ruleId, c.challenge]), [['a_rule', 'same'], ['c_rule', 'other']]);
		assert.ok(lines(both).includes('b_rule: challenge — challenge same not started: "a_rule" starts it with this event'));

		// The purchase that completes the running challenge frees its id: the rule may start the next one.
		const completing = running([['a', 1200], ['b', 1300]]);
		const next = evaluate(set, contextFor(purchase(1300), {}, counters({ runningChallenges: [completing] })), NOW);
		assert.equal(next.challengeCompletions.length, 1);
		assert.equal(next.challengesToStart.length, 1);
	});

	test('the purchase streak preset starts a two-purchase, double-points challenge to the month end', () => {
		const set = compileRules(purchaseStreak.build());
		const [key] = set.requiredAggregates.keys();
		const third = evaluate(set, contextFor(purchase(100), {}, { aggregates: { [key]: 3 } }), NOW);
		assert.deepEqual(third.challengesToStart.map((c) => [c.challenge, c.goal, c.endsAt, c.reward]), [['2_purchases_this_month', 2, '2026-03-31T23:59:59.999Z', { multiplier: 2 }]]);
		assert.deepEqual(third.routes, ['other']);
	});

	test('bonus and challenge points count against the granting rule’s cap; what would break it is held back with the cap as the reason', () => {
		const set = compileRules([{ id: 'pastry_bonus', triggers: ['signup'], caps: [{ metric: 'points', period: 'month', max: 30 }], actions: [{ type: 'category_bonus', categories: ['pastries'], multiplier: 2, days: 7 }] }]);
		const bonus: ActiveBonus = { ruleId: 'pastry_bonus', sourceEventKey: 'start', categories: ['pastries'], skus: [], multiplier: 2, until: '2026-03-15T00:00:00.000Z' };
		const usage = (points: number): Record<string, CapUsage> => ({ 'rule:pastry_bonus:month': { points, offers: 0, costMinor: points, revenueMinor: 0, firings: 0 } });
		const fits = evaluate(set, contextFor(purchase(2000, { categories: ['pastries'] }), {}, counters({ activeBonuses: [bonus], capUsage: usage(10) })), NOW);
		assert.equal(fits.pointsToAward, 20);
		assert.deepEqual(fits.extraPointsUsage, [{ kind: 'bonus', ruleId: 'pastry_bonus', sourceEventKey: 'start', points: 20, costMinor: 20, revenueMinor: 2000 }]);

		const over = evaluate(set, contextFor(purchase(2000, { categories: ['pastries'] }), {}, counters({ activeBonuses: [bonus], capUsage: usage(11) })), NOW);
		assert.equal(over.pointsToAward, 0);
		assert.deepEqual([over.bonusAwards, over.extraPointsUsage, over.routes], [[], [], []]);
		const held = over.explanation.find((e) => e.outcome === 'suppressed');
		assert.equal(held?.suppressedBy?.kind, 'cap');
		assert.equal(held?.suppressedBy?.capKey, 'rule:pastry_bonus:month:points');
		assert.equal(held?.reason, 'running 2x bonus from event start (+20 points) held back: rule cap of 30 points per month would be exceeded (11 used, this needs 20)');

		const streak = compileRules([starter('streak', '2_purchases_this_month', { caps: [{ metric: 'points', period: 'month', max: 40 }] })]);
		const capped = evaluate(streak, contextFor(purchase(1000), {}, counters({ runningChallenges: [running([['a', 1], ['b', 1]])] })), NOW);
		assert.deepEqual([capped.challengeCompletions[0].points, capped.pointsToAward], [0, 0], 'completed, but the 50 points would break the 40-point cap');
		assert.match(capped.challengeCompletions[0].suppressed ?? '', /rule cap of 40 points per month/);
		assert.ok(lines(capped).some((l) => l.startsWith('streak: suppressed — challenge 2_purchases_this_month completed: 2 of 2 purchases; reward of 50 points held back: rule cap')));
	});

	test('a bonus fits the cap left after the rules that fired on the same event', () => {
		const set = compileRules({
			version: 1,
			program: { caps: [{ metric: 'points', period: 'day', max: 25 }] },
			rules: [{ id: 'base', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: 10 }] }],
		});
		const bonus: ActiveBonus = { ruleId: 'gone_rule', sourceEventKey: 'start', categories: ['pastries'], skus: [], multiplier: 2, until: '2026-03-15T00:00:00.000Z' };
		const decision = evaluate(set, contextFor(purchase(2000, { categories: ['pastries'] }), {}, counters({ activeBonuses: [bonus] })), NOW);
		assert.equal(decision.pointsToAward, 10, 'the 20 bonus points from a rule of another rule set still answer to the program cap');
		assert.equal(decision.explanation.find((e) => e.ruleId === 'gone_rule')?.suppressedBy?.capKey, 'program:day:points');
	});

	test('a rule starts at most one challenge per firing; a challenge needs one end and one reward', () => {
		const start = { type: 'start_challenge' as const, challenge: 'x', goalPurchases: 2, withinDays: 7, reward: { points: 5 } };
		assert.throws(() => compileRules([{ id: 'two', triggers: ['purchase'], actions: [start, { ...start, challenge: 'y' }] }]), /rules\[0\]\.actions\[1\]: a rule starts at most one challenge/);
		assert.throws(() => compileRules([{ id: 'both', triggers: ['purchase'], actions: [{ ...start, calendar: 'month' }] }]), /exactly one of withinDays or calendar/);
		assert.throws(() => compileRules([{ id: 'none', triggers: ['purchase'], actions: [{ ...start, reward: {} }] }]), /exactly one of points or multiplier/);
		assert.doesNotThrow(() => compileRules([{ id: 'later', triggers: ['purchase'], actions: [start, { type: 'schedule_follow_up', afterHours: 24, then: [{ ...start, challenge: 'y' }] }] }]));
	});
});
