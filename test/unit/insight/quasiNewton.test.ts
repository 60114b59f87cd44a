import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { quasiNewton } from '../../../engine/insight/quasiNewton';

describe('quasiNewton (BFGS, numerical gradient)', () => {
	test('finds the minimum of the Rosenbrock valley', () => {
		const rosenbrock = ([x, y]: number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
		const result = quasiNewton(rosenbrock, [-1.2, 1]);
		assert.ok(result.converged);
		assert.ok(Math.abs(result.x[0] - 1) < 1e-4 && Math.abs(result.x[1] - 1) < 1e-4, `${result.x}`);
	});

	test('any convex quadratic: converges to its centre', () => {
		fc.assert(
			fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 5 }), fc.array(fc.double({ min: 0.1, max: 1000, noNaN: true }), { minLength: 5, maxLength: 5 }), (centre, curvature) => {
				const f = (x: number[]): number => x.reduce((sum, v, i) => sum + curvature[i] * (v - centre[i]) ** 2, 0);
				const result = quasiNewton(f, centre.map(() => 0));
				assert.ok(result.converged);
				result.x.forEach((v, i) => assert.ok(Math.abs(v - centre[i]) < 1e-4, `x[${i}] = ${v}, centre ${centre[i]}`));
			}),
		);
	});

	test('an infinite region is a wall it stays out of, never a NaN', () => {
		// Minimum at x = 1, with everything below 0.5 undefined (as outside a parameter bound).
		const f = ([x]: number[]): number => (x < 0.5 ? Number.NaN : (x - 1) ** 2);
		const result = quasiNewton(f, [3]);
		assert.ok(result.converged);
		assert.ok(Math.abs(result.x[0] - 1) < 1e-5);
		assert.ok(Number.isFinite(result.value));
	});

	test('a start where the objective is not finite is reported as not converged', () => {
		const result = quasiNewton(() => Number.POSITIVE_INFINITY, [0, 0]);
		assert.equal(result.converged, false);
	});
});
