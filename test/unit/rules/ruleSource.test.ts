import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, PRESETS } from '../../../engine';
import { builderValue, presetParameters, rulesFromBuilder, rulesFromPresets } from '../../../nodes/EvaluateRules/helpers/ruleSource';
import { eventFromMapping } from '../../../nodes/EvaluateRules/helpers/eventMapping';

describe('Evaluate Rules parameter helpers', () => {
	test('preset numbers typed in currency units become minor units; empty fields keep the defaults', () => {
		assert.deepEqual(presetParameters('cart_recovery', { cartMinimum: 49.5, couponPercent: 15 }), { minCartMinor: 4950, percentOff: 15 });
		assert.deepEqual(presetParameters('replenishment_reminder', { replenishmentCategories: ' , ' }), {});
		assert.deepEqual(presetParameters('replenishment_reminder', { replenishmentCategories: 'beans, filters' }), { categories: ['beans', 'filters'] });
		for (const preset of PRESETS) assert.doesNotThrow(() => compileRules(rulesFromPresets([preset.id], {})), preset.id);
		assert.throws(() => rulesFromPresets([], {}), /presets: pick at least one preset/);
	});

	test('builder values: numbers, lists for list operators, text otherwise', () => {
		assert.equal(builderValue('5000', 'greater_than'), 5000);
		assert.deepEqual(builderValue('coffee, tea', 'contains_any'), ['coffee', 'tea']);
		assert.deepEqual(builderValue('10, 20', 'between'), [10, 20]);
		assert.equal(builderValue('Gold', 'equal'), 'Gold');
		assert.equal(builderValue('  ', 'equal'), undefined);
	});

	test('a builder rule with a bad operator is refused with its path', () => {
		const rules = rulesFromBuilder([{ name: 'X', trigger: 'purchase', conditions: { condition: [{ fact: 'profile.tier', operator: 'contains_all', value: 'Gold' }] }, action: 'award_fixed', points: 5 }]);
		assert.throws(() => compileRules(rules), /rules\[0\]\.conditions\.all\[0\]\.operator: "contains_all" does not apply to profile\.tier, which is a string/);
	});

	test('builder amounts: in the shop currency from version 1.1, in minor units as version 1 saved them', () => {
		const rule = { name: 'Big', trigger: 'purchase', conditions: { condition: [{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: '50' }, { fact: 'profile.spendMinor', operator: 'between', value: '100, 250.5' }, { fact: 'profile.orderCount', operator: 'greater_than', value: '3' }] }, action: 'award_fixed', points: 5 };
		assert.deepEqual(rulesFromBuilder([rule], { currency: 'USD' })[0].conditions, {
			all: [
				{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: 5000 },
				{ fact: 'profile.spendMinor', operator: 'between', value: [10000, 25050] },
				{ fact: 'profile.orderCount', operator: 'greater_than', value: 3 },
			],
		});
		assert.equal((rulesFromBuilder([rule])[0].conditions as { all: Array<{ value: unknown }> }).all[0].value, 50, 'version 1: as typed');
		assert.deepEqual((rulesFromBuilder([{ ...rule, conditions: { condition: rule.conditions.condition.slice(0, 1) } }], { currency: 'JPY' })[0].conditions as { all: Array<{ value: unknown }> }).all[0].value, 50, 'a currency without cents');
		assert.throws(() => rulesFromBuilder([{ ...rule, conditions: { condition: [{ fact: 'event.order.totalMinor', operator: 'equal', value: '1.234' }] } }], { currency: 'USD' }), /ruleBuilder\[0\]\.conditions\[0\]\.value/);
	});

	test('a builder rule can start from a preset: its numbers, plus the conditions and name added in the builder', () => {
		const [rule] = rulesFromBuilder(
			[{ name: 'Big order, Gold only', startFrom: 'big_order_bonus', conditions: { condition: [{ fact: 'profile.tier', operator: 'equal', value: 'Gold' }] }, maxPerCustomer: 1, perDays: 30 }],
			{ currency: 'USD', presetSettings: { bigOrderThreshold: 80, bigOrderPoints: 70 } },
		);
		assert.equal(rule.id, 'big_order_gold_only');
		assert.equal(rule.name, 'Big order, Gold only');
		assert.deepEqual(rule.triggers, ['purchase']);
		assert.deepEqual(rule.conditions, {
			all: [{ all: [{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: 8000 }] }, { all: [{ fact: 'profile.tier', operator: 'equal', value: 'Gold' }] }],
		});
		assert.deepEqual(rule.actions, [{ type: 'award_points', mode: 'fixed', points: 70 }]);
		assert.deepEqual(rule.frequency, { max: 1, perDays: 30 });
		assert.doesNotThrow(() => compileRules([rule]));
		for (const preset of PRESETS) assert.doesNotThrow(() => compileRules(rulesFromBuilder([{ startFrom: preset.id }], { currency: 'USD' })), preset.id);
		assert.throws(() => rulesFromBuilder([{ startFrom: 'nope' }]), /ruleBuilder\[0\]\.startFrom/);
	});

	test('field mapping: a cart event carries the amount as a cart, a purchase as an order', () => {
		const cart = eventFromMapping({ eventType: 'cart_abandoned', eventKey: 'c1', customerValue: 'a@example.com', amount: '50', currency: 'usd', idleMinutes: 130, occurredAt: '2026-03-10T10:00:00Z' });
		assert.deepEqual(cart.cart, { currency: 'USD', totalMinor: 5000, lines: [], idleMinutes: 130 });
		const order = eventFromMapping({ eventType: 'purchase', eventKey: 'o1', customerValue: 'a@example.com', amount: 12.5, categories: 'coffee, tea', occurredAt: '2026-03-10T10:00:00Z' });
		assert.equal(order.order?.totalMinor, 1250);
		assert.deepEqual(order.order?.lines?.map((l) => l.category), ['coffee', 'tea']);
		assert.throws(() => eventFromMapping({ eventType: 'purchase', eventKey: '', customerValue: 'a@example.com' }), /fieldMapping\.eventKey/);
		assert.throws(() => eventFromMapping({ eventType: 'purchase', eventKey: 'k', customerValue: 'a@example.com', amount: '12.345' }), /fieldMapping\.amount/);
	});
});
