import { BaseFitter, type FitOptions } from './fitter';
import { lgamma, logAddExp, logBeta, logHyp2f1 } from './numerics';
import { checkHistories, packHistories, totalWeight, uniqueHistories, type PackedHistories, type TransactionModel, type WeightedHistory } from './summary';

export type ModifiedBetaGeoParam = 'r' | 'alpha' | 'a' | 'b';

/**
 * MBG/NBD: Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
 * for customer base analysis", IJRM 24(3). As BG/NBD, except the customer may also drop out right
 * after the first purchase, so a one-time buyer is not assumed alive. Equation numbers are the
 * paper's.
 */
export class ModifiedBetaGeoFitter extends BaseFitter<ModifiedBetaGeoParam, PackedHistories> implements TransactionModel {
	readonly modelName = 'MBG/NBD';
	readonly parameterNames = ['r', 'alpha', 'a', 'b'] as const;

	fit(histories: Iterable<{ frequency: number; recency: number; T: number }>, options?: FitOptions): this {
		const rows = uniqueHistories(histories);
		checkHistories(rows);
		return this.fitData(packHistories(rows), options);
	}

	fitWeighted(rows: WeightedHistory[], options?: FitOptions): this {
		checkHistories(rows);
		return this.fitData(packHistories(rows), options);
	}

	/** ln L(r, α, a, b | x, t_x, T), equation (4): alive at T, or dropped right after the last purchase. */
	static logLikelihood(params: Readonly<Record<ModifiedBetaGeoParam, number>>, x: number, tx: number, T: number): number {
		const { r, alpha, a, b } = params;
		const common = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
		const stillAlive = logBeta(a, b + x + 1) - logBeta(a, b) - (r + x) * Math.log(alpha + T);
		const droppedAfterLast = logBeta(a + 1, b + x) - logBeta(a, b) - (r + x) * Math.log(alpha + tx);
		return common + logAddExp(stillAlive, droppedAfterLast);
	}

	protected negativeLogLikelihood(params: Readonly<Record<ModifiedBetaGeoParam, number>>, data: PackedHistories): number {
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
			aliveTerm[x] = logBeta(a, b + x + 1) - logBetaAB;
			droppedTerm[x] = logBeta(a + 1, b + x) - logBetaAB;
		}
		const logAlphaPlus = data.times.map((t) => Math.log(alpha + t));
		const { frequency, recencyIndex, ageIndex, weight } = data;
		let sum = 0;
		for (let i = 0; i < frequency.length; i++) {
			const x = frequency[i];
			const stillAlive = aliveTerm[x] - (r + x) * logAlphaPlus[ageIndex[i]];
			const ll = logAddExp(stillAlive, droppedTerm[x] - (r + x) * logAlphaPlus[recencyIndex[i]]);
			sum -= weight[i] * (common[x] + ll);
		}
		return sum;
	}

	protected defaultStarts({ rows }: PackedHistories): Record<ModifiedBetaGeoParam, number>[] {
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

	/**
	 * E[X(t)]: as BG/NBD's, weighted by the chance (1 − p) of surviving the first purchase, which
	 * turns the Beta weight 1/p into (1 − p)/p: b/(a − 1) × [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))].
	 */
	expectedNumberOfPurchasesUpToTime(t: number): number {
		const { r, alpha, a, b } = this.params;
		if (t <= 0) return 0;
		const hyp = Math.exp(logHyp2f1(r, b + 1, a + b, t / (alpha + t)));
		return (b / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp);
	}

	/** P(alive | x, t_x, T), equation (6). */
	conditionalProbabilityAlive(x: number, tx: number, T: number): number {
		const { r, alpha, a, b } = this.params;
		const logOdds = Math.log(a / (b + x)) + (r + x) * Math.log((alpha + T) / (alpha + tx));
		return 1 / (1 + Math.exp(logOdds));
	}

	/** E[Y(t) | x, t_x, T], equation (8). */
	conditionalExpectedNumberOfPurchasesUpToTime(t: number, x: number, tx: number, T: number): number {
		const { r, alpha, a, b } = this.params;
		if (t <= 0) return 0;
		const hyp = Math.exp(logHyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T + t)));
		const whileAlive = ((a + b + x) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp);
		return whileAlive * this.conditionalProbabilityAlive(x, tx, T);
	}

	predict(t: number, x: number, tx: number, T: number): number {
		return this.conditionalExpectedNumberOfPurchasesUpToTime(t, x, tx, T);
	}
}
