import { customerActivity, type ActivityRow } from './activityRows';
import { orderBaskets, type OrderBasket } from './basketRows';
import { programMetrics, type ProgramMetrics } from './metricRows';
import { CrossSellModel, type CrossSellOptions, type CrossSellRule } from './crossSell';
import { replenishmentSchedule, type ProductPurchase, type ReplenishmentDue, type ReplenishmentOptions } from './replenishment';
import { nextBestAction, type NextBestAction, type NextBestActionOptions } from './nextBestAction';
import { getInsight, getModels, saveInsights, saveModel, type InsightChange, type SavedInsight } from './scoreRows';
import type { Store } from '../store/store';
import { fitModels, segmentCustomers, type CustomerActivity, type CustomerInsight, type FittedModels, type SegmentOptions, type TransactionModelName } from './segment';
import { dayNumberOfDate } from './transactions';

export interface InsightServiceOptions {
	programId?: string;
	/** Only orders in this currency count toward spend and purchases (default USD). */
	currency?: string;
	/** The program's IANA time zone: calendar days of customers whose profile names none (default UTC). */
	timeZone?: string;
	now?: () => Date;
}

export function activityOfRow(row: ActivityRow): CustomerActivity {
	return {
		customerId: row.customerId,
		firstDay: dayNumberOfDate(row.firstDate, 'firstDate'),
		lastDay: dayNumberOfDate(row.lastDate, 'lastDate'),
		previousDay: row.previousDate ? dayNumberOfDate(row.previousDate, 'previousDate') : undefined,
		orders: row.orders,
		totalSpend: row.totalSpendMinor,
		repeatSpend: row.repeatSpendMinor,
		categories: row.categories,
	};
}

function savedOf(insight: CustomerInsight, asOf: string): SavedInsight {
	return {
		customerId: insight.customerId,
		asOf,
		segment: insight.segment,
		lifecycle: insight.lifecycle,
		valueTier: insight.valueTier,
		recencyScore: insight.recencyScore,
		frequencyScore: insight.frequencyScore,
		monetaryScore: insight.monetaryScore,
		pAlive: insight.pAlive,
		expectedOrders: insight.expectedOrders,
		clvMinor: insight.clv === null ? null : Math.round(insight.clv),
		clvUnknownReason: insight.clvUnknownReason,
		nextOrderDate: insight.nextOrderDate,
		pAliveLow: insight.pAliveLow,
		pAliveHigh: insight.pAliveHigh,
		expectedOrdersLow: insight.expectedOrdersLow,
		expectedOrdersHigh: insight.expectedOrdersHigh,
		// Rounded outward, so the saved range still holds the saved (rounded) CLV.
		clvMinorLow: insight.clvLow === null ? null : Math.floor(insight.clvLow),
		clvMinorHigh: insight.clvHigh === null ? null : Math.ceil(insight.clvHigh),
		certainty: insight.certainty,
		certaintyReason: insight.certaintyReason,
	};
}

/**
 * Segmentation against the store: aggregates come from SQL, models and pictures are saved per
 * program so rules can read a customer's segment, lifecycle and tier.
 */
export class InsightService {
	private readonly store: Store;
	readonly programId: string;
	readonly currency: string;
	readonly timeZone: string;
	private readonly now: () => Date;

	constructor(store: Store, options: InsightServiceOptions = {}) {
		this.store = store;
		this.programId = options.programId ?? 'default';
		this.currency = options.currency ?? 'USD';
		this.timeZone = options.timeZone ?? 'UTC';
		this.now = options.now ?? (() => new Date());
	}

	async activity(asOf: string): Promise<CustomerActivity[]> {
		dayNumberOfDate(asOf, 'asOf');
		return (await customerActivity(this.store.db, this.currency, asOf, undefined, this.timeZone)).map(activityOfRow);
	}

	/** Fits the models on every customer's history to `asOf` and saves them (or why they failed). */
	async fit(asOf: string, model: TransactionModelName = 'bgnbd', activities?: readonly CustomerActivity[]): Promise<FittedModels> {
		const fitted = fitModels(activities ?? (await this.activity(asOf)), asOf, model);
		const now = this.now().toISOString();
		await this.store.transaction(async (sql) => {
			await saveModel(sql, this.programId, { kind: 'transaction', model, asOf, params: fitted.transaction?.params ?? {}, logLikelihood: fitted.transaction?.logLikelihood ?? null, customers: fitted.transaction?.customers ?? 0, fallbackReason: fitted.transaction ? null : (fitted.fallbackReason ?? null), logCovariance: fitted.transaction?.logCovariance ?? null }, now);
			// Saved whether or not it fitted, so a spend model from an earlier fit is never reused after this one failed.
			if (fitted.transaction) {
				const excluded = fitted.spendExcluded?.customers ? fitted.spendExcluded : null;
				if (fitted.spend) await saveModel(sql, this.programId, { kind: 'spend', model: 'gamma-gamma', asOf, params: fitted.spend.params, logLikelihood: fitted.spend.logLikelihood, customers: fitted.spend.customers, fallbackReason: null, logCovariance: fitted.spend.logCovariance ?? null, excluded }, now);
				else await saveModel(sql, this.programId, { kind: 'spend', model: 'gamma-gamma', asOf, params: {}, logLikelihood: null, customers: 0, fallbackReason: fitted.spendFallbackReason ?? fitted.fallbackReason ?? 'Gamma-Gamma not fitted', logCovariance: null, excluded }, now);
			}
		});
		return fitted;
	}

	/** The models saved by the last fit, in the shape segmentation reuses; undefined before any fit. */
	async savedModels(): Promise<FittedModels | undefined> {
		const saved = await getModels(this.store.db, this.programId);
		const transaction = saved.find((m) => m.kind === 'transaction');
		if (!transaction) return undefined;
		const spend = saved.find((m) => m.kind === 'spend');
		return {
			transaction: transaction.fallbackReason ? undefined : { model: transaction.model as TransactionModelName, params: transaction.params, logLikelihood: transaction.logLikelihood ?? Number.NaN, customers: transaction.customers, ...(transaction.logCovariance ? { logCovariance: transaction.logCovariance } : {}) },
			spend: spend && !spend.fallbackReason ? { params: spend.params, logLikelihood: spend.logLikelihood ?? Number.NaN, customers: spend.customers, ...(spend.logCovariance ? { logCovariance: spend.logCovariance } : {}) } : undefined,
			...(spend ? { spendExcluded: spend.excluded ?? { customers: 0, reasons: [] } } : {}),
			...(spend?.fallbackReason ? { spendFallbackReason: spend.fallbackReason } : {}),
			fallbackReason: transaction.fallbackReason ?? spend?.fallbackReason ?? undefined,
		};
	}

	/**
	 * Scores every customer as of `asOf` and saves the pictures. Reuses the saved models when there
	 * are any (fit them with `fit`), otherwise — or with `refit` — fits now on the same aggregates. Returns every picture and the moves.
	 */
	async scoreAll(asOf: string, options: Omit<SegmentOptions, 'asOf' | 'fitted'> & { refit?: boolean } = {}): Promise<{ customers: CustomerInsight[]; changes: InsightChange[]; models: FittedModels }> {
		const activities = await this.activity(asOf);
		const saved = options.refit ? undefined : await this.savedModels();
		const fitted = saved ?? (await this.fit(asOf, options.model, activities));
		const run = segmentCustomers(activities, { ...options, asOf, fitted });
		const now = this.now().toISOString();
		const changes = await this.store.transaction((sql) => saveInsights(sql, this.programId, run.customers.map((c) => savedOf(c, asOf)), now));
		return { customers: run.customers, changes, models: run.models };
	}

	/**
	 * One customer's picture. Quintiles are relative to the whole customer base, so the population
	 * is scored in memory; only this customer's picture is saved.
	 */
	async scoreOne(customerId: string, asOf: string, options: Omit<SegmentOptions, 'asOf' | 'fitted'> = {}): Promise<{ insight: CustomerInsight | undefined; change: InsightChange | undefined }> {
		const activities = await this.activity(asOf);
		if (!activities.some((a) => a.customerId === customerId)) return { insight: undefined, change: undefined };
		const fitted = (await this.savedModels()) ?? (await this.fit(asOf, options.model));
		const run = segmentCustomers(activities, { ...options, asOf, fitted });
		const insight = run.customers.find((c) => c.customerId === customerId)!;
		const now = this.now().toISOString();
		const [change] = await this.store.transaction((sql) => saveInsights(sql, this.programId, [savedOf(insight, asOf)], now));
		return { insight, change };
	}

	/**
	 * "Also bought" picks for a customer from every order's items (SKUs, or categories with
	 * `by: 'category'`), leaving out what they already buy.
	 */
	async crossSellFor(customerId: string, asOf: string, options: CrossSellOptions & { by?: 'sku' | 'category'; limit?: number } = {}): Promise<CrossSellRule[]> {
		const baskets = await orderBaskets(this.store.db, dayAfter(asOf));
		const itemsOf = (b: OrderBasket): string[] => b.lines.map((l) => (options.by === 'category' ? l.category : l.sku)).filter((v): v is string => !!v);
		const model = new CrossSellModel(baskets.map(itemsOf), options);
		const owned = baskets.filter((b) => b.customerId === customerId).flatMap(itemsOf);
		return model.picksFor(owned, options.limit ?? 3);
	}

	/** The next best action for a customer, from their picture and their orders' discounts and categories. */
	async nextBestActionFor(customerId: string, asOf: string, options: NextBestActionOptions & Omit<SegmentOptions, 'asOf' | 'fitted'> = {}): Promise<NextBestAction | undefined> {
		const { insight } = await this.scoreOne(customerId, asOf, options);
		if (!insight) return undefined;
		const baskets = await orderBaskets(this.store.db, dayAfter(asOf), customerId);
		const spendByCategory = new Map<string, number>();
		let lineSpend = 0;
		for (const basket of baskets) for (const line of basket.lines) {
			if (!line.category) continue;
			spendByCategory.set(line.category, (spendByCategory.get(line.category) ?? 0) + line.totalMinor);
			lineSpend += line.totalMinor;
		}
		const [topCategory, topSpend] = [...spendByCategory.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [undefined, 0];
		return nextBestAction(
			{
				lifecycle: insight.lifecycle,
				valueTier: insight.valueTier,
				discountShare: baskets.length ? baskets.filter((b) => b.discounted).length / baskets.length : 0,
				topCategoryShare: lineSpend > 0 ? topSpend / lineSpend : 0,
				topCategory,
				orders: baskets.length,
			},
			options,
		);
	}

	/**
	 * Products the customer buys regularly and when they will run out, from every customer's
	 * purchases of each SKU (the population interval the customer's own is shrunk toward).
	 */
	async replenishmentFor(customerId: string, asOf: string, options: ReplenishmentOptions = {}): Promise<(Omit<ReplenishmentDue, 'lastDay' | 'dueDay' | 'remindDay'> & { lastDate: string; dueDate: string; remindDate: string })[]> {
		const baskets = await orderBaskets(this.store.db, dayAfter(asOf));
		return replenishmentSchedule(productPurchasesOf(baskets), options)
			.filter((d) => d.customerId === customerId)
			.map(withReplenishmentDates);
	}

	/** Enrollment, activity and redemption of members, repeat rate and AOV of members vs others, CLV by segment. */
	programMetrics(asOf: string, activeDays = 90): Promise<ProgramMetrics> {
		const end = dayAfter(asOf);
		const since = new Date(Date.parse(end) - activeDays * 86_400_000).toISOString();
		return programMetrics(this.store.db, this.programId, this.currency, since, end);
	}

	saved(customerId: string): Promise<SavedInsight | undefined> {
		return getInsight(this.store.db, this.programId, customerId);
	}
}

/** Every SKU line of every basket as a purchase on its (UTC) day: replenishmentSchedule's input, for one customer or all. */
export function productPurchasesOf(baskets: readonly OrderBasket[]): ProductPurchase[] {
	return baskets.flatMap((b) => {
		const day = Math.floor(Date.parse(b.placedAt) / 86_400_000);
		return b.lines.filter((l) => l.sku).map((l) => ({ customerId: b.customerId, product: l.sku as string, day, quantity: l.quantity }));
	});
}

/** A replenishment result with its day numbers as YYYY-MM-DD dates. */
export function withReplenishmentDates({ lastDay, dueDay, remindDay, ...rest }: ReplenishmentDue): Omit<ReplenishmentDue, 'lastDay' | 'dueDay' | 'remindDay'> & { lastDate: string; dueDate: string; remindDate: string } {
	const date = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
	return { ...rest, lastDate: date(lastDay), dueDate: date(dueDay), remindDate: date(remindDay) };
}

function dayAfter(asOf: string): string {
	return new Date(dayNumberOfDate(asOf, 'asOf') * 86_400_000 + 86_400_000).toISOString();
}
