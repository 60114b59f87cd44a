/**
 * The statistics behind the dashboard's experiment verdicts, written out so they can be checked
 * against textbook values (see docs/dashboard-statistics.md and test/unit/report/stats.test.ts).
 */

/**
 * The standard normal quantile (inverse CDF), Acklam's rational approximation refined by one
 * Halley step against an erfc-based CDF: accurate to about 1e-12 over (0, 1).
 */
export function normalQuantile(p: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
	const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
	const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
	const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
	const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
	const low = 0.02425;
	let x: number;
	if (p < low) {
		const q = Math.sqrt(-2 * Math.log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - low) {
		const q = p - 0.5;
		const r = q * q;
		x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		const q = Math.sqrt(-2 * Math.log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	// One Halley step.
	const e = normalCdf(x) - p;
	const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
	return x - u / (1 + (x * u) / 2);
}

/** The standard normal CDF, Φ(x) = erfc(−x/√2)/2. */
export function normalCdf(x: number): number {
	return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Complementary error function: 1 − erf by its Taylor series for |x| < 3, and Lentz's evaluation
 * of the continued fraction for erfc beyond, both run to double precision.
 */
function erfc(x: number): number {
	const ax = Math.abs(x);
	let result: number;
	if (ax < 3) {
		// erf by its Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
		let sum = 0;
		let term = ax;
		for (let n = 0; n < 200; n++) {
			const add = term / (2 * n + 1);
			sum += add;
			if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
			term *= (-ax * ax) / (n + 1);
		}
		result = 1 - (2 / Math.sqrt(Math.PI)) * sum;
	} else {
		// Continued fraction (Lentz) for erfc(x), x > 0.
		let f = ax;
		let C = ax;
		let D = 0;
		for (let n = 1; n < 300; n++) {
			const an = n / 2;
			D = ax + an * D;
			D = D === 0 ? 1e-300 : 1 / D;
			C = ax + an / C;
			if (C === 0) C = 1e-300;
			const delta = C * D;
			f *= delta;
			if (Math.abs(delta - 1) < 1e-16) break;
		}
		result = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
	}
	return x >= 0 ? result : 2 - result;
}

export interface Interval {
	low: number;
	high: number;
}

/** Wilson's score interval for one proportion x/n (Wilson 1927; Newcombe 1998 method 3). */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
	if (n <= 0) return { low: 0, high: 1 };
	const z = normalQuantile(1 - (1 - confidence) / 2);
	const p = x / n;
	const z2 = z * z;
	const centre = p + z2 / (2 * n);
	const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
	const denominator = 1 + z2 / n;
	return { low: Math.max(0, (centre - spread) / denominator), high: Math.min(1, (centre + spread) / denominator) };
}

/** The Wald interval for p1 − p2 (Newcombe 1998 method 1); shown only for comparison, it is too narrow for small samples. */
export function waldDifferenceInterval(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
	const z = normalQuantile(1 - (1 - confidence) / 2);
	const p1 = x1 / n1;
	const p2 = x2 / n2;
	const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
	return { low: p1 - p2 - z * se, high: p1 - p2 + z * se };
}

/**
 * Newcombe's hybrid score interval for a difference of two independent proportions p1 − p2
 * (Newcombe 1998, "Interval estimation for the difference between independent proportions",
 * Statistics in Medicine 17:873–890, method 10), built from each arm's Wilson interval. Good
 * coverage even with few conversions, and it never leaves [−1, 1].
 */
export function newcombeDifferenceInterval(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
	const p1 = x1 / n1;
	const p2 = x2 / n2;
	const a = wilsonInterval(x1, n1, confidence);
	const b = wilsonInterval(x2, n2, confidence);
	const d = p1 - p2;
	return {
		low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
		high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
	};
}

/**
 * Customers needed per arm to detect p2 − p1 with a two-sided test of two proportions at level
 * `alpha` and the given power (Fleiss, Levin & Paik, Statistical Methods for Rates and
 * Proportions, 3rd ed., eq. 4.14, without continuity correction):
 * n = [z(1−α/2)·√(2·p̄·q̄) + z(1−β)·√(p1·q1 + p2·q2)]² / (p2 − p1)², rounded up.
 */
export function sampleSizePerArm(p1: number, p2: number, alpha = 0.05, power = 0.8): number {
	if (p1 === p2) throw new RangeError('the two proportions must differ');
	const zA = normalQuantile(1 - alpha / 2);
	const zB = normalQuantile(power);
	const pBar = (p1 + p2) / 2;
	const numerator = zA * Math.sqrt(2 * pBar * (1 - pBar)) + zB * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
	return Math.ceil((numerator * numerator) / ((p2 - p1) * (p2 - p1)));
}
