import { LoyaltyError } from '../model/errors';
import { BetaGeoFitter } from './betaGeo';
import { ConvergenceError, type BaseFitter } from './fitter';
import { GammaGammaFitter } from './gammaGamma';
import { lifecycleStage, type LifecycleOptions, type LifecycleStage, type PurchaseActivity } from './lifecycle';
import { ModifiedBetaGeoFitter } from './modifiedBetaGeo';
import { ParetoNbdFitter } from './paretoNbd';
import { expectedTimeToNextPurchase } from './predictions';
import { spendHistoriesOf, spendNotApplicableReason, type SpendExclusions } from './spendData';
import { rfmScores, type Score, type Segment } from './rfm';
import type { TransactionModel } from './summary';
import { dayNumberOfDate } from './transactions';
import { DEFAULT_DRAWS, DEFAULT_SEED, certaintyOf, drawParameterSets, intervalAround, type Certainty } from './uncertainty';
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
	/**
	 * Per-customer intervals: parameter sets drawn from the fit's uncertainty (default 200, 100 for
	 * runs past 50,000 distinct histories; 0 leaves the intervals out and the certainty 'low') and
	 * the seed that makes them repeatable.
	 */
	uncertainty?: { draws?: number; seed?: number };
}

export interface FittedModels {
	/**
	 * `standardErrors` and `logCovariance` (ln-parameter space, rows in the model's parameter order)
	 * say how sure the fit is; absent when the data do not identify the model, and `standardErrors`
	 * when reloaded from the store.
	 */
	transaction?: { model: TransactionModelName; params: Record<string, number>; logLikelihood: number; customers: number; standardErrors?: Record<string, number>; logCovariance?: number[][] };
	spend?: { params: Record<string, number>; logLikelihood: number; customers: number; standardErrors?: Record<string, number>; logCovariance?: number[][] };
	/**
	 * Repeat customers left out of the spend fit, by reason: Gamma-Gamma needs a positive mean
	 * repeat spend, so those whose repeat purchases average 0 (free orders, reward redemptions),
	 * less, or not a number are not fitted on and their CLV is unknown (see spendData.ts).
	 */
	spendExcluded?: SpendExclusions;
	/** Why there is no spend model although the transaction model fitted: every CLV is then unknown, with this reason. */
	spendFallbackReason?: string;
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
	/** Null when unknown, never an invented number: `clvUnknownReason` then says why. */
	clv: number | null;
	/** Why `clv` (and its range) is null, e.g. 'repeat purchases average 0.00: spend model not applicable'; null when known. */
	clvUnknownReason: string | null;
	nextOrderDate: string | null;
	/**
	 * 80% intervals of the three predictions from the fit's own uncertainty (see uncertainty.ts):
	 * null with the prediction, or when the fit cannot say how sure it is.
	 */
	pAliveLow: number | null;
	pAliveHigh: number | null;
	expectedOrdersLow: number | null;
	expectedOrdersHigh: number | null;
	clvLow: number | null;
	clvHigh: number | null;
	/** How much to trust this customer's predictions, and why in a sentence (certaintyOf's rule). */
	certainty: Certainty;
	certaintyReason: string;
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
		const { customers, standardErrors, logCovariance } = fitter.fitResult;
		result.transaction = { model, params: { ...fitter.params }, logLikelihood: fitter.logLikelihood, customers, standardErrors, ...(logCovariance ? { logCovariance: logCovariance.map((row) => [...row]) } : {}) };
	} catch (error) {
		if (!(error instanceof ConvergenceError || error instanceof RangeError || error instanceof LoyaltyError)) throw error;
		result.fallbackReason = error.message;
		return result;
	}
	// Repeat customers whose purchases average 0 or less are left out and counted (spendData.ts).
	const data = spendHistoriesOf(activities.map((a) => ({ frequency: a.orders - 1, monetaryValue: meanRepeatSpend(a) })));
	result.spendExcluded = data.excluded;
	const noSpendModel = (reason: string): void => {
		result.spendFallbackReason = reason.startsWith('Gamma-Gamma') ? reason : `Gamma-Gamma not fitted: ${reason}`;
		result.fallbackReason = reason;
	};
	if (data.skippedReason) {
		noSpendModel(data.skippedReason);
		return result;
	}
	try {
		const spend = new GammaGammaFitter().fit(data.histories);
		const { customers, standardErrors, logCovariance } = spend.fitResult;
		if (spend.params.q > 1) result.spend = { params: { ...spend.params }, logLikelihood: spend.logLikelihood, customers, standardErrors, ...(logCovariance ? { logCovariance: logCovariance.map((row) => [...row]) } : {}) };
		else noSpendModel(`Gamma-Gamma: q = ${spend.params.q} <= 1, mean spend unbounded; no CLV`);
	} catch (error) {
		if (!(error instanceof ConvergenceError || error instanceof RangeError || error instanceof LoyaltyError)) throw error;
		noSpendModel(error.message);
	}
	return result;
}

/**
 * The whole picture for every customer: RFM and segment, lifecycle, value tier, and — when the
 * models fit — P(alive), expected orders, CLV and the next order date, each prediction with an 80%
 * interval and a certainty label. A failed fit leaves the predictions null, says why in
 * `models.fallbackReason` and labels every customer's certainty 'low' with that reason; it never
 * produces NaN. A CLV that cannot be known — the spend model did not fit, or the customer's repeat
 * purchases average 0 or less (see spendData.ts) — is null with `clvUnknownReason`, which
 * `certaintyReason` repeats.
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
	const noModel = `no prediction model could be fitted, so the lifecycle stage is rule-based: ${models.fallbackReason ?? 'no reason given'}`;
	const noSpendModel = models.spendFallbackReason ?? `Gamma-Gamma not fitted: ${models.fallbackReason ?? 'no reason given'}`;

	// Predictions depend only on (x, t_x, T, spend): customers sharing a history share the work.
	const predictionCache = new Map<string, { pAlive: number; expected: number; next?: number; discountedOrders: number }>();
	const byHistory = new Map<string, number[]>();
	const customers = activities.map((activity, index): CustomerInsight => {
		const score = rfm.get(activity.customerId)!;
		const base: CustomerInsight = {
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
			clvUnknownReason: noModel,
			nextOrderDate: null,
			pAliveLow: null,
			pAliveHigh: null,
			expectedOrdersLow: null,
			expectedOrdersHigh: null,
			clvLow: null,
			clvHigh: null,
			certainty: 'low',
			certaintyReason: noModel,
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
			byHistory.set(key, [index]);
		} else byHistory.get(key)!.push(index);
		// Same sum as GammaGammaFitter.customerLifetimeValue, with the purchase part shared per history.
		const notApplicable = spendNotApplicableReason(h.frequency, meanRepeatSpend(activity));
		const clv = spend && !notApplicable ? finite(spend.conditionalExpectedAverageProfit(h.frequency, meanRepeatSpend(activity)) * prediction.discountedOrders) : null;
		return {
			...base,
			pAlive: finite(prediction.pAlive),
			expectedOrders: finite(prediction.expected),
			clv,
			clvUnknownReason: !spend ? noSpendModel : (notApplicable ?? (clv === null ? 'CLV is not a finite number under the fitted models' : null)),
			nextOrderDate: prediction.next === undefined ? null : dateOfDay(asOfDay + Math.ceil(prediction.next * WEEK)),
		};
	});
	if (transaction) {
		const draws = options.uncertainty?.draws ?? defaultDraws(byHistory.size);
		const seed = options.uncertainty?.seed ?? DEFAULT_SEED;
		addIntervals(customers, activities, byHistory, models, { asOfDay, horizon, clvHorizon, draws, seed, point: transaction, discountedOrders: (key) => predictionCache.get(key)!.discountedOrders });
		for (const customer of customers) if (customer.clvUnknownReason) customer.certaintyReason = `${customer.certaintyReason}; CLV unknown: ${customer.clvUnknownReason}`;
	}
	return { asOf: options.asOf, customers, models };
}

/**
 * 200 draws, or 100 past LARGE_RUN_HISTORIES distinct histories: a 100,000-customer shop measured
 * in days has about 90,000, and halving the draws there keeps intervals to about a tenth of the
 * weekly batch's time (bench/insight.bench.ts) at the price of noisier percentiles (±3 points
 * instead of ±2 on the 10th and 90th). Either way the draws are seeded, so a run is repeatable.
 */
const LARGE_RUN_HISTORIES = 50_000;
function defaultDraws(distinctHistories: number): number {
	return distinctHistories > LARGE_RUN_HISTORIES ? DEFAULT_DRAWS / 2 : DEFAULT_DRAWS;
}

/**
 * A draw far in the tail can leave a special function's domain (e.g. BG/NBD's ₂F₁ needs
 * a + b + x > 1), which the numerics refuse with a RangeError: that draw counts as failed, and
 * intervalAround gives no interval when too many fail.
 */
function orNaN(evaluate: () => number): number {
	try {
		return evaluate();
	} catch (error) {
		if (error instanceof RangeError) return Number.NaN;
		throw error;
	}
}

function finite(v: number | null | undefined): number | null {
	return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

function meanRepeatSpend(activity: CustomerActivity): number {
	return activity.orders > 1 ? activity.repeatSpend / (activity.orders - 1) : 0;
}

/**
 * Fills every customer's intervals and certainty in place. The parameter draws are made once and
 * shared by every customer. Cost is kept to distinct histories and below, by an identity all three
 * transaction models satisfy: E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) · E[Y(t) | alive at T, x, T],
 * the second factor free of t_x (given alive at T, the likelihood does not involve t_x). So per draw
 * the two forecasts are evaluated once per (x, T) and only P(alive) — closed form for BG/NBD and
 * MBG/NBD — per (x, t_x, T). A draw's CLV takes its discounting from the point fit (the discounted
 * share of the year's expected orders, again a function of (x, T) only) rather than summing twelve
 * discounted periods per draw; the discount changes far less between draws than the orders do.
 * Spend draws pair with transaction draws by index (the two fits are independent). One group's
 * draws are held at a time, so memory does not grow with the customer base.
 */
function addIntervals(
	customers: CustomerInsight[],
	activities: readonly CustomerActivity[],
	byHistory: ReadonlyMap<string, readonly number[]>,
	models: FittedModels,
	settings: { asOfDay: number; horizon: number; clvHorizon: number; draws: number; seed: number; point: TransactionModel; discountedOrders: (key: string) => number },
): void {
	const fitted = models.transaction!;
	const names = transactionModel(fitted.model).parameterNames as readonly string[];
	const transactionSets = fitted.logCovariance && settings.draws > 0 ? drawParameterSets(names, fitted.params, fitted.logCovariance, settings.draws, settings.seed) : undefined;
	const transactionDraws = transactionSets?.map((set) => restore(fitted.model, set));
	const spendSets = models.spend?.logCovariance && transactionDraws ? drawParameterSets(['p', 'q', 'gamma'] as const, models.spend.params as Record<'p' | 'q' | 'gamma', number>, models.spend.logCovariance, transactionDraws.length, settings.seed + 1, (set) => set.q > 1) : undefined;
	const draws = transactionDraws?.length ?? 0;
	const clvPaired = Math.min(draws, spendSets?.length ?? 0);
	// Gamma-Gamma's expected spend, (1 − w)·pγ/(q − 1) + w·m with w = p·x / (p·x + q − 1), is
	// evaluated per customer per draw: its per-draw constants are laid out once.
	const spendP = Float64Array.from(spendSets?.slice(0, clvPaired) ?? [], (set) => set.p);
	const spendQMinusOne = Float64Array.from(spendSets?.slice(0, clvPaired) ?? [], (set) => set.q - 1);
	const spendPopulationMean = Float64Array.from(spendSets?.slice(0, clvPaired) ?? [], (set) => (set.p * set.gamma) / (set.q - 1));
	const pAlive = new Float64Array(draws);
	const expected = new Float64Array(draws);
	const orders = new Float64Array(draws);
	const clv = new Float64Array(clvPaired);
	const expectedIfAlive = new Float64Array(draws);
	const clvOrdersIfAlive = new Float64Array(draws);

	const byPurchasesAndAge = new Map<string, string[]>();
	for (const key of byHistory.keys()) {
		const [x, , T] = key.split('|');
		const group = `${x}|${T}`;
		const keys = byPurchasesAndAge.get(group);
		if (keys) keys.push(key);
		else byPurchasesAndAge.set(group, [key]);
	}
	for (const keys of byPurchasesAndAge.values()) {
		const first = historyOf(activities[byHistory.get(keys[0])![0]], settings.asOfDay);
		if (transactionDraws) {
			for (let d = 0; d < draws; d++) {
				const model = transactionDraws[d];
				const alive = orNaN(() => model.conditionalProbabilityAlive(first.frequency, first.recency, first.T));
				expectedIfAlive[d] = orNaN(() => model.predict(settings.horizon, first.frequency, first.recency, first.T)) / alive;
				clvOrdersIfAlive[d] = orNaN(() => model.predict(settings.clvHorizon, first.frequency, first.recency, first.T)) / alive;
			}
		}
		const pointYear = settings.point.predict(settings.clvHorizon, first.frequency, first.recency, first.T);
		const discountShare = pointYear > 0 ? settings.discountedOrders(keys[0]) / pointYear : 0;
		for (const key of keys) {
			const indices = byHistory.get(key)!;
			const h = historyOf(activities[indices[0]], settings.asOfDay);
			const point = customers[indices[0]];
			let pAliveInterval: { low: number; high: number } | undefined;
			let expectedInterval: { low: number; high: number } | undefined;
			if (transactionDraws && point.pAlive !== null && point.expectedOrders !== null) {
				for (let d = 0; d < draws; d++) {
					pAlive[d] = orNaN(() => transactionDraws[d].conditionalProbabilityAlive(h.frequency, h.recency, h.T));
					expected[d] = pAlive[d] * expectedIfAlive[d];
					orders[d] = pAlive[d] * clvOrdersIfAlive[d] * discountShare;
				}
				pAliveInterval = intervalAround(pAlive, point.pAlive);
				expectedInterval = intervalAround(expected, point.expectedOrders);
			}
			const { certainty, reason } = certaintyOf({ repeatOrders: h.frequency, pAlive: point.pAlive, expectedOrders: point.expectedOrders, pAliveInterval, expectedOrdersInterval: expectedInterval });
			for (const index of indices) {
				const customer = customers[index];
				customer.pAliveLow = pAliveInterval?.low ?? null;
				customer.pAliveHigh = pAliveInterval?.high ?? null;
				customer.expectedOrdersLow = expectedInterval?.low ?? null;
				customer.expectedOrdersHigh = expectedInterval?.high ?? null;
				customer.certainty = certainty;
				customer.certaintyReason = reason;
				if (!clvPaired || customer.clv === null || !pAliveInterval) continue;
				const monetary = meanRepeatSpend(activities[index]);
				for (let d = 0; d < clvPaired; d++) {
					const own = h.frequency > 0 ? (spendP[d] * h.frequency) / (spendP[d] * h.frequency + spendQMinusOne[d]) : 0;
					clv[d] = ((1 - own) * spendPopulationMean[d] + own * monetary) * orders[d];
				}
				const clvInterval = intervalAround(clv, customer.clv);
				customer.clvLow = clvInterval?.low ?? null;
				customer.clvHigh = clvInterval?.high ?? null;
			}
		}
	}
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
