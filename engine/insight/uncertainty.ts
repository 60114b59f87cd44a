/**
 * How sure a prediction is, from how sure the fit is. A maximum-likelihood fit on few customers
 * pins its parameters down loosely; the inverse Hessian at the optimum (in ln-parameter space,
 * where the fitter works) says how loosely. Parameter sets are drawn from that approximate normal,
 * each customer's predictions are evaluated under every set, and the spread of the results is the
 * interval. The draws come from a seeded generator and are shared by every customer, so a
 * customer's interval is repeatable and does not depend on who else is scored with them.
 */

/** The share of draws an interval spans: 80% (the 10th to the 90th percentile). */
export const INTERVAL_LEVEL = 0.8;

/** Draws per run. 200 puts the 10th/90th percentiles within about ±2 percentile points. */
export const DEFAULT_DRAWS = 200;
export const DEFAULT_SEED = 20_250_601;

export const CERTAINTY_LEVELS = ['high', 'medium', 'low'] as const;
export type Certainty = (typeof CERTAINTY_LEVELS)[number];

/** mulberry32: small, fast and good enough for Monte Carlo; the same seed gives the same draws everywhere. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Box–Muller; 1 − u keeps the logarithm finite. */
function standardNormal(random: () => number): number {
	return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Lower-triangular L with L Lᵀ = matrix; undefined when the matrix is not positive definite. */
export function cholesky(matrix: readonly (readonly number[])[]): number[][] | undefined {
	const n = matrix.length;
	const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
	for (let i = 0; i < n; i++) {
		for (let j = 0; j <= i; j++) {
			let sum = matrix[i][j];
			for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
			if (i === j) {
				if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
				l[i][i] = Math.sqrt(sum);
			} else l[i][j] = sum / l[j][j];
		}
	}
	return l;
}

/**
 * `draws` parameter sets from N(ln θ̂, logCovariance), back in natural units. `accept` rejects sets
 * a prediction cannot use (e.g. Gamma-Gamma's q ≤ 1, an unbounded mean spend): the draws are then
 * from the normal conditioned on it, and fewer than `draws` come back when it rejects most.
 * Undefined when the covariance is not positive definite (the fit cannot say how sure it is).
 */
export function drawParameterSets<Name extends string>(
	names: readonly Name[],
	params: Readonly<Record<Name, number>>,
	logCovariance: readonly (readonly number[])[],
	draws: number,
	seed: number,
	accept: (set: Record<Name, number>) => boolean = () => true,
): Record<Name, number>[] | undefined {
	if (logCovariance.length !== names.length || logCovariance.some((row) => row.length !== names.length)) return undefined;
	const l = cholesky(logCovariance);
	if (!l) return undefined;
	const random = seededRandom(seed);
	const centre = names.map((n) => Math.log(params[n]));
	const sets: Record<Name, number>[] = [];
	for (let attempt = 0; attempt < draws * 4 && sets.length < draws; attempt++) {
		const z = names.map(() => standardNormal(random));
		const set = Object.fromEntries(names.map((n, i) => [n, Math.exp(centre[i] + l[i].reduce((sum, v, k) => sum + v * z[k], 0))])) as Record<Name, number>;
		if (names.every((n) => Number.isFinite(set[n]) && set[n] > 0) && accept(set)) sets.push(set);
	}
	return sets;
}

/**
 * The interval spanning `level` of the finite values (reordered in place), widened to include
 * `point`: with few draws or a skewed prediction the estimate can sit just outside its own
 * percentiles, and an interval that leaves out the number shown beside it would only confuse.
 */
export function intervalAround(values: Float64Array, point: number, level = INTERVAL_LEVEL): { low: number; high: number } | undefined {
	let finite = 0;
	for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) values[finite++] = values[i];
	// Half the draws failing says the prediction is unstable here, not that it is sure.
	if (finite < Math.max(10, values.length / 2) || !Number.isFinite(point)) return undefined;
	const kept = values.subarray(0, finite);
	const tail = (1 - level) / 2;
	return { low: Math.min(point, quantile(kept, tail)), high: Math.max(point, quantile(kept, 1 - tail)) };
}

/**
 * Linear interpolation between order statistics (type 7, the default of R and NumPy), found by
 * selection rather than a sort: this runs once per distinct history, and two quantiles of a few
 * hundred draws do not need the whole order.
 */
export function quantile(values: Float64Array, p: number): number {
	const at = (values.length - 1) * p;
	const below = Math.floor(at);
	const lower = select(values, below);
	if (at === below) return lower;
	// After selection everything right of `below` is at least its value: the next statistic is their minimum.
	let upper = Number.POSITIVE_INFINITY;
	for (let i = below + 1; i < values.length; i++) if (values[i] < upper) upper = values[i];
	return lower + (at - below) * (upper - lower);
}

/** Hoare's quickselect: the k-th smallest (0-based), leaving smaller values left of k and larger right. */
function select(values: Float64Array, k: number): number {
	let left = 0;
	let right = values.length - 1;
	while (right > left) {
		// Median of three as the pivot keeps sorted or reversed input linear.
		const mid = (left + right) >> 1;
		const pivot = Math.max(Math.min(values[left], values[mid]), Math.min(Math.max(values[left], values[mid]), values[right]));
		let i = left;
		let j = right;
		while (i <= j) {
			while (values[i] < pivot) i++;
			while (values[j] > pivot) j--;
			if (i <= j) {
				const swap = values[i];
				values[i] = values[j];
				values[j] = swap;
				i++;
				j--;
			}
		}
		if (k <= j) right = j;
		else if (k >= i) left = i;
		else break;
	}
	return values[k];
}

export interface CertaintyInput {
	/** Purchase days after the first. */
	repeatOrders: number;
	pAlive: number | null;
	pAliveInterval?: { low: number; high: number };
	expectedOrders: number | null;
	expectedOrdersInterval?: { low: number; high: number };
}

// The rule, in plain words: "high" needs at least HIGH_REPEATS repeat orders of the customer's own
// and a P(alive) range at most HIGH_P_ALIVE_WIDTH wide with expected orders known to within
// HIGH_RELATIVE_WIDTH of themselves; a single purchase, a P(alive) range wider than
// LOW_P_ALIVE_WIDTH, or expected orders uncertain by more than LOW_RELATIVE_WIDTH of themselves is
// "low"; everything between is "medium".
export const CERTAINTY_RULE = {
	highRepeats: 3,
	highPAliveWidth: 0.1,
	highRelativeWidth: 0.5,
	lowPAliveWidth: 0.3,
	lowRelativeWidth: 1.5,
} as const;

/** Below this many expected orders, a range is judged against this floor: 0.01 vs 0.03 orders is not a "300%" doubt. */
const EXPECTED_ORDERS_FLOOR = 0.25;

/** The label and why, for a shop owner: see CERTAINTY_RULE. */
export function certaintyOf(input: CertaintyInput): { certainty: Certainty; reason: string } {
	const { repeatOrders } = input;
	const orders = repeatOrders === 1 ? '1 repeat order' : `${repeatOrders} repeat orders`;
	if (input.pAlive === null || input.expectedOrders === null) return { certainty: 'low', reason: 'no prediction for this customer' };
	if (!input.pAliveInterval || !input.expectedOrdersInterval) return { certainty: 'low', reason: 'the fitted model cannot say how sure it is (fit the models again)' };
	const pAliveWidth = input.pAliveInterval.high - input.pAliveInterval.low;
	const relativeWidth = (input.expectedOrdersInterval.high - input.expectedOrdersInterval.low) / Math.max(input.expectedOrders, EXPECTED_ORDERS_FLOOR);
	const ranges = `P(alive) range ${percent(input.pAliveInterval.low)}–${percent(input.pAliveInterval.high)}, expected orders ±${percent(relativeWidth / 2)}`;
	if (repeatOrders === 0) return { certainty: 'low', reason: `one purchase so far: the prediction is the shop's pattern, not the customer's own (${ranges})` };
	if (pAliveWidth > CERTAINTY_RULE.lowPAliveWidth || relativeWidth > CERTAINTY_RULE.lowRelativeWidth) return { certainty: 'low', reason: `${orders}, but a wide range (${ranges})` };
	if (repeatOrders >= CERTAINTY_RULE.highRepeats && pAliveWidth <= CERTAINTY_RULE.highPAliveWidth && relativeWidth <= CERTAINTY_RULE.highRelativeWidth) return { certainty: 'high', reason: `${orders} and a narrow range (${ranges})` };
	return { certainty: 'medium', reason: `${orders} (${ranges})` };
}

function percent(value: number): string {
	return `${Math.round(value * 100)}%`;
}
