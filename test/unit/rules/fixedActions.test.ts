/**
 * Rules whose actions do not depend on the event (fixed points, tags, tiers, badges) have them
 * worked out once at compile time, and their place among winners ranked then too. These tests hold
 * that shortcut to the long way: the same actions as materializeActions gives, fresh for every
 * decision, and the same winner order as a plain sort, also with many winners at once (which are
 * placed by rank rather than sorted).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileRules, evaluate, type EvaluationContext, type RuleInput } from '../../../engine';
import { fixedActionsOf, materializeActions } from '../../../engine/rules/actions';
import { programRulesSchema, type Action } from '../../../engine/rules/schema';

const NOW = new Date('2026-03-10T15:00:00Z');

function purchase(totalMinor: number, key = 'k1'): EvaluationContext {
	return {
		event: { type: 'purchase', occurredAt: NOW.toISOString(), idempotencyKey: key, customer: { identities: { email: 'a@example.com' } }, order: { id: key, currency: 'USD', totalMinor, lines: [{ category: 'coffee', quantity: 1, totalMinor }] } },
		profile: { customerKey: 'cus_1', orderCount: 3, tier: 'Gold' },
		aggregates: {},
		counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: {}, suppressedUntil: {} },
	};
}

const fixedAction: fc.Arbitrary<Action> = fc.oneof(
	fc.record({ type: fc.constant('award_points' as const), mode: fc.constant('fixed' as const), points: fc.integer({ min: 1, max: 500 }) }),
	// A fixed award may still carry the other modes' fields: they are copied as given.
	fc.record({ type: fc.constant('award_points' as const), mode: fc.constant('fixed' as const), points: fc.integer({ min: 1, max: 50 }), multiplier: fc.constant(2) }),
	fc.record({ type: fc.constant('add_tag' as const), tag: fc.constantFrom('vip', 'regular') }),
	fc.record({ type: fc.constant('set_tier' as const), tier: fc.constantFrom('Gold', 'Silver') }),
	fc.record({ type: fc.constant('award_badge' as const), badge: fc.constantFrom('first-purchase', 'big-spender') }),
) as fc.Arbitrary<Action>;

describe('fixed actions', () => {
	test('property: the compiled copy is what materializeActions gives for any event, and a fresh object every time', () => {
		const program = programRulesSchema.parse({ pointValueMinor: 1.5 });
		fc.assert(
			fc.property(fc.array(fixedAction, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 100_000 }), (actions, total) => {
				const fixed = fixedActionsOf(actions, program);
				assert.ok(fixed, 'event-free actions are fixed');
				const direct = materializeActions(actions, purchase(total), program, NOW.getTime());
				const first = fixed.copy();
				assert.deepStrictEqual(first, direct.actions);
				assert.equal(fixed.points, direct.points);
				assert.equal(fixed.costMinor, direct.costMinor);
				const second = fixed.copy();
				assert.deepStrictEqual(second, first);
				for (let i = 0; i < first.length; i++) assert.notEqual(second[i], first[i], 'each decision gets its own action objects');
			}),
		);
	});

	test('actions that read the event, the customer or the time are not fixed', () => {
		const program = programRulesSchema.parse({});
		const eventBound: Action[] = [
			{ type: 'award_points', mode: 'per_currency_unit', pointsPerUnit: 1 },
			{ type: 'award_points', mode: 'multiplier', multiplier: 2 },
			{ type: 'send_offer', template: 't', channel: 'any', valueMinor: 500 },
			{ type: 'category_bonus', categories: ['coffee'], multiplier: 2, days: 7 },
		];
		for (const action of eventBound) assert.equal(fixedActionsOf([{ type: 'add_tag', tag: 'x' }, action], program), undefined, action.type);
	});

	test('a decision changed by its reader leaves the next decision as it was', () => {
		const set = compileRules([{ id: 'welcome', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: 25 }] }]);
		const first = evaluate(set, purchase(1000, 'a'), NOW);
		first.fired[0].actions[0].pointsToAward = 999;
		const second = evaluate(set, purchase(1000, 'b'), NOW);
		assert.equal(second.fired[0].actions[0].pointsToAward, 25);
		assert.equal(second.fired[0].revenueMinor, 1000, "revenue is the event's, not the compiled actions'");
	});

	test('property: with many winners at once, they come out in the winner order (priority, value, id)', () => {
		const rule = fc.record({ id: fc.stringMatching(/^[a-z0-9][a-z0-9_]{0,5}$/), priority: fc.integer({ min: 0, max: 3 }), actions: fc.array(fixedAction.filter((a) => a.type !== 'award_badge'), { minLength: 1, maxLength: 2 }), threshold: fc.integer({ min: 0, max: 3000 }) });
		fc.assert(
			fc.property(fc.uniqueArray(rule, { selector: (r) => r.id, minLength: 9, maxLength: 60 }), fc.integer({ min: 0, max: 3000 }), (rules, total) => {
				const set = compileRules(rules.map((r): RuleInput => ({ id: r.id, priority: r.priority, triggers: ['purchase'], conditions: { all: [{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: r.threshold }] }, actions: r.actions })));
				const decision = evaluate(set, purchase(total), NOW);
				const expected = rules
					.filter((r) => total >= r.threshold)
					.map((r) => ({ id: r.id, priority: r.priority, value: decision.fired.find((f) => f.ruleId === r.id)!.costMinor }))
					.sort((a, b) => b.priority - a.priority || b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
				assert.deepEqual(
					decision.fired.map((f) => f.ruleId),
					expected.map((e) => e.id),
				);
			}),
			{ numRuns: 300 },
		);
	});
});
