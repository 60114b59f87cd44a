import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignArm, compileRules, evaluate, morningBonus, OPERATORS, FACTS, RULE_TRIGGERS, type RuleInput, type RuleEvent } from '../../../engine';
import { cartAbandoned, contextFor, purchase } from './helpers';

const NOW = new Date('2026-03-10T15:00:00Z');
const points = (id: string, n: number, extra: Partial<RuleInput> = {}): RuleInput => ({ id, triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: n }], ...extra });

describe('evaluate', () => {
	test('"A and (B or C)": the explanation names the first failing condition with actual and expected', () => {
		const set = compileRules([
			points('nested', 10, {
				conditions: {
					all: [
						{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: 5000 },
						{ any: [{ fact: 'profile.tier', operator: 'equal', value: 'Gold' }, { fact: 'event.order.categories', operator: 'contains', value: 'tea' }] },
					],
				},
			}),
		]);
		const fired = evaluate(set, contextFor(purchase(6000, { categories: ['tea'] })), NOW);
		assert.equal(fired.fired[0]?.ruleId, 'nested');
		assert.equal(fired.explanation[0].outcome, 'fired');
		assert.ok(fired.explanation[0].conditions && 'all' in fired.explanation[0].conditions);

		const small = evaluate(set, contextFor(purchase(4000, { categories: ['tea'] })), NOW);
		assert.deepEqual(small.routes, []);
		assert.equal(small.explanation[0].outcome, 'not_met');
		assert.deepEqual(
			{ path: small.explanation[0].failedCondition?.path, actual: small.explanation[0].failedCondition?.actual, expected: small.explanation[0].failedCondition?.expected },
			{ path: 'rules[0].conditions.all[0]', actual: 4000, expected: 5000 },
		);

		const neither = evaluate(set, contextFor(purchase(6000, { categories: ['coffee'] }), { tier: 'Silver' }), NOW);
		assert.equal(neither.explanation[0].failedCondition?.path, 'rules[0].conditions.all[1].any[0]');
		assert.equal(neither.explanation[0].failedCondition?.actual, 'Silver');
	});

	test('missing data makes a condition "not met" with the reason, never an exception', () => {
		const set = compileRules([points('cart', 5, { triggers: ['purchase', 'cart_abandoned'], conditions: { all: [{ fact: 'event.cart.totalMinor', operator: 'greater_than', value: 1 }] } })]);
		const decision = evaluate(set, contextFor(purchase(1000)), NOW);
		assert.equal(decision.explanation[0].outcome, 'not_met');
		assert.equal(decision.explanation[0].failedCondition?.reason, 'event.cart.totalMinor is missing');
		const wrongType = evaluate(set, contextFor({ ...cartAbandoned(100, 1), cart: { currency: 'USD', totalMinor: 'lots' as unknown as number } }), NOW);
		assert.equal(wrongType.explanation[0].failedCondition?.reason, 'event.cart.totalMinor is not a number');
	});

	test('ties are broken by priority, then value, then rule id — never by position', () => {
		const rules = [points('b_rule', 10, { conflict: { group: 'g', suppressOthersForHours: 0 } }), points('a_rule', 10, { conflict: { group: 'g', suppressOthersForHours: 0 } }), points('richer', 20, { conflict: { group: 'g', suppressOthersForHours: 0 } })];
		for (const order of [rules, [...rules].reverse()]) {
			assert.equal(evaluate(compileRules(order), contextFor(purchase(100)), NOW).fired[0].ruleId, 'richer');
			const withoutRicher = order.filter((r) => r.id !== 'richer');
			const decision = evaluate(compileRules(withoutRicher), contextFor(purchase(100)), NOW);
			assert.deepEqual(decision.fired.map((f) => f.ruleId), ['a_rule']);
			assert.equal(decision.explanation.find((e) => e.ruleId === 'b_rule')?.suppressedBy?.byRuleId, 'a_rule');
		}
		const prioritised = compileRules([points('low_value', 1, { priority: 5, conflict: { group: 'g', suppressOthersForHours: 48 } }), points('high_value', 99, { conflict: { group: 'g', suppressOthersForHours: 0 } })]);
		const decision = evaluate(prioritised, contextFor(purchase(100)), NOW);
		assert.deepEqual(decision.fired.map((f) => f.ruleId), ['low_value']);
		// The hold names the other member and the group itself (so members in other rule sets are held too).
		assert.deepEqual(decision.suppressionsToCreate, [
			{ ruleId: 'high_value', until: '2026-03-12T15:00:00.000Z', byRuleId: 'low_value' },
			{ ruleId: 'group:g', until: '2026-03-12T15:00:00.000Z', byRuleId: 'low_value' },
		]);
	});

	test('hour windows are read in the customer time zone, falling back to the program', () => {
		const set = compileRules({ version: 1, program: { timeZone: 'America/New_York' }, rules: morningBonus.build() });
		// 13:00 UTC is 08:00 in New York (EST in early March) but 14:00 in Berlin.
		const at = new Date('2026-03-05T13:00:00Z');
		assert.equal(evaluate(set, contextFor(purchase(100)), at).fired.length, 1);
		const berlin = evaluate(set, contextFor(purchase(100), { timeZone: 'Europe/Berlin' }), at);
		assert.equal(berlin.explanation[0].outcome, 'out_of_schedule');
		assert.match(berlin.explanation[0].reason ?? '', /only 07:00–10:00; it is thu 14:00 Europe\/Berlin/);
		const tuesdays = compileRules([points('tuesday', 1, { schedule: { daysOfWeek: ['tue'] } })]);
		assert.equal(evaluate(tuesdays, contextFor(purchase(100), { timeZone: 'Pacific/Auckland' }), new Date('2026-03-09T12:00:00Z')).fired.length, 1, 'Monday noon UTC is Tuesday in Auckland');
		assert.equal(evaluate(tuesdays, contextFor(purchase(100), { timeZone: 'America/Los_Angeles' }), new Date('2026-03-09T12:00:00Z')).fired.length, 0);
	});

	test('frequency limits, suppressions, caps, the daily limit and the cost ceiling each suppress with their reason', () => {
		const frequent = compileRules([points('weekly', 5, { frequency: { max: 1, perDays: 7 } })]);
		assert.equal(evaluate(frequent, contextFor(purchase(100), {}, { counters: { ruleUses: { weekly: 1 }, customerRewardsToday: 0, capUsage: {}, suppressedUntil: {} } }), NOW).explanation[0].suppressedBy?.kind, 'frequency');

		const held = compileRules([points('held', 5, { conflict: { group: 'g', suppressOthersForHours: 0 } })]);
		const suppressed = evaluate(held, contextFor(purchase(100), {}, { counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: {}, suppressedUntil: { held: '2026-03-11T00:00:00.000Z' } } }), NOW);
		assert.equal(suppressed.explanation[0].suppressedBy?.kind, 'suppression');

		const capped = compileRules([points('capped', 50, { caps: [{ metric: 'points', period: 'day', max: 120 }] })]);
		const usage = { points: 100, offers: 0, costMinor: 0, revenueMinor: 0, firings: 2 };
		const capDecision = evaluate(capped, contextFor(purchase(100), {}, { counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: { 'rule:capped:day': usage }, suppressedUntil: {} } }), NOW);
		assert.equal(capDecision.explanation[0].suppressedBy?.kind, 'cap');
		assert.equal(capDecision.explanation[0].suppressedBy?.capKey, 'rule:capped:day:points');

		const daily = compileRules({ version: 1, program: { maxRewardsPerCustomerPerDay: 1 }, rules: [points('one', 5), points('two', 6)] });
		const dailyDecision = evaluate(daily, contextFor(purchase(100)), NOW);
		assert.deepEqual(dailyDecision.fired.map((f) => f.ruleId), ['two']);
		assert.equal(dailyDecision.explanation.find((e) => e.ruleId === 'one')?.suppressedBy?.kind, 'daily_limit');

		const ceiling = compileRules([points('costly', 600, { costCeiling: { maxShareOfRevenue: 0.05, period: 'month' } })]);
		assert.equal(evaluate(ceiling, contextFor(purchase(10000)), NOW).explanation[0].suppressedBy?.kind, 'cost_ceiling', '600 points at 1 cent = 6% of $100');
		assert.equal(evaluate(ceiling, contextFor(purchase(20000)), NOW).fired.length, 1, '3% of $200 is within 5%');
	});

	test('experiments: sticky arms by hash, weights respected, holdout recorded as not sent', () => {
		const experiment = { id: 'exp1', holdoutShare: 0.2, variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3, actions: [{ type: 'award_points' as const, mode: 'fixed' as const, points: 20 }] }] };
		const counts: Record<string, number> = { holdout: 0, a: 0, b: 0 };
		for (let i = 0; i < 4000; i++) counts[assignArm(experiment, `cus_${i}`)]++;
		assert.ok(Math.abs(counts.holdout / 4000 - 0.2) < 0.03, JSON.stringify(counts));
		assert.ok(Math.abs(counts.b / 4000 - 0.6) < 0.03, JSON.stringify(counts));
		assert.equal(assignArm(experiment, 'cus_7'), assignArm(structuredClone(experiment), 'cus_7'));

		const set = compileRules([points('exp', 5, { experiment })]);
		const holdoutCustomer = Array.from({ length: 100 }, (_, i) => `cus_${i}`).find((c) => assignArm(experiment, c) === 'holdout')!;
		const decision = evaluate(set, contextFor(purchase(100), { customerKey: holdoutCustomer }), NOW);
		assert.deepEqual(decision.routes, []);
		assert.deepEqual(decision.holdouts, [{ ruleId: 'exp', experimentId: 'exp1', arm: 'holdout' }]);
		assert.equal(decision.explanation[0].reason, 'holdout of experiment "exp1": not sent');
		const bCustomer = Array.from({ length: 100 }, (_, i) => `cus_${i}`).find((c) => assignArm(experiment, c) === 'b')!;
		const b = evaluate(set, contextFor(purchase(100), { customerKey: bCustomer }), NOW);
		assert.equal(b.fired[0].arm, 'b');
		assert.equal(b.pointsToAward, 20);
	});

	test('award modes compute integer points; multiplier adds the extra over base points', () => {
		const set = compileRules({
			version: 1,
			program: { pointsPerCurrencyUnit: 1 },
			rules: [
				{ id: 'per_unit', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'per_currency_unit', pointsPerUnit: 1.5 }] },
				{ id: 'double', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'multiplier', multiplier: 2 }] },
			],
		});
		const decision = evaluate(set, contextFor(purchase(2599)), NOW);
		assert.deepEqual(Object.fromEntries(decision.fired.map((f) => [f.ruleId, f.points])), { per_unit: 37, double: 25 });
		assert.equal(decision.pointsToAward, 62);
		assert.deepEqual(decision.routes, ['award']);
	});

	test('property: random valid rules and random events never throw', () => {
		const numberFacts = FACTS.filter((f) => f.type === 'number' || f.type === 'money').map((f) => f.name);
		const listFacts = FACTS.filter((f) => f.type === 'list').map((f) => f.name);
		const numberOps = OPERATORS.filter((o) => o.actualType === 'number' && o.name !== 'between').map((o) => o.name);
		const leaf = fc.oneof(
			fc.record({ fact: fc.constantFrom(...numberFacts), operator: fc.constantFrom(...numberOps), value: fc.integer({ min: -10, max: 100000 }) }),
			fc.record({ fact: fc.constantFrom(...listFacts), operator: fc.constantFrom('contains_any', 'contains_all', 'contains_none'), value: fc.array(fc.constantFrom('coffee', 'tea', 'vip'), { minLength: 1 }) }),
			fc.record({ fact: fc.constantFrom('event.data.anything', 'profile.tier', 'event.order.currency'), operator: fc.constantFrom('equal', 'not_equal', 'exists', 'not_exists', 'in'), value: fc.constant(['Gold']) }).map((c) => (c.operator === 'in' ? c : c.operator.includes('exists') ? { fact: c.fact, operator: c.operator } : { ...c, value: 'Gold' })),
			fc.record({ aggregate: fc.record({ measure: fc.constantFrom('orders' as const, 'spend_minor' as const), lastDays: fc.integer({ min: 1, max: 400 }) }), operator: fc.constantFrom(...numberOps), value: fc.integer({ min: 0, max: 10 }) }),
		);
		const tree = fc.letrec((tie) => ({ node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }), fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }), fc.record({ not: tie('node') })) })).node;
		const rule = fc.record({
			id: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
			triggers: fc.subarray([...RULE_TRIGGERS], { minLength: 1 }),
			conditions: tree,
			priority: fc.integer({ min: -3, max: 3 }),
			actions: fc.constant([{ type: 'award_points', mode: 'fixed', points: 5 }, { type: 'send_offer', template: 't', percentOff: 10 }]),
			conflict: fc.option(fc.record({ group: fc.constantFrom('g1', 'g2'), suppressOthersForHours: fc.integer({ min: 0, max: 72 }) }), { nil: undefined }),
			schedule: fc.option(fc.record({ daysOfWeek: fc.subarray(['mon', 'tue', 'sat'] as const, { minLength: 1 }), hours: fc.constant({ from: '22:00', to: '02:00' }) }), { nil: undefined }),
		});
		const event = fc.record({
			type: fc.constantFrom(...RULE_TRIGGERS),
			occurredAt: fc.constant('2026-03-10T15:00:00Z'),
			idempotencyKey: fc.constant('k'),
			order: fc.option(fc.record({ id: fc.constant('o'), currency: fc.constantFrom('USD', 'JPY', 'XXX'), totalMinor: fc.integer({ min: 0, max: 10 ** 7 }), lines: fc.option(fc.array(fc.record({ category: fc.option(fc.constantFrom('coffee', 'tea'), { nil: undefined }) })), { nil: undefined }) }), { nil: undefined }),
			data: fc.option(fc.dictionary(fc.constantFrom('anything', 'x'), fc.jsonValue()), { nil: undefined }),
		}) as fc.Arbitrary<RuleEvent>;
		fc.assert(
			fc.property(fc.uniqueArray(rule, { selector: (r) => r.id, maxLength: 6 }), event, fc.option(fc.constantFrom('Europe/Berlin', 'Asia/Kolkata'), { nil: undefined }), (rules, ev, timeZone) => {
				const set = compileRules(rules as unknown as RuleInput[]);
				const decision = evaluate(set, contextFor(ev, { timeZone, spendMinor: 100 }), NOW);
				assert.ok(Array.isArray(decision.explanation));
				JSON.stringify(decision);
			}),
			{ numRuns: 300 },
		);
	});
});
