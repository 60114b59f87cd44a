import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BetaGeoFitter, lgamma, logAddExp, logBeta, logHyp2f1, logSubExp, logSumExp, nelderMead } from '../../../engine/insight';

describe('special functions', () => {
	test('lgamma matches factorials and Γ(1/2) = √π', () => {
		let factorial = 1;
		for (let n = 1; n <= 30; n++) {
			assert.ok(Math.abs(lgamma(n) - Math.log(factorial)) < 1e-10 * Math.max(1, Math.log(factorial)), `lgamma(${n})`);
			factorial *= n;
		}
		assert.ok(Math.abs(lgamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-13);
		assert.ok(Number.isNaN(lgamma(0)));
	});

	test('lgamma satisfies Γ(x + 1) = x Γ(x)', () => {
		fc.assert(fc.property(fc.double({ min: 1e-4, max: 1e4, noNaN: true }), (x) => Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x)) < 1e-9 * Math.max(1, Math.abs(lgamma(x + 1)))));
	});

	test('logBeta is symmetric and B(1, b) = 1/b', () => {
		fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (a, b) => Math.abs(logBeta(a, b) - logBeta(b, a)) < 1e-9));
		assert.ok(Math.abs(logBeta(1, 7) + Math.log(7)) < 1e-12);
	});

	test('log-space sums do not overflow', () => {
		assert.equal(logAddExp(1000, 1000), 1000 + Math.log(2));
		assert.ok(Math.abs(logSumExp([-1000, -1000, -1000]) - (-1000 + Math.log(3))) < 1e-12);
		assert.ok(Math.abs(logSubExp(Math.log(5), Math.log(3)) - Math.log(2)) < 1e-12);
		assert.equal(logSubExp(2, 2), Number.NEGATIVE_INFINITY);
	});

	test('2F1 matches closed forms', () => {
		// 2F1(1, 1; 2; z) = −ln(1 − z)/z; 2F1(a, b; b; z) = (1 − z)^−a.
		for (const z of [0.01, 0.3, 0.5, 0.9, 0.99]) {
			assert.ok(Math.abs(Math.exp(logHyp2f1(1, 1, 2, z)) - -Math.log1p(-z) / z) < 1e-10, `z=${z}`);
			assert.ok(Math.abs(logHyp2f1(2.5, 3, 3, z) - -2.5 * Math.log1p(-z)) < 1e-10, `z=${z}`);
		}
		assert.equal(logHyp2f1(3, 4, 5, 0), 0);
		assert.throws(() => logHyp2f1(1, 1, 2, 1), RangeError);
	});
});

describe('fitting skeleton', () => {
	test('Nelder–Mead finds the minimum of the Rosenbrock valley', () => {
		const result = nelderMead(([x, y]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, [-1.2, 1], { maxIterations: 5000 });
		assert.ok(result.converged);
		assert.ok(Math.abs(result.x[0] - 1) < 1e-3 && Math.abs(result.x[1] - 1) < 1e-3, JSON.stringify(result.x));
	});

	test('predicting before fitting throws "model has not been fit"', () => {
		const model = new BetaGeoFitter();
		assert.equal(model.isFitted, false);
		assert.throws(() => model.predict(10, 1, 5, 10), /model has not been fit/);
		assert.throws(() => model.params, /model has not been fit/);
	});

	test('adopting parameters refuses non-positive values', () => {
		assert.throws(() => new BetaGeoFitter().withParams({ r: 1, alpha: -1, a: 1, b: 1 }), /alpha/);
	});

	test('data no model can identify is a ConvergenceError, never NaN', () => {
		// Everyone bought once and no one came back: the purchase rate runs to zero.
		const histories = Array.from({ length: 50 }, () => ({ frequency: 0, recency: 0, T: 30 }));
		assert.throws(() => new BetaGeoFitter().fit(histories), (error: Error) => error.name === 'ConvergenceError' && /BG\/NBD/.test(error.message));
	});

	test('broken histories are refused with the field that is wrong', () => {
		assert.throws(() => new BetaGeoFitter().fit([{ frequency: 1, recency: 5, T: 3 }]), /\.T: must be >= recency/);
		assert.throws(() => new BetaGeoFitter().fit([{ frequency: 1.5, recency: 2, T: 3 }]), /\.frequency/);
		assert.throws(() => new BetaGeoFitter().fit([{ frequency: 0, recency: 2, T: 3 }]), /recency: must be 0 when frequency is 0/);
		assert.throws(() => new BetaGeoFitter().fit([]), /no customers/);
	});
});
