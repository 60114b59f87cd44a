import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
	LifecycleStage,
	SEGMENT_TABLE,
	Segment,
	ValueTier,
	activityFromTransactions,
	dayNumberOfDate,
	lifecycleStage,
	quintileScores,
	rfmScores,
	segmentCustomers,
	segmentOf,
	valueTier,
	type Score,
} from '../../../engine/insight';
import { randomSource, simulateBetaGeoCustomer } from './simulate';

describe('RFM', () => {
	test('every R×F×M cell has a segment, and every segment is reachable', () => {
		const seen = new Set<string>();
		for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(segmentOf(r as Score, f as Score, m as Score));
		assert.deepEqual([...seen].sort(), Object.values(Segment).sort());
		assert.equal(SEGMENT_TABLE.length, 5);
		for (const row of SEGMENT_TABLE) assert.equal(row.length, 5);
	});

	test('pinned cells', () => {
		assert.equal(segmentOf(5, 5, 5), 'Champions');
		assert.equal(segmentOf(5, 1, 1), 'New');
		assert.equal(segmentOf(1, 5, 5), "Can't Lose Them");
		assert.equal(segmentOf(1, 1, 1), 'Lost');
		assert.equal(segmentOf(3, 3, 3), 'Need Attention');
	});

	test('ties share a score: a majority of one-order customers all get F = 1', () => {
		const orders = [1, 1, 1, 1, 1, 1, 2, 2, 5, 9];
		assert.deepEqual(quintileScores(orders), [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
	});

	test('scores are in 1..5, equal values score equally, larger never scores lower, order does not matter', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }), (values) => {
				const scores = quintileScores(values);
				const reversed = quintileScores([...values].reverse()).reverse();
				assert.deepEqual(scores, reversed);
				values.forEach((v, i) => {
					assert.ok(scores[i] >= 1 && scores[i] <= 5);
					values.forEach((w, j) => {
						if (v === w) assert.equal(scores[i], scores[j]);
						if (v > w) assert.ok(scores[i] >= scores[j]);
					});
				});
			}),
		);
	});

	test('recency is reversed: the most recent buyer scores highest', () => {
		const scores = rfmScores([
			{ customerId: 'recent', daysSinceLastOrder: 1, orders: 3, monetary: 100 },
			{ customerId: 'old', daysSinceLastOrder: 300, orders: 3, monetary: 100 },
		]);
		assert.ok(scores.get('recent')!.recency > scores.get('old')!.recency);
	});
});

describe('lifecycle', () => {
	const asOf = 1000;
	test("relative to the customer's own rhythm: a 90-day buyer is not at risk on day 40", () => {
		const quarterly = { customerId: 'q', firstDay: asOf - 40 - 360, lastDay: asOf - 40, previousDay: asOf - 130, orders: 5 };
		assert.equal(lifecycleStage(quarterly, asOf).stage, LifecycleStage.Loyal);
		const weekly = { customerId: 'w', firstDay: asOf - 40 - 28, lastDay: asOf - 40, previousDay: asOf - 47, orders: 5 };
		assert.equal(lifecycleStage(weekly, asOf).stage, LifecycleStage.Lapsed);
		assert.equal(lifecycleStage({ ...weekly, firstDay: asOf - 48, lastDay: asOf - 20, previousDay: asOf - 27 }, asOf).stage, LifecycleStage.AtRisk);
	});

	test('new, active, reactivated, and fixed thresholds', () => {
		assert.equal(lifecycleStage({ customerId: 'n', firstDay: asOf - 5, lastDay: asOf - 5, orders: 1 }, asOf).stage, LifecycleStage.New);
		assert.equal(lifecycleStage({ customerId: 'a', firstDay: asOf - 50, lastDay: asOf - 10, previousDay: asOf - 50, orders: 2 }, asOf).stage, LifecycleStage.Active);
		// Bought every 10 days, vanished for 200, came back yesterday.
		assert.equal(lifecycleStage({ customerId: 'r', firstDay: asOf - 221, lastDay: asOf - 1, previousDay: asOf - 201, orders: 4 }, asOf).stage, LifecycleStage.Reactivated);
		assert.equal(lifecycleStage({ customerId: 'f', firstDay: asOf - 100, lastDay: asOf - 100, orders: 1 }, asOf, { mode: 'fixed', atRiskDays: 60, lapsedDays: 120 }).stage, LifecycleStage.AtRisk);
	});
});

describe('value tier', () => {
	const rules = { highSpend: 1000, highOrders: 6, highCategories: 3, midSpend: 300, midOrders: 2 };
	test('spend, or frequency with diversity', () => {
		assert.equal(valueTier({ spend: 1500, orders: 1, categories: 1 }, rules), ValueTier.High);
		assert.equal(valueTier({ spend: 500, orders: 6, categories: 3 }, rules), ValueTier.High);
		assert.equal(valueTier({ spend: 500, orders: 6, categories: 1 }, rules), ValueTier.Mid);
		assert.equal(valueTier({ spend: 50, orders: 2, categories: 1 }, rules), ValueTier.Mid);
		assert.equal(valueTier({ spend: 50, orders: 1, categories: 1 }, rules), ValueTier.Occasional);
	});
});

describe('segmentCustomers', () => {
	test('a simulated shop gets the whole picture, with finite predictions', () => {
		const random = randomSource(11);
		const start = dayNumberOfDate('2025-01-01', 'start');
		const transactions = [];
		for (let c = 0; c < 400; c++) {
			const first = start + (c % 60);
			const h = simulateBetaGeoCustomer(random, { r: 0.5, alpha: 3, a: 0.8, b: 3 }, 30);
			const days = [first];
			for (let k = 1; k <= h.frequency; k++) days.push(first + Math.max(1, Math.round((h.recency * 7 * k) / h.frequency)));
			for (const d of new Set(days)) transactions.push({ customerId: `c${c}`, placedAt: new Date(d * 86_400_000).toISOString(), amount: 20 + (c % 7) * 5, category: c % 3 ? 'coffee' : 'tea' });
		}
		const activities = activityFromTransactions(transactions, '2025-09-01');
		const run = segmentCustomers(activities, { asOf: '2025-09-01' });
		assert.equal(run.customers.length, 400);
		assert.ok(run.models.transaction, run.models.fallbackReason);
		for (const c of run.customers) {
			assert.ok(c.pAlive !== null && c.pAlive >= 0 && c.pAlive <= 1);
			assert.ok(c.expectedOrders !== null && c.expectedOrders >= 0);
			assert.ok(c.clv === null || Number.isFinite(c.clv));
			assert.ok(c.nextOrderDate === null || c.nextOrderDate > '2025-09-01');
		}
	});

	test('a shop whose models cannot be fitted still gets rule-based segments, never NaN', () => {
		const activities = activityFromTransactions(
			Array.from({ length: 20 }, (_, i) => ({ customerId: `c${i}`, placedAt: `2025-03-${String(1 + i).padStart(2, '0')}`, amount: 10 + i })),
			'2025-06-01',
		);
		const run = segmentCustomers(activities, { asOf: '2025-06-01' });
		assert.match(run.models.fallbackReason ?? '', /BG\/NBD/);
		for (const c of run.customers) {
			assert.equal(c.pAlive, null);
			assert.ok(Object.values(LifecycleStage).includes(c.lifecycle));
		}
	});
});
