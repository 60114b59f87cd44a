import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CrossSellModel, NextAction, nextBestAction, replenishmentSchedule, type ActionSignals } from '../../../engine/insight';

describe('cross-sell', () => {
	const baskets = [
		...Array.from({ length: 20 }, () => ['beans', 'filters']),
		...Array.from({ length: 20 }, () => ['beans']),
		...Array.from({ length: 10 }, () => ['tea', 'honey']),
		...Array.from({ length: 48 }, () => ['tea']),
		['beans', 'rare-grinder'],
		['mug', 'rare-grinder'],
	];
	const model = new CrossSellModel(baskets, { minPairCount: 3 });

	test('support, confidence and lift of a rule', () => {
		const rule = model.rules().find((r) => r.from === 'beans' && r.to === 'filters');
		assert.ok(rule);
		assert.equal(rule.count, 20);
		assert.equal(rule.support, 20 / 100);
		assert.equal(rule.confidence, 20 / 41);
		assert.ok(Math.abs(rule.lift - 20 / 41 / (20 / 100)) < 1e-12);
	});

	test('a rare pair does not win on lift; owned items are excluded', () => {
		assert.ok(!model.rules().some((r) => r.to === 'rare-grinder' || r.from === 'rare-grinder'));
		assert.deepEqual(model.picksFor(['beans']).map((r) => r.to), ['filters']);
		assert.deepEqual(model.picksFor(['beans', 'filters']), []);
	});
});

describe('next best action', () => {
	const base: ActionSignals = { lifecycle: 'active', valueTier: 'mid', discountShare: 0, topCategoryShare: 0.3, orders: 4 };
	test('each signal picks its action and is reported', () => {
		assert.equal(nextBestAction({ ...base, lifecycle: 'at-risk', valueTier: 'high-value' }).action, NextAction.WinBack);
		assert.equal(nextBestAction({ ...base, lifecycle: 'new', orders: 1 }).action, NextAction.Onboarding);
		assert.equal(nextBestAction({ ...base, valueTier: 'high-value' }).action, NextAction.Vip);
		const value = nextBestAction({ ...base, discountShare: 0.75 });
		assert.equal(value.action, NextAction.ValueOffer);
		assert.match(value.reason, /75% of orders used a discount/);
		assert.equal(value.signals.discountShare, 0.75);
		assert.equal(nextBestAction({ ...base, topCategoryShare: 0.8, topCategory: 'espresso' }).action, NextAction.EarlyAccess);
		assert.equal(nextBestAction(base).action, NextAction.KeepInTouch);
	});
});

describe('replenishment', () => {
	test('interval per unit, shrunk toward the population, reminded before it is due', () => {
		const purchases = [];
		// Ten regulars buy one bag every 30 days.
		for (let c = 0; c < 10; c++) for (let k = 0; k < 4; k++) purchases.push({ customerId: `r${c}`, product: 'beans', day: 1000 + c + k * 30, quantity: 1 });
		// A newcomer bought once, two bags: they last about 60 days.
		purchases.push({ customerId: 'new', product: 'beans', day: 2000, quantity: 2 });
		// Irregular product: no reminders.
		for (const [i, day] of [0, 2, 3, 200, 203, 600, 601].entries()) purchases.push({ customerId: `x${i % 2}`, product: 'gift-card', day: 1000 + day, quantity: 1 });
		const schedule = replenishmentSchedule(purchases);
		assert.ok(schedule.every((d) => d.product === 'beans'));
		const newcomer = schedule.find((d) => d.customerId === 'new')!;
		assert.equal(newcomer.daysPerUnit, 30);
		assert.equal(newcomer.dueDay, 2060);
		assert.equal(newcomer.remindDay, 2056);
		const regular = schedule.find((d) => d.customerId === 'r0')!;
		assert.equal(regular.ownIntervals, 3);
		assert.equal(regular.dueDay, 1000 + 90 + 30);
	});
});
