import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateKey, birthdayReward, compileRules, evaluate, lifetimeSpendUpgrade, purchaseStreak, replenishmentReminder, visitMilestone, type RuleEvent } from '../../../engine';
import { contextFor, purchase } from './helpers';

const NOW = new Date('2026-03-10T15:00:00Z');
const due = (type: string): RuleEvent => ({ type, occurredAt: NOW.toISOString(), idempotencyKey: `${type}:ana`, customer: { identities: { email: 'ana@example.com' } } });

describe('presets', () => {
	test('3 purchases in 60 days → a challenge, or a tier when one is named', () => {
		const key = aggregateKey({ measure: 'orders', lastDays: 60 });
		const challenge = compileRules(purchaseStreak.build());
		assert.equal(evaluate(challenge, contextFor(purchase(100), {}, { aggregates: { [key]: 2 } }), NOW).fired.length, 0);
		const third = evaluate(challenge, contextFor(purchase(100), {}, { aggregates: { [key]: 3 } }), NOW);
		assert.deepEqual(third.fired[0].actions.map((a) => [a.type, a.goalPurchases]), [['start_challenge', 2]]);
		assert.deepEqual(third.routes, ['other']);
		const tier = evaluate(compileRules(purchaseStreak.build({ tier: 'Silver' })), contextFor(purchase(100), {}, { aggregates: { [key]: 3 } }), NOW);
		assert.deepEqual(tier.fired[0].actions.map((a) => [a.type, a.tier]), [['set_tier', 'Silver']]);
	});

	test('lifetime spend ≥ $500 → Gold and 200 points, not again once Gold', () => {
		const set = compileRules(lifetimeSpendUpgrade.build());
		assert.equal(evaluate(set, contextFor(purchase(100), { spendMinor: 49999 }), NOW).fired.length, 0);
		const upgrade = evaluate(set, contextFor(purchase(100), { spendMinor: 50000 }), NOW);
		assert.equal(upgrade.pointsToAward, 200);
		assert.deepEqual(upgrade.routes, ['award', 'offer', 'other']);
		assert.deepEqual(upgrade.fired[0].actions.map((a) => a.type), ['set_tier', 'award_points', 'send_offer'], 'the tier, the bonus and the message about the new benefits');
		assert.equal(evaluate(set, contextFor(purchase(100), { spendMinor: 90000, tier: 'Gold' }), NOW).fired.length, 0);
	});

	test('5th and 10th visit → free item', () => {
		const set = compileRules(visitMilestone.build());
		const visit = due('visit');
		assert.deepEqual([4, 5, 6, 10].map((visitCount) => evaluate(set, contextFor(visit, { visitCount }), NOW).fired.length), [0, 1, 0, 1]);
		assert.equal(evaluate(set, contextFor(visit, {}), NOW).explanation[0].failedCondition?.reason, 'profile.visitCount is missing');
	});

	test("birthday month in the customer's time zone", () => {
		const set = compileRules(birthdayReward.build());
		const event = due('birthday_due');
		const midnight = new Date('2026-03-31T23:30:00Z');
		assert.equal(evaluate(set, contextFor(event, { birthday: { month: 3, day: 12 }, timeZone: 'UTC' }), midnight).fired.length, 1);
		assert.equal(evaluate(set, contextFor(event, { birthday: { month: 3, day: 12 }, timeZone: 'Europe/Berlin' }), midnight).fired.length, 0, 'already April in Berlin');
		assert.equal(evaluate(set, contextFor(event, {}), midnight).explanation[0].failedCondition?.reason, 'profile.isBirthdayMonth is missing');
	});

	test('replenishment due → reminder with double points for a few days', () => {
		const decision = evaluate(compileRules(replenishmentReminder.build()), contextFor(due('replenishment_due')), NOW);
		assert.deepEqual(decision.routes, ['award', 'offer']);
		assert.equal(decision.fired[0].actions.find((a) => a.type === 'category_bonus')?.until, '2026-03-13T15:00:00.000Z');
	});
});
