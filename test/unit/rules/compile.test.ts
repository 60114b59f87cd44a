import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileRules, LoyaltyError, PRESETS, type RuleInput } from '../../../engine';
import { isoInstant } from '../../../engine/rules/isoInstant';

const valid = (): RuleInput => ({
	id: 'big_order',
	triggers: ['purchase'],
	conditions: {
		all: [
			{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: 5000 },
			{ any: [{ fact: 'profile.tags', operator: 'contains_any', value: ['vip'] }, { fact: 'profile.orderCount', operator: 'greater_than', value: 3 }] },
		],
	},
	actions: [{ type: 'award_points', mode: 'fixed', points: 10 }],
});

function compileError(input: unknown): LoyaltyError {
	try {
		compileRules(input);
	} catch (error) {
		assert.ok(error instanceof LoyaltyError, `expected a LoyaltyError, got ${String(error)}`);
		return error;
	}
	assert.fail('compileRules accepted an invalid rule');
}

describe('compileRules', () => {
	test('an unknown operator is a compile error with its JSON path and the closest name', () => {
		const rules = [valid(), valid(), { ...valid(), id: 'third', conditions: { all: [valid().conditions!, { fact: 'profile.tags', operator: 'contains_any_off', value: ['a'] }] } }];
		rules[1] = { ...valid(), id: 'second' };
		const error = compileError(rules);
		assert.equal(error.field, 'rules[2].conditions.all[1].operator');
		assert.equal(error.message, 'rules[2].conditions.all[1].operator: unknown operator "contains_any_off" (did you mean "contains_any"?)');
	});

	test('an operator that does not fit the fact type is refused', () => {
		const error = compileError([{ ...valid(), conditions: { all: [{ fact: 'event.order.totalMinor', operator: 'contains_any', value: ['x'] }] } }]);
		assert.equal(error.field, 'rules[0].conditions.all[0].operator');
		assert.match(error.message, /does not apply to event\.order\.totalMinor, which is a money/);
	});

	test('a value of the wrong shape is refused at the value', () => {
		const error = compileError([{ ...valid(), conditions: { any: [{ fact: 'profile.spendMinor', operator: 'between', value: [10] }] } }]);
		assert.equal(error.field, 'rules[0].conditions.any[0].value');
	});

	test('unknown facts, duplicate ids, bad actions, bad schedule and a wrong version all name their path', () => {
		assert.equal(compileError([{ ...valid(), conditions: { all: [{ fact: 'profile.shoeSize', operator: 'equal', value: 3 }] } }]).field, 'rules[0].conditions.all[0].fact');
		assert.equal(compileError([valid(), valid()]).field, 'rules[1].id');
		assert.equal(compileError([{ ...valid(), actions: [{ type: 'award_points', mode: 'fixed' }] }]).field, 'rules[0].actions[0]');
		assert.equal(compileError([{ ...valid(), schedule: { hours: { from: '7am', to: '10:00' } } }]).field, 'rules[0].schedule.hours.from');
		assert.equal(compileError([{ ...valid(), triggers: ['purchased'] }]).field, 'rules[0].triggers[0]');
		assert.equal(compileError({ version: 2, rules: [] }).field, 'version');
		assert.equal(compileError({ version: 1, rules: [], program: { timeZone: 'Mars/Olympus' } }).field, 'program.timeZone');
		assert.equal(compileError([{ ...valid(), conditions: { all: [{ aggregate: { measure: 'orders' }, operator: 'greater_than', value: 1 }] } }]).field, 'rules[0].conditions.all[0].aggregate');
	});

	test('the compiler lists exactly the aggregates the rules need', () => {
		const set = compileRules([
			{ ...valid(), conditions: { all: [{ aggregate: { measure: 'category_purchases', category: 'Coffee', lastDays: 30 }, operator: 'greater_than_or_equal', value: 3 }] } },
			{ ...valid(), id: 'b', conditions: { all: [{ aggregate: { measure: 'orders', calendar: 'month' }, operator: 'greater_than', value: 1 }, { aggregate: { measure: 'category_purchases', category: 'coffee', lastDays: 30 }, operator: 'less_than', value: 9 }] } },
		]);
		assert.deepEqual([...set.requiredAggregates.keys()].sort(), ['category_purchases:coffee:last_30_days', 'orders:this_month']);
	});

	test('every preset compiles with its defaults', () => {
		for (const preset of PRESETS) assert.doesNotThrow(() => compileRules(preset.build()), preset.id);
		assert.doesNotThrow(() => compileRules(PRESETS.flatMap((p) => p.build())));
	});

	test('property: any corruption of a valid rule is refused with a path inside rules[0]', () => {
		const corruptions: Array<(r: Record<string, unknown>) => void> = [
			(r) => ((r.conditions as { all: Array<Record<string, unknown>> }).all[0].operator = 'bogus_op'),
			(r) => ((r.conditions as { all: Array<Record<string, unknown>> }).all[0].value = 'five'),
			(r) => ((r.conditions as { all: Array<Record<string, unknown>> }).all[0].fact = 'nope.nothing'),
			(r) => delete r.actions,
			(r) => (r.triggers = []),
			(r) => (r.priority = 1.5),
			(r) => (r.frequency = { max: 0, perDays: 7 }),
			(r) => (r.experiment = { id: 'e', variants: [] }),
			(r) => (r.unexpected = true),
			(r) => ((r.conditions as { all: unknown[] }).all.push({ all: [{ any: 'x' }] })),
			(r) => ((r.conditions as { all: Array<Record<string, unknown>> }).all[1] = { any: [], all: [] }),
			(r) => (r.actions = [{ type: 'teleport' }]),
		];
		fc.assert(
			fc.property(fc.subarray(corruptions.map((_, i) => i), { minLength: 1 }), (picked) => {
				const rule = structuredClone(valid()) as unknown as Record<string, unknown>;
				for (const i of picked) corruptions[i](rule);
				const error = compileError([rule]);
				assert.equal(error.code, 'invalid_input');
				assert.ok(error.field?.startsWith('rules[0]'), `field ${error.field}`);
				assert.ok(error.message.startsWith(`${error.field}: `));
			}),
		);
	});
});

describe('isoInstant', () => {
	test('property: formats exactly like Date.prototype.toISOString', () => {
		fc.assert(
			fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
				assert.equal(isoInstant(ms), new Date(ms).toISOString());
			}),
			{ numRuns: 5000 },
		);
		assert.equal(isoInstant(Date.parse('2024-02-29T23:59:59.999Z')), '2024-02-29T23:59:59.999Z');
	});
});
