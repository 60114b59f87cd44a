import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newcombeDifferenceInterval, normalCdf, normalQuantile, sampleSizePerArm, waldDifferenceInterval, wilsonInterval } from '../../../engine';

const close = (actual: number, expected: number, digits = 4) =>
	assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -digits, `${actual} is not ${expected} to ${digits} decimals`);

describe('normal quantile', () => {
	test('matches the printed table values', () => {
		close(normalQuantile(0.975), 1.959964, 6);
		close(normalQuantile(0.95), 1.644854, 6);
		close(normalQuantile(0.8), 0.841621, 6);
		close(normalQuantile(0.5), 0, 9);
		close(normalQuantile(0.025), -1.959964, 6);
		close(normalQuantile(1e-10), -6.361341, 6);
	});
	test('is the inverse of the CDF over the whole range', () => {
		for (const p of [1e-12, 1e-6, 0.001, 0.02425, 0.1, 0.3, 0.7, 0.97575, 0.999, 1 - 1e-9]) close(normalCdf(normalQuantile(p)) / p, 1, 9);
	});
	test('refuses 0 and 1', () => {
		assert.throws(() => normalQuantile(0), RangeError);
		assert.throws(() => normalQuantile(1), RangeError);
	});
});

describe('Wilson score interval (Newcombe 1998, Stat Med 17:857, Table I, method 3)', () => {
	for (const [x, n, low, high] of [
		[81, 263, 0.2553, 0.3662],
		[15, 148, 0.0624, 0.1605],
		[0, 20, 0, 0.1611],
		[1, 29, 0.0061, 0.1718],
	] as const) {
		test(`${x}/${n}`, () => {
			const i = wilsonInterval(x, n);
			close(i.low, low);
			close(i.high, high);
		});
	}
});

describe("difference of proportions: Newcombe's hybrid score interval (Newcombe 1998, Stat Med 17:873, Table II, method 10)", () => {
	for (const [x1, n1, x2, n2, low, high] of [
		[56, 70, 48, 80, 0.0524, 0.3339],
		[9, 10, 3, 10, 0.1705, 0.809],
		[6, 7, 2, 7, 0.0582, 0.8062],
		[5, 56, 0, 29, -0.0381, 0.1926],
		[0, 10, 0, 20, -0.1611, 0.2775],
		[10, 10, 0, 20, 0.6791, 1],
	] as const) {
		test(`${x1}/${n1} − ${x2}/${n2}`, () => {
			const i = newcombeDifferenceInterval(x1, n1, x2, n2);
			close(i.low, low);
			close(i.high, high);
		});
	}
	test("Wald (method 1) for the first example is 0.0575 to 0.3425 (narrower than Newcombe's at the low end)", () => {
		const w = waldDifferenceInterval(56, 70, 48, 80);
		close(w.low, 0.0575);
		close(w.high, 0.3425);
	});
});

describe('sample size per arm, two proportions, α = 0.05 two-sided, 80% power', () => {
	test('textbook values (Fleiss, Levin & Paik, without continuity correction)', () => {
		assert.equal(sampleSizePerArm(0.1, 0.15), 686);
		assert.equal(sampleSizePerArm(0.5, 0.55), 1565);
		assert.equal(sampleSizePerArm(0.2, 0.25), 1094);
	});

	test('a simulation confirms the power: 686 per arm detects 10% → 15% about 80% of the time', () => {
		// An independent check: draw both arms many times (seeded) and count how often a pooled
		// two-proportion z test rejects at α = 0.05.
		let seed = 12345;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			return seed / 2 ** 31;
		};
		const n = sampleSizePerArm(0.1, 0.15);
		const draws = 2000;
		let rejected = 0;
		for (let d = 0; d < draws; d++) {
			let a = 0;
			let b = 0;
			for (let i = 0; i < n; i++) {
				if (random() < 0.1) a++;
				if (random() < 0.15) b++;
			}
			const pooled = (a + b) / (2 * n);
			const z = (b / n - a / n) / Math.sqrt(pooled * (1 - pooled) * (2 / n));
			if (Math.abs(z) > 1.959964) rejected++;
		}
		const power = rejected / draws;
		assert.ok(power > 0.76 && power < 0.84, `simulated power ${power}`);
	});

	test('refuses equal proportions', () => {
		assert.throws(() => sampleSizePerArm(0.1, 0.1), RangeError);
	});
});
