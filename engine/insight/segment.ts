import { LoyaltyError } from '../model/errors';
import { BetaGeoFitter } from './betaGeo';
import { ConvergenceError, type BaseFitter } from './fitter';
import { GammaGammaFitter } from './gammaGamma';
import { lifecycleStage, type LifecycleOptions, type LifecycleStage, type PurchaseActivity } from './lifecycle';
import { ModifiedBetaGeoFitter } from './modifiedBetaGeo';
import { ParetoNbdFitter } from './paretoNbd';
import { expectedTimeToNextPurchase } from './predictions';
import { rfmScores, type Score, type Segment } from './rfm';
import type { TransactionModel } from './summary';
import { dayNumberOfDate } from './transactions';
import { defaultValueTierRules, valueTier, type ValueTier, type ValueTierRules } from './valueTier';

/** What segmentation needs per customer; the store computes it in SQL, the CLI from a CSV. */
export interface CustomerActivity extends PurchaseActivity {
	/** Spend of all orders up to the as-of date. */
	totalSpend: number;
	/** Spend on purchase days after the first (the Gamma-Gamma input). */
	repeatSpend: number;
	/** Distinct product categories bought (0 when unknown). */
	categories: number;
}

export const TRANSACTION_MODELS = ['bgnbd', 'pareto-nbd', 'mbgnbd'] as const;
export type TransactionModelName = (typeof TRANSACTION_MODELS)[number];

/** Any of the transaction models, seen through what segmentation needs of it. */
export type TransactionFitter = BetaGeoFitter | ParetoNbdFitter | ModifiedBetaGeoFitter;

export function transactionModel(name: TransactionModelName): TransactionFitter {
	if (name === 'pareto-nbd') return new ParetoNbdFitter();
	if (name === 'mbgnbd') return new ModifiedBetaGeoFitter();
	return new BetaGeoFitter();
}

/** A saved model's parameters back into a fitter; throws naming the parameter that is missing or not positive. */
function restore(name: TransactionModelName, params: Record<string, number>): TransactionFitter {
	const fitter = transactionModel(name);
	// Each model validates its own parameter names in withParams.
	return (fitter as BaseFitter<string, unknown>).withParams(params) as TransactionFitter;
}

export interface SegmentOptions {
	/** YYYY-MM-DD: the day the picture is taken (orders after it are ignored by the caller). */
	asOf: string;
	model?: TransactionModelName;
	lifecycle?: LifecycleOptions;
	/** Rules left out are set from the population (see defaultValueTierRules). */
	valueTierRules?: Partial<ValueTierRules>;
	/** Horizon of "expected orders" (default 90 days). */
	horizonDays?: number;
	/** CLV horizon (default 365 days), discounted monthly at this annual rate (default 10%). */
	clvHorizonDays?: number;
	annualDiscountRate?: number;
	/** Beyond this many days no next-order date is given (default 365). */
	maxNextOrderDays?: number;
	/** Fitted parameters to reuse instead of fitting (e.g. from the store). */
	fitted?: FittedModels;
}

export interface FittedModels {
	/** `standardErrors` say how sure the fit is (absent when reloaded from the store or not identifiable). */
	transaction?: { model: TransactionModelName; params: Record<string, number>; logLikelihood: number; customers: number; standardErrors?: Record<string, number> };
	spend?: { params: Record<string, number>; logLikelihood: number; customers: number; standardErrors?: Record<string, number> };
	/** Why predictions are missing, when a fit failed (lifecycle then stays rule-based). */
	fallbackReason?: string;
}

export interface CustomerInsight {
	customerId: string;
	recencyScore: Score;
	frequencyScore: Score;
	monetaryScore: Score;
	segment: Segment;
	lifecycle: LifecycleStage;
	valueTier: ValueTier;
	/** Probability the customer is still buying; null when no model could be fitted. */
	pAlive: number | null;
	expectedOrders: number | null;
	clv: number | null;
	nextOrderDate: string | null;
}

export interface SegmentRun {
	asOf: string;
	customers: CustomerInsight[];
	models: FittedModels;
}

const WEEK = 7;

function dateOfDay(day: number): string {
	return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function median(values: number[]): number | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function historyOf(activity: CustomerActivity, asOfDay: number): { frequency: number; recency: number; T: number } {
	return { frequency: activity.orders - 1, recency: (activity.lastDay - activity.firstDay) / WEEK, T: (asOfDay - activity.firstDay) / WEEK };
}

/** Fits the transaction and spend models, or says why not; never throws for a convergence failure. */
export function fitModels(activities: readonly CustomerActivity[], asOf: string, model: TransactionModelName = 'bgnbd'): FittedModels {
	const asOfDay = dayNumberOfDate(asOf, 'asOf');
	const result: FittedModels = {};
	try {
		const fitter = transactionModel(model);
		fitter.fit(activities.map((a) => historyOf(a, asOfDay)));
		result.transaction = { model, params: { ...fitter.params }, logLikelihood: fitter.logLikelihood, customers: fitter.fitResult.customers, standardErrors: fitter.fitResult.standardErrors };
	} catch (error) {
		if (!(error instanceof ConvergenceError || error instanceof RangeError || error instanceof LoyaltyError)) throw error;
		result.fallbackReason = error.message;
		return result;
	}
	const repeat = activities.filter((a) => a.orders > 1 && a.repeatSpend > 0);
	try {
		const spend = new GammaGammaFitter().fit(repeat.map((a) => ({ frequency: a.orders - 1, monetaryValue: a.repeatSpend / (a.orders - 1) })));
		if (spend.params.q > 1) result.spend = { params: { ...spend.params }, logLikelihood: spend.logLikelihood, customers: spend.fitResult.customers, standardErrors: spend.fitResult.standardErrors };
		else result.fallbackReason = `Gamma-Gamma: q = ${spend.params.q} <= 1, mean spend unbounded; no CLV`;
	} catch (error) {
		if (!(error instanceof ConvergenceError || error instanceof RangeError || error instanceof LoyaltyError)) throw error;
		result.fallbackReason = error.message;
	}
	return result;
}

/**
 * The whole picture for every customer: RFM and segment, lifecycle, value tier, and — when the
 * models fit — P(alive), expected orders, CLV and the next order date. A failed fit leaves those
 * null and says why in `models.fallbackReason`; it never produces NaN.
 */
export function segmentCustomers(activities: readonly CustomerActivity[], options: SegmentOptions): SegmentRun {
	const asOfDay = dayNumberOfDate(options.asOf, 'asOf');
	activities.forEach((a, i) => {
		if (a.firstDay > asOfDay || a.lastDay > asOfDay) throw LoyaltyError.invalid(`customers[${i}].lastDay`, `customer ${a.customerId} has orders after asOf ${options.asOf}`);
		if (!(a.orders >= 1)) throw LoyaltyError.invalid(`customers[${i}].orders`, `customer ${a.customerId} must have at least one order`);
	});
	const rfm = rfmScores(activities.map((a) => ({ customerId: a.customerId, daysSinceLastOrder: asOfDay - a.lastDay, orders: a.orders, monetary: a.totalSpend })));
	const rules: ValueTierRules = { ...defaultValueTierRules(activities.map((a) => a.totalSpend)), ...options.valueTierRules };
	const populationGap = median(activities.filter((a) => a.orders >= 2).map((a) => (a.lastDay - a.firstDay) / (a.orders - 1)));
	const lifecycleOptions: LifecycleOptions = { populationGapDays: populationGap, ...options.lifecycle };

	const models = options.fitted ?? (activities.length ? fitModels(activities, options.asOf, options.model) : { fallbackReason: 'no customers' });
	const transaction: TransactionModel | undefined = models.transaction ? restore(models.transaction.model, models.transaction.params) : undefined;
	const spend = models.spend ? new GammaGammaFitter().withParams(models.spend.params as Record<'p' | 'q' | 'gamma', number>) : undefined;
	const horizon = (options.horizonDays ?? 90) / WEEK;
	const clvHorizon = (options.clvHorizonDays ?? 365) / WEEK;
	const monthlyDiscount = Math.pow(1 + (options.annualDiscountRate ?? 0.1), 1 / 12) - 1;
	const maxNext = (options.maxNextOrderDays ?? 365) / WEEK;

	// Predictions depend only on (x, t_x, T, spend): customers sharing a history share the work.
	const predictionCache = new Map<string, { pAlive: number; expected: number; next?: number; discountedOrders: number }>();
	const customers = activities.map((activity): CustomerInsight => {
		const score = rfm.get(activity.customerId)!;
		const base = {
			customerId: activity.customerId,
			recencyScore: score.recency,
			frequencyScore: score.frequency,
			monetaryScore: score.monetary,
			segment: score.segment,
			lifecycle: lifecycleStage(activity, asOfDay, lifecycleOptions).stage,
			valueTier: valueTier({ spend: activity.totalSpend, orders: activity.orders, categories: activity.categories }, rules),
			pAlive: null,
			expectedOrders: null,
			clv: null,
			nextOrderDate: null,
		};
		if (!transaction) return base;
		const h = historyOf(activity, asOfDay);
		const key = `${h.frequency}|${h.recency}|${h.T}`;
		let prediction = predictionCache.get(key);
		if (!prediction) {
			prediction = {
				pAlive: transaction.conditionalProbabilityAlive(h.frequency, h.recency, h.T),
				expected: transaction.predict(horizon, h.frequency, h.recency, h.T),
				next: expectedTimeToNextPurchase(transaction, h.frequency, h.recency, h.T, maxNext),
				discountedOrders: discountedPurchases(transaction, h, clvHorizon, 12, monthlyDiscount),
			};
			predictionCache.set(key, prediction);
		}
		// Same sum as GammaGammaFitter.customerLifetimeValue, with the purchase part shared per history.
		const clv = spend ? spend.conditionalExpectedAverageProfit(h.frequency, h.frequency > 0 ? activity.repeatSpend / h.frequency : 0) * prediction.discountedOrders : null;
		const finite = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);
		return {
			...base,
			pAlive: finite(prediction.pAlive),
			expectedOrders: finite(prediction.expected),
			clv: finite(clv),
			nextOrderDate: prediction.next === undefined ? null : dateOfDay(asOfDay + Math.ceil(prediction.next * WEEK)),
		};
	});
	return { asOf: options.asOf, customers, models };
}

/** Σ_k (E[Y(k·step)] − E[Y((k−1)·step)]) / (1 + d)^k: expected orders, discounted per period. */
function discountedPurchases(model: TransactionModel, h: { frequency: number; recency: number; T: number }, horizon: number, periods: number, rate: number): number {
	const step = horizon / periods;
	let total = 0;
	let before = 0;
	for (let k = 1; k <= periods; k++) {
		const upTo = model.predict(k * step, h.frequency, h.recency, h.T);
		total += (upTo - before) / Math.pow(1 + rate, k);
		before = upTo;
	}
	return total;
}
