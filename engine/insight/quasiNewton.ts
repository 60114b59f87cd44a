import type { MinimizeResult } from './nelderMead';

/**
 * BFGS quasi-Newton minimisation with a central-difference gradient. For the smooth likelihoods
 * fitted here it needs a few dozen iterations where Nelder–Mead needs hundreds, and the gradient
 * is numerical so no model has to derive (and test) derivatives of its special functions.
 * An infinite or NaN objective is a wall: the line search backs away from it, and the gradient
 * falls back to a one-sided difference next to it.
 */
export interface QuasiNewtonOptions {
	maxIterations?: number;
	/** Converged when every gradient component is below this times (1 + |f|). */
	gradientTolerance?: number;
}

// Central differences with h ≈ ∛ε balance truncation (h²) against rounding (ε/h) error; forward
// differences (h ≈ √ε, error around 1e-3 for these sums) cost half as much and are used while the
// gradient is far larger than their error, i.e. away from the optimum.
const CENTRAL_STEP = 1e-5;
const FORWARD_STEP = 1e-7;
const FORWARD_WHILE_GRADIENT_ABOVE = 1e-5;
const FORWARD_WHILE_DECREASE_ABOVE = 1e-10;
const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 50;
// The step never exceeds this in any coordinate: parameters are in log space, so e^±2 per step.
const MAX_STEP = 2;

export function quasiNewton(f: (x: number[]) => number, start: readonly number[], options: QuasiNewtonOptions = {}): MinimizeResult {
	const n = start.length;
	const maxIterations = options.maxIterations ?? 100 * n;
	const gradientTolerance = options.gradientTolerance ?? 1e-9;
	const value = (x: number[]): number => {
		const v = f(x);
		return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
	};
	let x = start.slice();
	let fx = value(x);
	if (!Number.isFinite(fx)) return { x, value: fx, iterations: 0, converged: false };
	let g = gradient(value, x, fx, true);
	// Only a central-difference gradient is trusted to say "converged"; a forward one is redone first.
	let central = false;
	let forward = true;
	// A start already close to the optimum has a gradient that a forward difference's error
	// (curvature × step) can outweigh, sending the first step the wrong way: such a start is
	// recognised by its central gradient (2n evaluations, once) and stays central for good.
	const startCentral = gradient(value, x, fx, false);
	if (Math.max(...startCentral.map(Math.abs)) <= FORWARD_WHILE_GRADIENT_ABOVE * (1 + Math.abs(fx))) {
		g = startCentral;
		central = true;
		forward = false;
	}
	// Until the first BFGS update, the inverse Hessian is the identity, to be scaled by that update.
	let freshHessian = true;
	const redoCentral = (): void => {
		g = gradient(value, x, fx, false);
		central = true;
		forward = false;
	};
	let inverseHessian = identity(n);
	let iterations = 0;
	let restarted = false;
	for (; iterations < maxIterations; iterations++) {
		if (!g.every(Number.isFinite)) break;
		if (Math.max(...g.map(Math.abs)) <= gradientTolerance * (1 + Math.abs(fx))) {
			if (central) return { x, value: fx, iterations, converged: true };
			redoCentral();
			continue;
		}
		let direction = inverseHessian.map((row) => -dot(row, g));
		let slope = dot(direction, g);
		// A direction that does not descend means the curvature estimate went bad: steepest descent.
		if (!(slope < 0)) {
			inverseHessian = identity(n);
			freshHessian = true;
			direction = g.map((v) => -v);
			slope = dot(direction, g);
		}
		const longest = Math.max(...direction.map(Math.abs));
		let t = longest > MAX_STEP ? MAX_STEP / longest : 1;
		let next: number[] | undefined;
		let fNext = Number.POSITIVE_INFINITY;
		for (let k = 0; k < MAX_BACKTRACKS; k++, t /= 2) {
			const candidate = x.map((v, i) => v + t * direction[i]);
			const fc = value(candidate);
			if (fc <= fx + ARMIJO * t * slope) {
				next = candidate;
				fNext = fc;
				break;
			}
		}
		if (!next) {
			// No progress along this direction: once more from steepest descent, then give up
			// (the caller decides what an unconverged result means).
			if (!central) {
				redoCentral();
				continue;
			}
			if (restarted) return { x, value: fx, iterations, converged: nearlyStationary(g, fx, gradientTolerance) };
			restarted = true;
			inverseHessian = identity(n);
			freshHessian = true;
			continue;
		}
		restarted = false;
		// Forward differences only while far from the optimum (a large gradient, a large decrease);
		// once close, central ones for good, so forward noise cannot stall the last steps.
		const switching = forward && (Math.max(...g.map(Math.abs)) <= FORWARD_WHILE_GRADIENT_ABOVE * (1 + Math.abs(fNext)) || fx - fNext <= FORWARD_WHILE_DECREASE_ABOVE * (1 + Math.abs(fNext)));
		if (switching) forward = false;
		const gNext = gradient(value, next, fNext, forward);
		central = !forward;
		const s = next.map((v, i) => v - x[i]);
		const y = gNext.map((v, i) => v - g[i]);
		const sy = dot(s, y);
		// Across the switch, y mixes a forward and a central gradient: it measures their noise, not
		// curvature, so that update is skipped.
		if (!switching && sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
			// First update: scale the identity to the observed curvature (Nocedal & Wright eq. 6.20).
			if (freshHessian) inverseHessian = identity(n).map((row) => row.map((v) => (v * sy) / dot(y, y)));
			inverseHessian = bfgsUpdate(inverseHessian, s, y, sy);
			freshHessian = false;
		}
		const fChange = fx - fNext;
		x = next;
		fx = fNext;
		g = gNext;
		// The objective no longer moves at the precision it is computed to: as far as it can go.
		if (fChange <= 1e-15 * (1 + Math.abs(fx)) && Math.max(...s.map(Math.abs)) <= 1e-10) {
			if (!central) {
				redoCentral();
				continue;
			}
			// A stall right after a curvature estimate went stale gets one more try from scratch.
			if (!freshHessian && !nearlyStationary(g, fx, gradientTolerance)) {
				inverseHessian = identity(n);
				freshHessian = true;
				continue;
			}
			return { x, value: fx, iterations: iterations + 1, converged: nearlyStationary(g, fx, gradientTolerance) };
		}
	}
	return { x, value: fx, iterations, converged: false };
}

/**
 * When no step makes progress at the precision f is computed to, the difference gradient's own
 * truncation error (about h² f''') may be all that is left of it: a thousandfold looser test.
 */
function nearlyStationary(g: readonly number[], fx: number, gradientTolerance: number): boolean {
	return Math.max(...g.map(Math.abs)) <= 1e3 * gradientTolerance * (1 + Math.abs(fx));
}

function gradient(value: (x: number[]) => number, x: readonly number[], fx: number, forward: boolean): number[] {
	return x.map((xi, i) => {
		const at = (h: number): number => {
			const moved = x.slice();
			moved[i] = xi + h;
			return value(moved);
		};
		if (forward) {
			const h = FORWARD_STEP * Math.max(1, Math.abs(xi));
			const fUp = at(h);
			if (Number.isFinite(fUp)) return (fUp - fx) / h;
		}
		const h = CENTRAL_STEP * Math.max(1, Math.abs(xi));
		const fUp = at(h);
		const fDown = at(-h);
		if (Number.isFinite(fUp) && Number.isFinite(fDown)) return (fUp - fDown) / (2 * h);
		if (Number.isFinite(fUp)) return (fUp - fx) / h;
		if (Number.isFinite(fDown)) return (fx - fDown) / h;
		return Number.NaN;
	});
}

/** H⁺ = (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / yᵀs. */
function bfgsUpdate(h: number[][], s: number[], y: number[], sy: number): number[][] {
	const rho = 1 / sy;
	const hy = h.map((row) => dot(row, y));
	const yhy = dot(y, hy);
	return h.map((row, i) => row.map((v, j) => v - rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]));
}

function dot(a: readonly number[], b: readonly number[]): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
	return sum;
}

function identity(n: number): number[][] {
	return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}
