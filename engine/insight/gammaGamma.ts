import { LoyaltyError } from '../model/errors';
import { BaseFitter, type FitOptions } from './fitter';
import { lgamma } from './numerics';
import type { TransactionModel } from './summary';

export type GammaGammaParam = 'p' | 'q' | 'gamma';

export interface SpendHistory {
	/** Number of repeat transactions x (> 0: one-time buyers carry no repeat spend). */
	frequency: number;
	/** Mean value of those transactions, m_x (> 0). */
	monetaryValue: number;
}

interface WeightedSpend extends SpendHistory {
	weight: number;
	logMonetary: number;
}

export interface ClvOptions {
	/** Horizon in the transaction model's time unit. */
	horizon: number;
	/** Number of equal periods the horizon is discounted over (e.g. 12 for monthly over a year). */
	periods: number;
	/** Discount rate per period (e.g. 0.01 a month). */
	discountRatePerPeriod: number;
	/** Share of spend that is profit; 1 gives discounted revenue. */
	margin?: number;
}

/**
 * Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
 * Customer Base Analysis", and Fader & Hardie, "The Gamma-Gamma Model of Monetary Value" (2013).
 * A customer's transaction values are Gamma(p, ν), ν ~ Gamma(q, γ); spend is assumed independent of
 * the transaction process.
 */
export class GammaGammaFitter extends BaseFitter<GammaGammaParam, WeightedSpend[]> {
	readonly modelName = 'Gamma-Gamma';
	readonly parameterNames = ['p', 'q', 'gamma'] as const;
	// Smooth in every parameter, so the gradient method's few evaluations suffice.
	protected override readonly optimizer = 'quasi-newton';

	fit(histories: Iterable<SpendHistory>, options?: FitOptions): this {
		const byKey = new Map<string, WeightedSpend>();
		let i = 0;
		for (const { frequency, monetaryValue } of histories) {
			if (!Number.isInteger(frequency) || frequency <= 0) throw LoyaltyError.invalid(`spend[${i}].frequency`, `must be a whole number > 0 (fit Gamma-Gamma on repeat customers only; got ${frequency})`);
			if (!(monetaryValue > 0 && Number.isFinite(monetaryValue))) throw LoyaltyError.invalid(`spend[${i}].monetaryValue`, `must be > 0 (got ${monetaryValue})`);
			const key = `${frequency}|${monetaryValue}`;
			const seen = byKey.get(key);
			if (seen) seen.weight++;
			else byKey.set(key, { frequency, monetaryValue, weight: 1, logMonetary: Math.log(monetaryValue) });
			i++;
		}
		if (byKey.size === 0) throw LoyaltyError.invalid('spend', 'there are no repeat customers to fit');
		return this.fitData([...byKey.values()], options);
	}

	/** ln L(p, q, γ | x, m_x), equation (3) of the 2013 note. */
	static logLikelihood(params: Readonly<Record<GammaGammaParam, number>>, x: number, mx: number): number {
		const { p, q, gamma } = params;
		return lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * Math.log(gamma) + (p * x - 1) * Math.log(mx) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + mx * x);
	}

	protected negativeLogLikelihood(params: Readonly<Record<GammaGammaParam, number>>, rows: WeightedSpend[]): number {
		const { p, q, gamma } = params;
		// The gamma-function terms depend on x only: computed once per distinct x per evaluation.
		const perFrequency = new Map<number, number>();
		const lgammaQ = lgamma(q);
		const qLogGamma = q * Math.log(gamma);
		let sum = 0;
		for (const row of rows) {
			const x = row.frequency;
			let terms = perFrequency.get(x);
			if (terms === undefined) {
				terms = lgamma(p * x + q) - lgamma(p * x) - lgammaQ + qLogGamma + p * x * Math.log(x);
				perFrequency.set(x, terms);
			}
			sum -= row.weight * (terms + (p * x - 1) * row.logMonetary - (p * x + q) * Math.log(gamma + row.monetaryValue * x));
		}
		return sum;
	}

	protected defaultStarts(rows: WeightedSpend[]): Record<GammaGammaParam, number>[] {
		const mean = rows.reduce((s, r) => s + r.weight * r.monetaryValue, 0) / this.customerCount(rows);
		return [
			{ p: 1, q: 1, gamma: mean },
			{ p: 5, q: 3, gamma: mean },
			{ p: 2, q: 5, gamma: mean / 2 },
		];
	}

	protected customerCount(rows: WeightedSpend[]): number {
		return rows.reduce((s, r) => s + r.weight, 0);
	}

	/**
	 * E[M | x, m_x], equation (5) of the 2013 note: a weighted mean of the population mean
	 * pγ/(q − 1) and the customer's own mean, the weight on the latter growing with x.
	 * Needs q > 1 (otherwise the population mean spend is infinite).
	 */
	conditionalExpectedAverageProfit(frequency: number, monetaryValue: number): number {
		const { p, q, gamma } = this.params;
		if (!(q > 1)) throw new RangeError(`${this.modelName}: q = ${q} <= 1 means the mean spend is unbounded; expected spend is undefined`);
		const populationMean = (p * gamma) / (q - 1);
		if (frequency === 0) return populationMean;
		const own = (p * frequency) / (p * frequency + q - 1);
		return (1 - own) * populationMean + own * monetaryValue;
	}

	/**
	 * Discounted CLV: Σ over periods of (expected purchases in the period) × (expected spend) ×
	 * margin / (1 + d)^k, the transaction model providing the purchases (any model with `predict`).
	 */
	customerLifetimeValue(model: TransactionModel, history: { frequency: number; recency: number; T: number; monetaryValue: number }, options: ClvOptions): number {
		const spend = this.conditionalExpectedAverageProfit(history.frequency, history.monetaryValue) * (options.margin ?? 1);
		const step = options.horizon / options.periods;
		let value = 0;
		let before = 0;
		for (let k = 1; k <= options.periods; k++) {
			const upTo = model.predict(k * step, history.frequency, history.recency, history.T);
			value += ((upTo - before) * spend) / Math.pow(1 + options.discountRatePerPeriod, k);
			before = upTo;
		}
		return value;
	}
}
