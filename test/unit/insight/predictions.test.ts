import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNbdFitter, expectedTimeToNextPurchase } from '../../../engine/insight';
import { gammaDraw, randomSource } from './simulate';

/*
 * The closed-form expectations checked against Monte Carlo draws from each model's own story,
 * which catches a wrong sign or index in an equation without relying on any published number.
 */
function monteCarlo(draws: number, simulate: (random: () => number) => number): number {
	const random = randomSource(7);
	let sum = 0;
	for (let i = 0; i < draws; i++) sum += simulate(random);
	return sum / draws;
}

function purchasesWhileAlive(random: () => number, lambda: number, horizon: number, dropAfterEach: number, dropAtStart: boolean): number {
	if (dropAtStart && random() < dropAfterEach) return 0;
	let t = 0;
	let count = 0;
	for (;;) {
		t += -Math.log(1 - random()) / lambda;
		if (t > horizon) return count;
		count++;
		if (random() < dropAfterEach) return count;
	}
}

const DRAWS = 200_000;

describe('expected purchases of a new customer match simulation', () => {
	const bg = { r: 0.8, alpha: 5, a: 1.5, b: 4 };
	test('BG/NBD E[X(t)]', () => {
		const simulated = monteCarlo(DRAWS, (random) => {
			const g = gammaDraw(random, bg.a, 1);
			return purchasesWhileAlive(random, gammaDraw(random, bg.r, bg.alpha), 30, g / (g + gammaDraw(random, bg.b, 1)), false);
		});
		const exact = new BetaGeoFitter().withParams(bg).expectedNumberOfPurchasesUpToTime(30);
		assert.ok(Math.abs(simulated - exact) / exact < 0.02, `${simulated} vs ${exact}`);
	});

	test('MBG/NBD E[X(t)]', () => {
		const simulated = monteCarlo(DRAWS, (random) => {
			const g = gammaDraw(random, bg.a, 1);
			return purchasesWhileAlive(random, gammaDraw(random, bg.r, bg.alpha), 30, g / (g + gammaDraw(random, bg.b, 1)), true);
		});
		const exact = new ModifiedBetaGeoFitter().withParams(bg).expectedNumberOfPurchasesUpToTime(30);
		assert.ok(Math.abs(simulated - exact) / exact < 0.02, `${simulated} vs ${exact}`);
	});

	test('Pareto/NBD E[X(t)]', () => {
		const params = { r: 0.8, alpha: 5, s: 1.5, beta: 20 };
		const simulated = monteCarlo(DRAWS, (random) => {
			const lambda = gammaDraw(random, params.r, params.alpha);
			const life = -Math.log(1 - random()) / gammaDraw(random, params.s, params.beta);
			return purchasesWhileAlive(random, lambda, Math.min(30, life), 0, false);
		});
		const exact = new ParetoNbdFitter().withParams(params).expectedNumberOfPurchasesUpToTime(30);
		assert.ok(Math.abs(simulated - exact) / exact < 0.02, `${simulated} vs ${exact}`);
	});
});

describe('extreme histories stay finite', () => {
	test('Pareto/NBD with hundreds of purchases neither overflows nor jumps', () => {
		// lifetimes' overflow and underflow cases.
		const heavy = { r: 3.0516, alpha: 10.465, s: 2.82, beta: 7.98565181e-3 };
		for (const [x, tx, T] of [[400, 5, 6], [500, 1, 37], [500, 4, 37]]) {
			const logA0 = ParetoNbdFitter.logA0(heavy, x, tx, T);
			assert.ok(Number.isFinite(logA0) && logA0 < 0, String(logA0));
		}
		const model = new ParetoNbdFitter().withParams({ r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 });
		const left = model.predict(10, 132, 200, 200);
		const right = model.predict(10, 133, 200, 200);
		assert.ok(Math.abs(left - 6.2060517889632418) < 1e-3 && Math.abs(right - 6.2528722475748113) < 1e-3, `${left} ${right}`);
	});
});

describe('conditional predictions', () => {
	const model = new BetaGeoFitter().withParams({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 });

	test('a frequent buyer gone quiet is less likely alive than one who just bought', () => {
		assert.ok(model.conditionalProbabilityAlive(10, 10, 38) < model.conditionalProbabilityAlive(10, 37, 38));
		assert.equal(model.conditionalProbabilityAlive(0, 0, 38), 1, 'BG/NBD calls every one-time buyer alive');
	});

	test('the next purchase is due when one more order is expected, and never for the gone', () => {
		const due = expectedTimeToNextPurchase(model, 26, 30.86, 31, 104);
		assert.ok(due !== undefined && due > 0 && due < 4, String(due));
		assert.ok(Math.abs(model.predict(due, 26, 30.86, 31) - 1) < 1e-3);
		assert.equal(expectedTimeToNextPurchase(model, 1, 1, 38, 104), undefined);
	});

	test('CLV discounts the expected spend of each period', () => {
		const spend = new GammaGammaFitter().withParams({ p: 6.25, q: 3.74, gamma: 15.44 });
		const history = { frequency: 26, recency: 30.86, T: 31, monetaryValue: 40 };
		const undiscounted = spend.customerLifetimeValue(model, history, { horizon: 52, periods: 12, discountRatePerPeriod: 0 });
		const expected = model.predict(52, 26, 30.86, 31) * spend.conditionalExpectedAverageProfit(26, 40);
		assert.ok(Math.abs(undiscounted - expected) < 1e-9);
		assert.ok(spend.customerLifetimeValue(model, history, { horizon: 52, periods: 12, discountRatePerPeriod: 0.01 }) < undiscounted);
		// Shrinkage: few repeats pull the expected spend toward the population mean pγ/(q − 1).
		const populationMean = (6.25 * 15.44) / 2.74;
		assert.ok(Math.abs(spend.conditionalExpectedAverageProfit(1, 100) - populationMean) < Math.abs(spend.conditionalExpectedAverageProfit(20, 100) - populationMean));
	});
});
