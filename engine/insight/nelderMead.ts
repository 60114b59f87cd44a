/**
 * Nelder–Mead simplex minimisation (Lagarias et al. 1998 coefficients). Derivative-free, which
 * suits likelihoods built from special functions whose gradients we would otherwise have to derive
 * and test for every model.
 */
export interface MinimizeResult {
	x: number[];
	value: number;
	iterations: number;
	converged: boolean;
}

export interface NelderMeadOptions {
	maxIterations?: number;
	/** Stop when the simplex's values differ by less than this and its vertices by less than `xTolerance`. */
	fTolerance?: number;
	xTolerance?: number;
	initialStep?: number;
}

export function nelderMead(f: (x: number[]) => number, start: readonly number[], options: NelderMeadOptions = {}): MinimizeResult {
	const n = start.length;
	const maxIterations = options.maxIterations ?? 400 * n;
	const fTolerance = options.fTolerance ?? 1e-10;
	const xTolerance = options.xTolerance ?? 1e-8;
	const step = options.initialStep ?? 0.5;
	// An infinite or NaN objective is treated as a wall the simplex must step back from.
	const value = (x: number[]): number => {
		const v = f(x);
		return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
	};
	let simplex: number[][] = [start.slice()];
	for (let i = 0; i < n; i++) {
		const vertex = start.slice();
		vertex[i] += step;
		simplex.push(vertex);
	}
	let values = simplex.map(value);
	let iterations = 0;
	for (; iterations < maxIterations; iterations++) {
		const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
		simplex = order.map((i) => simplex[i]);
		values = order.map((i) => values[i]);
		const best = values[0];
		const worst = values[n];
		let spread = 0;
		for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(simplex[i][j] - simplex[0][j]));
		if (Number.isFinite(worst) && Math.abs(worst - best) <= fTolerance * (1 + Math.abs(best)) && spread <= xTolerance) {
			return { x: simplex[0], value: best, iterations, converged: true };
		}
		const centroid = new Array<number>(n).fill(0);
		for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
		const along = (t: number): number[] => centroid.map((c, j) => c + t * (simplex[n][j] - c));
		const reflected = along(-1);
		const fr = value(reflected);
		if (fr < values[0]) {
			const expanded = along(-2);
			const fe = value(expanded);
			if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
			else [simplex[n], values[n]] = [reflected, fr];
			continue;
		}
		if (fr < values[n - 1]) {
			[simplex[n], values[n]] = [reflected, fr];
			continue;
		}
		const contracted = fr < values[n] ? along(-0.5) : along(0.5);
		const fc = value(contracted);
		if (fc < Math.min(fr, values[n])) {
			[simplex[n], values[n]] = [contracted, fc];
			continue;
		}
		for (let i = 1; i <= n; i++) {
			simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
			values[i] = value(simplex[i]);
		}
	}
	const bestIndex = values.indexOf(Math.min(...values));
	return { x: simplex[bestIndex], value: values[bestIndex], iterations, converged: false };
}
