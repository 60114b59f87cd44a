import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateKey, birthdayReward, compileRules, evaluate, lifetimeSpendUpgrade, newLocationVisit, onlineCustomerStoreVisit, purchaseStreak, replenishmentReminder, visitMilestone, type RuleEvent } from '../../../engine';
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
		assert.equal(
			evaluate(set, contextFor(event, { birthday: { month: 3, day: 12 }, timeZone: 'Mars/Olympus_Mons' }), midnight).fired.length,
			1,
			"a zone Intl does not know falls back to the program's (UTC), instead of throwing",
		);
	});

	test('replenishment due → reminder with double points for a few days', () => {
		const decision = evaluate(compileRules(replenishmentReminder.build()), contextFor(due('replenishment_due')), NOW);
		assert.deepEqual(decision.routes, ['award', 'offer']);
		assert.equal(decision.fired[0].actions.find((a) => a.type === 'category_bonus')?.until, '2026-03-13T15:00:00.000Z');
	});

	test('first visit to another of our stores: bought at one store before, never at this one', () => {
		const set = compileRules(newLocationVisit.build({ points: 75 }));
		const counter = purchase(900, { source: 'square', channel: 'in_store', location: 'L-STATION' });
		const fired = (profile: { ordersAtLocation?: number; locationCount?: number }, event = counter) => evaluate(set, contextFor(event, profile), NOW).fired.length;
		assert.equal(fired({ ordersAtLocation: 1, locationCount: 2 }), 1);
		assert.equal(evaluate(set, contextFor(counter, { ordersAtLocation: 1, locationCount: 2 }), NOW).pointsToAward, 75);
		assert.equal(fired({ ordersAtLocation: 1, locationCount: 1 }), 0, 'a first purchase ever: no other store');
		assert.equal(fired({ ordersAtLocation: 2, locationCount: 2 }), 0, 'bought here before');
		assert.equal(fired({ ordersAtLocation: 1, locationCount: 2 }, purchase(900, { source: 'square', channel: 'online', location: 'L-STATION' })), 0, 'an online order is no visit');
		assert.equal(fired({}, purchase(900)), 0, 'a web order has no store');
	});

	test("online customer's first visit to the shop: the first in-store order after online ones", () => {
		const set = compileRules(onlineCustomerStoreVisit.build());
		const counter = purchase(900, { source: 'square', channel: 'in_store', location: 'L-HARBOUR' });
		const decide = (profile: { inStoreOrderCount?: number; onlineOrderCount?: number }, event = counter) => evaluate(set, contextFor(event, profile), NOW);
		assert.deepEqual(decide({ inStoreOrderCount: 1, onlineOrderCount: 3 }).fired[0].actions.map((a) => a.type), ['award_points', 'send_offer']);
		assert.equal(decide({ inStoreOrderCount: 1, onlineOrderCount: 0 }).fired.length, 0, 'never ordered online');
		assert.equal(decide({ inStoreOrderCount: 2, onlineOrderCount: 3 }).fired.length, 0, 'been in before');
		assert.equal(decide({ inStoreOrderCount: 1, onlineOrderCount: 3 }, purchase(900)).explanation[0].failedCondition?.actual, 'online', 'a WooCommerce order without a channel is online');
	});
});
