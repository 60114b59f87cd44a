/**
 * Special functions the likelihoods need, all in log space so that customers with many orders or
 * long histories never overflow. No numeric dependency is installed; these are written from the
 * textbook formulas.
 */

// Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients): about 15 significant digits.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
	-0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection covers 0 < x < 0.5, where the approximation loses accuracy). */
export function lgamma(x: number): number {
	if (!(x > 0)) return Number.NaN;
	if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
	const z = x - 1;
	let sum = LANCZOS_COEFFICIENTS[0];
	for (let i = 1; i < LANCZOS_G + 2; i++) sum += LANCZOS_COEFFICIENTS[i] / (z + i);
	const t = z + LANCZOS_G + 0.5;
	return LOG_SQRT_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
	return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
	if (a === Number.NEGATIVE_INFINITY) return b;
	if (b === Number.NEGATIVE_INFINITY) return a;
	const max = Math.max(a, b);
	return max + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** ln(e^a − e^b) for a ≥ b; −∞ when they are equal. */
export function logSubExp(a: number, b: number): number {
	if (b === Number.NEGATIVE_INFINITY) return a;
	if (b > a) return Number.NaN;
	if (b === a) return Number.NEGATIVE_INFINITY;
	return a + Math.log(-Math.expm1(b - a));
}

/** ln Σ e^{values[i]}. */
export function logSumExp(values: readonly number[]): number {
	let max = Number.NEGATIVE_INFINITY;
	for (const v of values) if (v > max) max = v;
	if (max === Number.NEGATIVE_INFINITY) return max;
	let sum = 0;
	for (const v of values) sum += Math.exp(v - max);
	return max + Math.log(sum);
}

const HYP2F1_MAX_TERMS = 1_000_000;
const HYP2F1_TOLERANCE = 1e-15;

/**
 * ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1: the case both buy-till-you-die models need
 * (Pareto/NBD's A₀, BG/NBD's expected purchases). Every term of the Gauss series is positive there,
 * so it is summed without cancellation, rescaled so it stays finite, and stopped once the tail is
 * bounded below 1e-15 of the sum. Its cost grows like 1/(1 − z); the Euler and Pfaff transformations
 * would either turn terms negative or slow the series in this parameter range, so they are not used.
 * A series that does not converge is an error, never a silent NaN.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
	if (!(z >= 0 && z < 1) || !(a > 0 && b > 0 && c > 0)) throw new RangeError(`hyp2f1 is implemented for a, b, c > 0 and 0 <= z < 1 (got a=${a}, b=${b}, c=${c}, z=${z})`);
	if (z === 0) return 0;
	return logHyp2f1Series(a, b, c, z);
}

function logHyp2f1Series(a: number, b: number, c: number, z: number): number {
	// Terms are accumulated relative to a running scale, rescaled whenever a term outgrows it.
	let logScale = 0;
	let term = 1;
	let sum = 1;
	// The ratio of term n+1 to term n: computed once, it is both the next multiplier and the tail bound.
	let ratio = ((a * b) / c) * z;
	for (let n = 0; n < HYP2F1_MAX_TERMS; n++) {
		term *= ratio;
		sum += term;
		if (sum > 1e250) {
			logScale += Math.log(sum);
			term /= sum;
			sum = 1;
		}
		ratio = ((a + n + 1) * (b + n + 1)) / ((c + n + 1) * (n + 2)) * z;
		// Once the ratio of successive terms is below 1 the tail is bounded by a geometric series.
		if (ratio < 1 && term / (1 - ratio) <= HYP2F1_TOLERANCE * sum) return logScale + Math.log(sum);
	}
	throw new RangeError(`hyp2f1 series did not converge (a=${a}, b=${b}, c=${c}, z=${z})`);
}
