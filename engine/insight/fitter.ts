import { nelderMead, type MinimizeResult } from './nelderMead';
import { quasiNewton } from './quasiNewton';

/**
 * The shared skeleton of every maximum-likelihood model here (after `lifetimes`' BaseFitter): a
 * model supplies its parameter names, its negative log-likelihood and starting points; the
 * skeleton minimises in log-space (so every parameter stays positive), within bounds, from several
 * starts, and marks the fitted state. Anything that reads fitted state goes through `params`, which
 * throws until `fit` has succeeded.
 */

/** Raised when no start reaches a finite, converged optimum: callers fall back, never use NaN. */
export class ConvergenceError extends Error {
	readonly model: string;
	constructor(model: string, message: string) {
		super(`${model}: ${message}`);
		this.name = 'ConvergenceError';
		this.model = model;
	}
}

export class NotFittedError extends Error {
	constructor(model: string) {
		super(`${model}: model has not been fit`);
		this.name = 'NotFittedError';
	}
}

export interface FitOptions {
	/** Extra starting points, in the model's natural parameters. */
	starts?: readonly Record<string, number>[];
	maxIterations?: number;
}

export interface FitResult<Name extends string> {
	params: Readonly<Record<Name, number>>;
	logLikelihood: number;
	/** Number of customers (sum of weights) the model was fitted on. */
	customers: number;
	iterations: number;
	/**
	 * Asymptotic standard errors from the inverse of the observed information (the Hessian of
	 * −ln L, by central differences) — how sure the fit is. Undefined when the Hessian is not
	 * positive definite (a flat or saddle optimum), which itself says the data identify the model poorly.
	 */
	standardErrors?: Readonly<Record<Name, number>>;
	/**
	 * The same inverse Hessian carried into ln-parameter space (rows and columns in `parameterNames`
	 * order): Cov(ln θᵢ, ln θⱼ) = Cov(θᵢ, θⱼ) / (θᵢ θⱼ), the delta method, exact at a stationary point.
	 * Drawing from N(ln θ̂, this) keeps every parameter positive; that is how per-customer intervals
	 * are made (see uncertainty.ts). Present exactly when `standardErrors` is.
	 */
	logCovariance?: readonly (readonly number[])[];
}

// Parameters live in [1e-8, 1e8]: wide enough for any shop, narrow enough that a likelihood
// drifting towards a degenerate edge shows up as non-convergence instead of overflow.
const LOG_LOWER = Math.log(1e-8);
const LOG_UPPER = Math.log(1e8);
const POLISH_ROUNDS = 4;

function atBound(logParams: readonly number[]): boolean {
	return logParams.some((v) => v - LOG_LOWER < 1e-3 || LOG_UPPER - v < 1e-3);
}

export abstract class BaseFitter<Name extends string, Data> {
	abstract readonly modelName: string;
	abstract readonly parameterNames: readonly Name[];

	/** Fitted state: set only by a successful fit (the trailing underscore marks it, as in lifetimes). */
	protected fitted_?: FitResult<Name>;

	/** Σ weight × −ln L for the data at these parameters. */
	protected abstract negativeLogLikelihood(params: Readonly<Record<Name, number>>, data: Data): number;

	/** Starting points suited to the data, in natural parameters. */
	protected abstract defaultStarts(data: Data): Record<Name, number>[];

	protected abstract customerCount(data: Data): number;

	/**
	 * 'quasi-newton' suits a likelihood smooth enough for a numerical gradient: far fewer
	 * evaluations. Nelder–Mead stays the default because, on data that do not identify a model, it
	 * walks a parameter to its bound (reported as such) where a gradient method may stall on the flat.
	 */
	protected readonly optimizer: 'nelder-mead' | 'quasi-newton' = 'nelder-mead';

	get isFitted(): boolean {
		return this.fitted_ !== undefined;
	}

	get params(): Readonly<Record<Name, number>> {
		return this.fitResult.params;
	}

	get logLikelihood(): number {
		return this.fitResult.logLikelihood;
	}

	get fitResult(): FitResult<Name> {
		if (!this.fitted_) throw new NotFittedError(this.modelName);
		return this.fitted_;
	}

	/** Adopts parameters fitted earlier (e.g. loaded from the store). */
	withParams(params: Readonly<Record<Name, number>>, logLikelihood = Number.NaN, customers = 0): this {
		for (const name of this.parameterNames) {
			if (!(params[name] > 0 && Number.isFinite(params[name]))) throw new RangeError(`${this.modelName}: parameter ${name} must be a positive number`);
		}
		this.fitted_ = { params: { ...params }, logLikelihood, customers, iterations: 0 };
		return this;
	}

	protected fitData(data: Data, options: FitOptions = {}): this {
		const names = this.parameterNames;
		const toLog = (p: Readonly<Record<string, number>>): number[] => names.map((n) => Math.log(p[n]));
		const toNatural = (x: readonly number[]): Record<Name, number> => Object.fromEntries(names.map((n, i) => [n, Math.exp(x[i])])) as Record<Name, number>;
		const objective = (x: number[]): number => {
			for (const v of x) if (!(v >= LOG_LOWER && v <= LOG_UPPER)) return Number.POSITIVE_INFINITY;
			return this.negativeLogLikelihood(toNatural(x), data);
		};
		const starts = [...(options.starts ?? []), ...this.defaultStarts(data)].map(toLog);
		const quick = this.optimizer === 'quasi-newton' ? this.minimiseQuasiNewton(objective, starts, options) : undefined;
		if (quick) {
			const params = toNatural(quick.best.x);
			const uncertainty = this.uncertaintyAt(params, data);
			// Only a clear interior minimum is taken; a flat or bound-hugging one goes to Nelder–Mead,
			// whose walk to the bound reports unidentified data as such.
			if (uncertainty && !atBound(quick.best.x)) {
				this.fitted_ = { params, logLikelihood: -quick.best.value, customers: this.customerCount(data), iterations: quick.iterations, ...uncertainty };
				return this;
			}
		}
		const { best, iterations } = this.minimiseNelderMead(objective, starts, options);
		if (!best.converged) throw new ConvergenceError(this.modelName, `the fit did not converge within its iteration limit (best -log-likelihood ${best.value})`);
		const params = toNatural(best.x);
		if (atBound(best.x)) throw new ConvergenceError(this.modelName, `a parameter ran to its bound (${JSON.stringify(params)}); the data do not identify this model`);
		const uncertainty = this.uncertaintyAt(params, data);
		this.fitted_ = { params, logLikelihood: -best.value, customers: this.customerCount(data), iterations, ...uncertainty };
		return this;
	}

	/**
	 * Stops at the first start that converges: a converged BFGS run sits where the gradient vanishes,
	 * and the further starts only guard Nelder–Mead against stalling. Undefined when no start
	 * converges, so the caller falls back to Nelder–Mead.
	 */
	private minimiseQuasiNewton(objective: (x: number[]) => number, starts: number[][], options: FitOptions): { best: MinimizeResult; iterations: number } | undefined {
		let iterations = 0;
		for (const start of starts) {
			if (!Number.isFinite(objective(start))) continue;
			const result = quasiNewton(objective, start, { maxIterations: options.maxIterations });
			iterations += result.iterations;
			if (result.converged && Number.isFinite(result.value)) return { best: result, iterations };
		}
		return undefined;
	}

	private minimiseNelderMead(objective: (x: number[]) => number, starts: number[][], options: FitOptions): { best: MinimizeResult; iterations: number } {
		let best: MinimizeResult | undefined;
		let iterations = 0;
		for (const start of starts) {
			if (!Number.isFinite(objective(start))) continue;
			// Each start only explores (loose tolerance); the best is then polished tightly below.
			const result = nelderMead(objective, start, { maxIterations: options.maxIterations, fTolerance: 1e-6, xTolerance: 1e-3 });
			iterations += result.iterations;
			if (!best || result.value < best.value) best = result;
		}
		if (!best || !Number.isFinite(best.value)) throw new ConvergenceError(this.modelName, 'the likelihood is not finite at any starting point; the data may not suit this model');
		// Restarting from the best vertex rebuilds a fresh simplex, which guards against the simplex
		// collapsing early (a known Nelder–Mead failure) and tightens the optimum.
		for (let round = 0; round < POLISH_ROUNDS; round++) {
			const polished = nelderMead(objective, best.x, { maxIterations: options.maxIterations, initialStep: 0.05 });
			iterations += polished.iterations;
			const improvement = best.value - polished.value;
			if (polished.value <= best.value) best = polished;
			if (polished.converged && improvement < 1e-9) break;
		}
		return { best, iterations };
	}

	private uncertaintyAt(params: Record<Name, number>, data: Data): { standardErrors: Record<Name, number>; logCovariance: number[][] } | undefined {
		const names = this.parameterNames;
		const x = names.map((n) => params[n]);
		const f = (v: number[]): number => this.negativeLogLikelihood(Object.fromEntries(names.map((n, i) => [n, v[i]])) as Record<Name, number>, data);
		const h = x.map((v) => 1e-4 * Math.max(Math.abs(v), 1e-3));
		const at = (di: number, si: number, dj: number, sj: number): number => {
			const v = x.slice();
			v[di] += si * h[di];
			v[dj] += sj * h[dj];
			return f(v);
		};
		const n = x.length;
		const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
		// On the diagonal the two mixed points are both x itself: evaluated once, not 2n times.
		const centre = f(x);
		for (let i = 0; i < n; i++) {
			for (let j = i; j < n; j++) {
				const mixed = i === j ? 2 * centre : at(i, 1, j, -1) + at(i, -1, j, 1);
				const value = (at(i, 1, j, 1) - mixed + at(i, -1, j, -1)) / (4 * h[i] * h[j]);
				hessian[i][j] = value;
				hessian[j][i] = value;
			}
		}
		const inverse = invertSymmetric(hessian);
		if (!inverse) return undefined;
		const errors: number[] = [];
		for (let i = 0; i < n; i++) {
			if (!(inverse[i][i] > 0) || !Number.isFinite(inverse[i][i])) return undefined;
			errors.push(Math.sqrt(inverse[i][i]));
		}
		return {
			standardErrors: Object.fromEntries(names.map((name, i) => [name, errors[i]])) as Record<Name, number>,
			// Gauss–Jordan leaves rounding asymmetry; a covariance is symmetric by definition.
			logCovariance: inverse.map((row, i) => row.map((v, j) => (v + inverse[j][i]) / 2 / (x[i] * x[j]))),
		};
	}
}

/** Inverse by Gauss–Jordan with partial pivoting; undefined for a singular matrix. */
function invertSymmetric(matrix: number[][]): number[][] | undefined {
	const n = matrix.length;
	const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
	for (let col = 0; col < n; col++) {
		let pivot = col;
		for (let row = col + 1; row < n; row++) if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) pivot = row;
		if (!(Math.abs(a[pivot][col]) > 1e-300)) return undefined;
		[a[col], a[pivot]] = [a[pivot], a[col]];
		const scale = a[col][col];
		for (let k = 0; k < 2 * n; k++) a[col][k] /= scale;
		for (let row = 0; row < n; row++) {
			if (row === col) continue;
			const factor = a[row][col];
			if (factor !== 0) for (let k = 0; k < 2 * n; k++) a[row][k] -= factor * a[col][k];
		}
	}
	return a.map((row) => row.slice(n));
}
