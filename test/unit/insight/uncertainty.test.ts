import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { activityFromTransactions, certaintyOf, cholesky, dayNumberOfDate, drawParameterSets, quantile, segmentCustomers, type CustomerActivity, type CustomerInsight, type FittedModels } from '../../../engine/insight';
import { cdnowOrSkip, cdnowTransactions } from './referenceSample';
import { randomSource, simulateBetaGeoCustomer } from './simulate';

const cdnow = cdnowOrSkip();

function assertContains(c: CustomerInsight): void {
	const pairs: [string, number | null, number | null, number | null][] = [
		['pAlive', c.pAliveLow, c.pAlive, c.pAliveHigh],
		['expectedOrders', c.expectedOrdersLow, c.expectedOrders, c.expectedOrdersHigh],
		['clv', c.clvLow, c.clv, c.clvHigh],
	];
	for (const [name, low, point, high] of pairs) {
		assert.ok(low !== null && point !== null && high !== null, `${c.customerId} ${name}: ${low} ${point} ${high}`);
		assert.ok(low <= point && point <= high, `${c.customerId} ${name}: ${point} is not within ${low}–${high}`);
	}
}

const relativeWidth = (low: number | null, point: number | null, high: number | null): number => ((high as number) - (low as number)) / (point as number);

describe('CDNOW: how sure each customer prediction is', { skip: cdnow.skip }, () => {
	const activities = cdnow.dir ? activityFromTransactions(cdnowTransactions(cdnow.dir), '1997-09-30') : [];

	test('BG/NBD: every customer gets intervals around the point estimates; 26 repeats are "high", one order is "low"', () => {
		const run = segmentCustomers(activities, { asOf: '1997-09-30', model: 'bgnbd' });
		assert.equal(run.customers.length, 2357);
		assert.ok(run.models.transaction?.logCovariance, 'the CDNOW fit has a positive definite Hessian');
		for (const c of run.customers) assertContains(c);
		const regular = run.customers.find((c) => c.customerId === '1516')!;
		const once = run.customers.find((c) => c.customerId === '3')!;
		assert.equal(activities.find((a) => a.customerId === '1516')!.orders, 27, '26 repeat purchase days');
		assert.equal(activities.find((a) => a.customerId === '3')!.orders, 1);
		assert.equal(regular.certainty, 'high', regular.certaintyReason);
		assert.equal(once.certainty, 'low');
		assert.match(once.certaintyReason, /one purchase/);
		// BG/NBD lets nobody drop out before a repeat purchase, so a one-time buyer's P(alive) is 1
		// under every parameter draw: the label, not that zero width, says how little is known.
		assert.deepEqual([once.pAliveLow, once.pAlive, once.pAliveHigh], [1, 1, 1]);
		assert.ok(regular.pAliveHigh! - regular.pAliveLow! < 0.05, `${regular.pAliveLow}–${regular.pAliveHigh}`);
		assert.ok(
			relativeWidth(regular.expectedOrdersLow, regular.expectedOrders, regular.expectedOrdersHigh) < relativeWidth(once.expectedOrdersLow, once.expectedOrders, once.expectedOrdersHigh),
			'expected orders are known more tightly, relative to themselves, for the regular',
		);
	});

	test('Pareto/NBD: customer 1516 gets a narrower P(alive) interval and higher certainty than a one-time buyer', () => {
		const run = segmentCustomers(activities, { asOf: '1997-09-30', model: 'pareto-nbd' });
		for (const c of run.customers) assertContains(c);
		const regular = run.customers.find((c) => c.customerId === '1516')!;
		const once = run.customers.find((c) => c.customerId === '3')!;
		assert.ok(regular.pAliveHigh! - regular.pAliveLow! < (once.pAliveHigh! - once.pAliveLow!) / 5, `1516 ${regular.pAliveLow}–${regular.pAliveHigh} vs one-time ${once.pAliveLow}–${once.pAliveHigh}`);
		assert.equal(regular.certainty, 'high');
		assert.equal(once.certainty, 'low');
	});

	test('the same data and seed give the same intervals; another seed moves them only a little', () => {
		const few = activities.slice(0, 300);
		const fitted = segmentCustomers(activities, { asOf: '1997-09-30', uncertainty: { draws: 0 } }).models;
		const again = (seed?: number) => segmentCustomers(few, { asOf: '1997-09-30', fitted, uncertainty: seed === undefined ? {} : { seed } }).customers;
		assert.deepEqual(again(), again());
		const [one, other] = [again(), again(7)];
		assert.notDeepEqual(one, other);
		for (let i = 0; i < one.length; i++) {
			if (one[i].pAliveLow === 1) continue;
			assert.ok(Math.abs(one[i].pAliveLow! - other[i].pAliveLow!) < 0.02, `${one[i].customerId}: ${one[i].pAliveLow} vs ${other[i].pAliveLow}`);
		}
	});
});

/** A shop whose customers follow BG/NBD with known parameters, seen on 2026-01-01 after 26–52 weeks each. */
function simulatedShop(customers: number, seed: number): CustomerActivity[] {
	const random = randomSource(seed);
	const asOfDay = dayNumberOfDate('2026-01-01', 'asOf');
	const shop: CustomerActivity[] = [];
	for (let c = 0; c < customers; c++) {
		const weeks = 26 + Math.floor(random() * 27);
		const h = simulateBetaGeoCustomer(random, { r: 0.8, alpha: 5, a: 0.7, b: 3 }, weeks);
		const firstDay = asOfDay - weeks * 7;
		const lastDay = firstDay + (h.frequency > 0 ? Math.max(1, Math.round(h.recency * 7)) : 0);
		const repeatSpend = h.frequency * (2000 + Math.floor(random() * 3000));
		shop.push({ customerId: `s${c}`, firstDay, lastDay, previousDay: h.frequency > 0 ? firstDay : undefined, orders: h.frequency + 1, totalSpend: 2500 + repeatSpend, repeatSpend, categories: 1 });
	}
	// The same probe customer in every shop: 3 repeat orders, the last 6 weeks ago, first 40 weeks ago.
	shop.push({ customerId: 'probe', firstDay: asOfDay - 280, lastDay: asOfDay - 42, previousDay: asOfDay - 100, orders: 4, totalSpend: 10_000, repeatSpend: 7500, categories: 1 });
	return shop;
}

test('a 50-customer shop gets wider intervals than a 2,000-customer one with the same buying pattern', () => {
	const small = segmentCustomers(simulatedShop(50, 11), { asOf: '2026-01-01' });
	const large = segmentCustomers(simulatedShop(2000, 11), { asOf: '2026-01-01' });
	for (const run of [small, large]) assert.ok(run.models.transaction?.logCovariance, `fitted with a covariance: ${run.models.fallbackReason}`);
	const probe = (run: typeof small) => run.customers.find((c) => c.customerId === 'probe')!;
	const [s, l] = [probe(small), probe(large)];
	assertContains(s);
	assertContains(l);
	assert.ok(s.pAliveHigh! - s.pAliveLow! > 2 * (l.pAliveHigh! - l.pAliveLow!), `P(alive) ${s.pAliveLow}–${s.pAliveHigh} vs ${l.pAliveLow}–${l.pAliveHigh}`);
	assert.ok(relativeWidth(s.expectedOrdersLow, s.expectedOrders, s.expectedOrdersHigh) > 2 * relativeWidth(l.expectedOrdersLow, l.expectedOrders, l.expectedOrdersHigh));
	assert.ok(relativeWidth(s.clvLow, s.clv, s.clvHigh) > relativeWidth(l.clvLow, l.clv, l.clvHigh));
	const medianWidth = (run: typeof small): number => {
		const widths = run.customers.filter((c) => c.pAliveLow !== null && c.pAliveLow < 1).map((c) => c.pAliveHigh! - c.pAliveLow!).sort((a, b) => a - b);
		return widths[widths.length >> 1];
	};
	assert.ok(medianWidth(small) > medianWidth(large), `median P(alive) width ${medianWidth(small)} vs ${medianWidth(large)}`);
	const sure = (run: typeof small) => run.customers.filter((c) => c.certainty === 'high').length / run.customers.length;
	assert.ok(sure(small) < sure(large), `share labelled high: ${sure(small)} vs ${sure(large)}`);
});

test('when the fit falls back to rule-based lifecycle, every customer is "low" and says why', () => {
	const asOfDay = dayNumberOfDate('2026-01-01', 'asOf');
	const oneOrderEach: CustomerActivity[] = [0, 1, 2].map((i) => ({ customerId: `o${i}`, firstDay: asOfDay - 10 * i, lastDay: asOfDay - 10 * i, orders: 1, totalSpend: 1000, repeatSpend: 0, categories: 0 }));
	const run = segmentCustomers(oneOrderEach, { asOf: '2026-01-01' });
	assert.ok(run.models.fallbackReason);
	for (const c of run.customers) {
		assert.equal(c.certainty, 'low');
		assert.ok(c.certaintyReason.includes('rule-based') && c.certaintyReason.includes(run.models.fallbackReason!), c.certaintyReason);
		assert.deepEqual([c.pAliveLow, c.pAliveHigh, c.expectedOrdersLow, c.expectedOrdersHigh, c.clvLow, c.clvHigh], [null, null, null, null, null, null]);
	}
});

test('a model saved without its covariance gives no intervals, and says the fit cannot tell', () => {
	const shop = simulatedShop(300, 5);
	const fitted = segmentCustomers(shop, { asOf: '2026-01-01', uncertainty: { draws: 0 } }).models;
	// As a model saved before migration 201 comes back from the store: no covariance.
	const transaction = { ...fitted.transaction!, logCovariance: undefined };
	const run = segmentCustomers(shop, { asOf: '2026-01-01', fitted: { ...fitted, transaction } });
	const probe = run.customers.find((c) => c.customerId === 'probe')!;
	assert.ok(probe.pAlive !== null && probe.pAliveLow === null && probe.clvHigh === null);
	assert.equal(probe.certainty, 'low');
	assert.match(probe.certaintyReason, /cannot say how sure/);
});

const MODELS: { model: 'bgnbd' | 'pareto-nbd' | 'mbgnbd'; params: Record<string, number> }[] = [
	{ model: 'bgnbd', params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } },
	{ model: 'pareto-nbd', params: { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 } },
	{ model: 'mbgnbd', params: { r: 0.525, alpha: 6.18, a: 0.891, b: 1.614 } },
];

test('property: low <= point <= high for random histories, models and parameter uncertainty', () => {
	const asOfDay = dayNumberOfDate('2026-01-01', 'asOf');
	const history = fc
		.record({ age: fc.integer({ min: 0, max: 800 }), repeats: fc.integer({ min: 0, max: 40 }), lastAt: fc.double({ min: 0, max: 1, noNaN: true }), spend: fc.integer({ min: 1, max: 100_000 }) })
		.map(({ age, repeats, lastAt, spend }): Omit<CustomerActivity, 'customerId'> => {
			const x = age === 0 ? 0 : repeats;
			const lastDay = asOfDay - age + (x > 0 ? Math.max(1, Math.round(lastAt * age)) : 0);
			return { firstDay: asOfDay - age, lastDay, orders: x + 1, totalSpend: spend * (x + 1), repeatSpend: spend * x, categories: 0 };
		});
	fc.assert(
		fc.property(fc.constantFrom(...MODELS), fc.double({ min: 1e-4, max: 0.5, noNaN: true }), fc.double({ min: -0.9, max: 0.9, noNaN: true }), fc.array(history, { minLength: 1, maxLength: 8 }), fc.integer(), (chosen, variance, correlation, histories, seed) => {
			// A covariance with one correlated pair, as fits have (BG/NBD's a and b move together).
			const covariance = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? variance : (i === 2 && j === 3) || (i === 3 && j === 2) ? correlation * variance : 0)));
			const fitted: FittedModels = {
				transaction: { model: chosen.model, params: chosen.params, logLikelihood: 0, customers: 100, logCovariance: covariance },
				spend: { params: { p: 6.25, q: 3.74, gamma: 15.44 }, logLikelihood: 0, customers: 50, logCovariance: [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? variance : 0))) },
			};
			const activities = histories.map((h, i) => ({ customerId: `p${i}`, ...h }));
			const run = segmentCustomers(activities, { asOf: '2026-01-01', fitted, uncertainty: { draws: 40, seed } });
			for (const c of run.customers) {
				for (const [low, point, high] of [
					[c.pAliveLow, c.pAlive, c.pAliveHigh],
					[c.expectedOrdersLow, c.expectedOrders, c.expectedOrdersHigh],
					[c.clvLow, c.clv, c.clvHigh],
				]) {
					if (low === null || high === null) continue;
					assert.ok(point !== null && low <= point && point <= high, `${chosen.model} ${JSON.stringify(c)}`);
				}
				assert.ok(['high', 'medium', 'low'].includes(c.certainty));
			}
		}),
		{ numRuns: 150 },
	);
});

describe('the pieces', () => {
	test('draws follow the covariance they were asked for', () => {
		const covariance = [
			[0.04, 0.03],
			[0.03, 0.09],
		];
		const sets = drawParameterSets(['u', 'v'] as const, { u: 2, v: 5 }, covariance, 20_000, 1)!;
		const logs = sets.map((s) => [Math.log(s.u) - Math.log(2), Math.log(s.v) - Math.log(5)]);
		const mean = (f: (row: number[]) => number) => logs.reduce((sum, row) => sum + f(row), 0) / logs.length;
		assert.ok(Math.abs(mean((r) => r[0])) < 0.005 && Math.abs(mean((r) => r[1])) < 0.008);
		assert.ok(Math.abs(mean((r) => r[0] * r[0]) - 0.04) < 0.002);
		assert.ok(Math.abs(mean((r) => r[1] * r[1]) - 0.09) < 0.004);
		assert.ok(Math.abs(mean((r) => r[0] * r[1]) - 0.03) < 0.002);
		assert.equal(drawParameterSets(['u', 'v'] as const, { u: 2, v: 5 }, [[1, 2], [2, 1]], 10, 1), undefined, 'not positive definite');
		assert.equal(cholesky([[0, 0], [0, 1]]), undefined);
	});

	test('quantile by selection equals the sorted-order definition', () => {
		fc.assert(
			fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => {
				const sorted = [...values].sort((a, b) => a - b);
				const at = (sorted.length - 1) * p;
				const below = Math.floor(at);
				const expected = sorted[below] + (at - below) * (sorted[Math.min(below + 1, sorted.length - 1)] - sorted[below]);
				assert.ok(Math.abs(quantile(Float64Array.from(values), p) - expected) <= 1e-9 * (1 + Math.abs(expected)));
			}),
		);
	});

	test('the certainty rule, case by case', () => {
		const narrow = { pAlive: 0.8, pAliveInterval: { low: 0.77, high: 0.83 }, expectedOrders: 2, expectedOrdersInterval: { low: 1.8, high: 2.3 } };
		assert.equal(certaintyOf({ repeatOrders: 3, ...narrow }).certainty, 'high');
		assert.equal(certaintyOf({ repeatOrders: 2, ...narrow }).certainty, 'medium', 'too few repeat orders of their own');
		assert.equal(certaintyOf({ repeatOrders: 0, ...narrow }).certainty, 'low');
		assert.equal(certaintyOf({ repeatOrders: 9, ...narrow, pAliveInterval: { low: 0.6, high: 0.95 } }).certainty, 'low', 'P(alive) range wider than 30 points');
		assert.equal(certaintyOf({ repeatOrders: 9, ...narrow, pAliveInterval: { low: 0.7, high: 0.85 } }).certainty, 'medium');
		assert.equal(certaintyOf({ repeatOrders: 9, ...narrow, expectedOrdersInterval: { low: 0.5, high: 4 } }).certainty, 'low', 'expected orders uncertain by more than 150%');
		assert.equal(certaintyOf({ repeatOrders: 9, ...narrow, pAliveInterval: undefined }).certainty, 'low');
		assert.equal(certaintyOf({ repeatOrders: 9, pAlive: null, expectedOrders: null }).certainty, 'low');
		assert.match(certaintyOf({ repeatOrders: 3, ...narrow }).reason, /3 repeat orders and a narrow range \(P\(alive\) range 77%–83%/);
	});
});
