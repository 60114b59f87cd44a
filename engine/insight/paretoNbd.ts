import { BaseFitter, type FitOptions } from './fitter';
import { lgamma, logAddExp, logHyp2f1, logSubExp } from './numerics';
import { checkHistories, totalWeight, uniqueHistories, type TransactionModel, type WeightedHistory } from './summary';

export type ParetoNbdParam = 'r' | 'alpha' | 's' | 'beta';

/**
 * Pareto/NBD: Schmittlein, Morrison & Colombo (1987); likelihood and expressions as derived in
 * Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions".
 * Purchases are Poisson(λ), λ ~ Gamma(r, α); lifetimes are Exponential(μ), μ ~ Gamma(s, β). Unlike
 * BG/NBD, a one-time buyer can have died, so P(alive) falls with time since the first purchase.
 */
export class ParetoNbdFitter extends BaseFitter<ParetoNbdParam, WeightedHistory[]> implements TransactionModel {
	readonly modelName = 'Pareto/NBD';
	readonly parameterNames = ['r', 'alpha', 's', 'beta'] as const;
	// Each evaluation sums two ₂F₁ series per customer, so evaluations are what a fit costs.
	protected override readonly optimizer = 'quasi-newton';

	fit(histories: Iterable<{ frequency: number; recency: number; T: number }>, options?: FitOptions): this {
		const rows = uniqueHistories(histories);
		checkHistories(rows);
		return this.fitData(sortedByFrequency(rows), options);
	}

	fitWeighted(rows: WeightedHistory[], options?: FitOptions): this {
		checkHistories(rows);
		return this.fitData(sortedByFrequency(rows), options);
	}

	/**
	 * ln A₀ of the note's equation (19): the difference of two ₂F₁ terms, one at t_x and one at T,
	 * taken in log space. The hypergeometric argument is |α − β| / (max(α, β) + t), below 1.
	 */
	static logA0(params: Readonly<Record<ParetoNbdParam, number>>, x: number, tx: number, T: number): number {
		const { r, alpha, s, beta } = params;
		const rsx = r + s + x;
		const alphaLarger = alpha >= beta;
		const larger = alphaLarger ? alpha : beta;
		const difference = Math.abs(alpha - beta);
		const second = alphaLarger ? s + 1 : r + x;
		const term = (t: number): number => logHyp2f1(rsx, second, rsx + 1, difference / (larger + t)) - rsx * Math.log(larger + t);
		// A₀ ≥ 0 always; at t_x = T the difference is zero.
		return logSubExp(term(tx), term(T));
	}

	/** ln L(r, α, s, β | x, t_x, T), equation (22) of the note. */
	static logLikelihood(params: Readonly<Record<ParetoNbdParam, number>>, x: number, tx: number, T: number): number {
		const { r, alpha, s, beta } = params;
		const front = lgamma(r + x) - lgamma(r) + r * Math.log(alpha) + s * Math.log(beta);
		const aliveAtT = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
		const diedBeforeT = Math.log(s) - Math.log(r + s + x) + ParetoNbdFitter.logA0(params, x, tx, T);
		return front + logAddExp(aliveAtT, diedBeforeT);
	}

	/**
	 * Equation (22) summed over customers, with everything that depends only on the parameters (or
	 * on them and the purchase count) computed once per evaluation rather than once per customer:
	 * the optimiser calls this hundreds of times per fit.
	 */
	protected negativeLogLikelihood(params: Readonly<Record<ParetoNbdParam, number>>, rows: WeightedHistory[]): number {
		const { r, alpha, s, beta } = params;
		const lgammaR = lgamma(r);
		const parameterFront = r * Math.log(alpha) + s * Math.log(beta);
		const logS = Math.log(s);
		const alphaLarger = alpha >= beta;
		const larger = alphaLarger ? alpha : beta;
		const difference = Math.abs(alpha - beta);
		let sum = 0;
		let lastX = Number.NaN;
		let countTerm = 0;
		let diedFront = 0;
		let rsx = 0;
		let second = 0;
		// Rows come sorted by purchase count (see sortedByFrequency), so this recomputes rarely.
		for (const row of rows) {
			const x = row.frequency;
			if (x !== lastX) {
				lastX = x;
				rsx = r + s + x;
				second = alphaLarger ? s + 1 : r + x;
				countTerm = lgamma(r + x) - lgammaR + parameterFront;
				diedFront = logS - Math.log(rsx);
			}
			const { recency: tx, T } = row;
			const logAlphaT = Math.log(alpha + T);
			const logBetaT = Math.log(beta + T);
			const aliveAtT = -(r + x) * logAlphaT - s * logBetaT;
			// ln A₀ exactly as logA0 computes it, inlined so the terms above are shared.
			const atTx = logHyp2f1(rsx, second, rsx + 1, difference / (larger + tx)) - rsx * Math.log(larger + tx);
			const atT = logHyp2f1(rsx, second, rsx + 1, difference / (larger + T)) - rsx * (alphaLarger ? logAlphaT : logBetaT);
			sum -= row.weight * (countTerm + logAddExp(aliveAtT, diedFront + logSubExp(atTx, atT)));
		}
		return sum;
	}

	protected defaultStarts(rows: WeightedHistory[]): Record<ParetoNbdParam, number>[] {
		const meanT = rows.reduce((s, row) => s + row.weight * row.T, 0) / totalWeight(rows);
		const scale = Math.max(meanT, 1e-3);
		// First a start whose mean purchase rate r/α matches the data's repeat purchases per unit of
		// time, with the dropout rate s/β set alike: it saves the optimiser a stretch of the long,
		// flat s–β valley. The generic starts stay as fallbacks.
		const purchases = rows.reduce((s, row) => s + row.weight * row.frequency, 0);
		const rateScale = purchases > 0 ? (0.5 * meanT * totalWeight(rows)) / purchases : scale;
		return [
			{ r: 0.5, alpha: rateScale, s: 0.5, beta: rateScale },
			{ r: 1, alpha: scale, s: 1, beta: scale },
			{ r: 0.5, alpha: scale / 4, s: 0.5, beta: scale / 2 },
		];
	}

	protected customerCount(rows: WeightedHistory[]): number {
		return totalWeight(rows);
	}

	/** P(alive | x, t_x, T), equation (18) of the note: the "alive at T" share of the likelihood. */
	conditionalProbabilityAlive(x: number, tx: number, T: number): number {
		const { r, alpha, s, beta } = this.params;
		const aliveAtT = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
		const diedBeforeT = Math.log(s) - Math.log(r + s + x) + ParetoNbdFitter.logA0(this.params, x, tx, T);
		return Math.exp(aliveAtT - logAddExp(aliveAtT, diedBeforeT));
	}

	/** E[X(t)], equation (17) of Schmittlein et al. / (8) of the note; the s → 1 limit uses the logarithm. */
	expectedNumberOfPurchasesUpToTime(t: number): number {
		const { r, alpha, s, beta } = this.params;
		if (t <= 0) return 0;
		return ((r * beta) / alpha) * survivalIntegral(s, beta, t);
	}

	/** E[Y(t) | x, t_x, T], equation (21) of the note: P(alive) × expected purchases while alive. */
	conditionalExpectedNumberOfPurchasesUpToTime(t: number, x: number, tx: number, T: number): number {
		const { r, alpha, s, beta } = this.params;
		if (t <= 0) return 0;
		const whileAlive = ((r + x) * (beta + T)) / (alpha + T) * survivalIntegral(s, beta + T, t);
		return this.conditionalProbabilityAlive(x, tx, T) * whileAlive;
	}

	predict(t: number, x: number, tx: number, T: number): number {
		return this.conditionalExpectedNumberOfPurchasesUpToTime(t, x, tx, T);
	}
}

/** A sorted copy: customers with the same purchase count share their count-dependent terms. */
function sortedByFrequency(rows: readonly WeightedHistory[]): WeightedHistory[] {
	return [...rows].sort((a, b) => a.frequency - b.frequency);
}

/** [1 − (β/(β+t))^{s−1}] / (s − 1), continuous at s = 1 where it equals ln((β+t)/β). */
function survivalIntegral(s: number, beta: number, t: number): number {
	const logRatio = Math.log(beta / (beta + t));
	if (Math.abs(s - 1) < 1e-8) return -logRatio;
	return -Math.expm1((s - 1) * logRatio) / (s - 1);
}
