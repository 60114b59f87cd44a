import { BaseFitter, type FitOptions } from './fitter';
import { lgamma, logAddExp, logBeta, logHyp2f1 } from './numerics';
import { checkHistories, packHistories, totalWeight, uniqueHistories, type PackedHistories, type TransactionModel, type WeightedHistory } from './summary';

export type BetaGeoParam = 'r' | 'alpha' | 'a' | 'b';

/**
 * BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
 * the Pareto/NBD Model", Marketing Science 24(2). Purchases are Poisson(λ), λ ~ Gamma(r, α); after
 * each purchase the customer drops out with probability p ~ Beta(a, b). Equation numbers below are
 * the paper's.
 */
export class BetaGeoFitter extends BaseFitter<BetaGeoParam, PackedHistories> implements TransactionModel {
	readonly modelName = 'BG/NBD';
	readonly parameterNames = ['r', 'alpha', 'a', 'b'] as const;
	// Smooth in every parameter, so the gradient method's few evaluations suffice.
	protected override readonly optimizer = 'quasi-newton';

	fit(histories: Iterable<{ frequency: number; recency: number; T: number }>, options?: FitOptions): this {
		const rows = uniqueHistories(histories);
		checkHistories(rows);
		return this.fitData(packHistories(rows), options);
	}

	fitWeighted(rows: WeightedHistory[], options?: FitOptions): this {
		checkHistories(rows);
		return this.fitData(packHistories(rows), options);
	}

	/** ln L(r, α, a, b | x, t_x, T), equation (6), with the two terms combined by log-sum-exp. */
	static logLikelihood(params: Readonly<Record<BetaGeoParam, number>>, x: number, tx: number, T: number): number {
		const { r, alpha, a, b } = params;
		const common = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
		const stillAlive = logBeta(a, b + x) - logBeta(a, b) - (r + x) * Math.log(alpha + T);
		if (x === 0) return common + stillAlive;
		const droppedAfterLast = logBeta(a + 1, b + x - 1) - logBeta(a, b) - (r + x) * Math.log(alpha + tx);
		return common + logAddExp(stillAlive, droppedAfterLast);
	}

	protected negativeLogLikelihood(params: Readonly<Record<BetaGeoParam, number>>, data: PackedHistories): number {
		const { r, alpha, a, b } = params;
		// Terms depending only on x, and ln(α + t) per distinct t, are computed once per evaluation:
		// this is what keeps a fit on 100,000 customers fast.
		const logBetaAB = logBeta(a, b);
		const lgammaR = lgamma(r);
		const logAlpha = Math.log(alpha);
		const size = data.maxFrequency + 1;
		const common = new Float64Array(size);
		const aliveTerm = new Float64Array(size);
		const droppedTerm = new Float64Array(size);
		for (let x = 0; x < size; x++) {
			common[x] = lgamma(r + x) - lgammaR + r * logAlpha;
			aliveTerm[x] = logBeta(a, b + x) - logBetaAB;
			droppedTerm[x] = x > 0 ? logBeta(a + 1, b + x - 1) - logBetaAB : Number.NEGATIVE_INFINITY;
		}
		const logAlphaPlus = data.times.map((t) => Math.log(alpha + t));
		const { frequency, recencyIndex, ageIndex, weight } = data;
		let sum = 0;
		for (let i = 0; i < frequency.length; i++) {
			const x = frequency[i];
			const stillAlive = aliveTerm[x] - (r + x) * logAlphaPlus[ageIndex[i]];
			const ll = x === 0 ? stillAlive : logAddExp(stillAlive, droppedTerm[x] - (r + x) * logAlphaPlus[recencyIndex[i]]);
			sum -= weight[i] * (common[x] + ll);
		}
		return sum;
	}

	protected defaultStarts({ rows }: PackedHistories): Record<BetaGeoParam, number>[] {
		const meanT = rows.reduce((s, row) => s + row.weight * row.T, 0) / totalWeight(rows);
		const scale = Math.max(meanT, 1e-3);
		return [
			{ r: 1, alpha: scale, a: 1, b: 1 },
			{ r: 0.5, alpha: scale / 4, a: 0.5, b: 2 },
			{ r: 2, alpha: scale * 2, a: 2, b: 5 },
		];
	}

	protected customerCount({ rows }: PackedHistories): number {
		return totalWeight(rows);
	}

	/** E[X(t)], equation (9). */
	expectedNumberOfPurchasesUpToTime(t: number): number {
		const { r, alpha, a, b } = this.params;
		if (t <= 0) return 0;
		const hyp = Math.exp(logHyp2f1(r, b, a + b - 1, t / (alpha + t)));
		return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp);
	}

	/** P(alive | x, t_x, T), equation (A10) of the technical appendix / Fader, Hardie & Lee (2008). */
	conditionalProbabilityAlive(x: number, tx: number, T: number): number {
		if (x === 0) return 1;
		const { r, alpha, a, b } = this.params;
		const logOdds = Math.log(a / (b + x - 1)) + (r + x) * Math.log((alpha + T) / (alpha + tx));
		return 1 / (1 + Math.exp(logOdds));
	}

	/** E[Y(t) | x, t_x, T], equation (10). */
	conditionalExpectedNumberOfPurchasesUpToTime(t: number, x: number, tx: number, T: number): number {
		const { r, alpha, a, b } = this.params;
		if (t <= 0) return 0;
		const hyp = Math.exp(logHyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)));
		const numerator = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp);
		const denominator = x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1;
		return numerator / denominator;
	}

	predict(t: number, x: number, tx: number, T: number): number {
		return this.conditionalExpectedNumberOfPurchasesUpToTime(t, x, tx, T);
	}
}
