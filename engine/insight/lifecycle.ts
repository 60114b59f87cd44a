/**
 * Lifecycle stage from a customer's own purchase rhythm: someone who buys every 90 days is not at
 * risk on day 40. The rhythm is the mean gap between their orders; with a single order there is
 * none yet, so the population's typical gap stands in.
 */
export const LifecycleStage = {
	New: 'new',
	Active: 'active',
	Loyal: 'loyal',
	AtRisk: 'at-risk',
	Lapsed: 'lapsed',
	Reactivated: 'reactivated',
} as const;
export type LifecycleStage = (typeof LifecycleStage)[keyof typeof LifecycleStage];

/** What the stage is computed from; all days are whole calendar days. */
export interface PurchaseActivity {
	customerId: string;
	firstDay: number;
	lastDay: number;
	/** Second-to-last distinct purchase day (absent with one order). */
	previousDay?: number;
	/** Distinct purchase days. */
	orders: number;
}

export interface LifecycleOptions {
	/** 'rhythm' (default): thresholds are multiples of the customer's own gap; 'fixed': in days. */
	mode?: 'rhythm' | 'fixed';
	/** Rhythm mode: at risk after this many gaps without an order (default 2). */
	atRiskGaps?: number;
	/** Rhythm mode: lapsed after this many gaps (default 4). */
	lapsedGaps?: number;
	/** Fixed mode: days without an order before at-risk (default 90) and lapsed (default 180). */
	atRiskDays?: number;
	lapsedDays?: number;
	/** Gap to assume for one-order customers (default 30 days; pass the population's median). */
	populationGapDays?: number;
	/** A one-order customer is new for this many days (default 30). */
	newDays?: number;
	/** Orders from which an active customer is loyal (default 4). */
	loyalOrders?: number;
}

export interface LifecycleResult {
	stage: LifecycleStage;
	/** The gap (days) the thresholds were measured against. */
	rhythmDays: number;
	daysSinceLastOrder: number;
}

export function lifecycleStage(activity: PurchaseActivity, asOfDay: number, options: LifecycleOptions = {}): LifecycleResult {
	const mode = options.mode ?? 'rhythm';
	const populationGap = options.populationGapDays ?? 30;
	const daysSince = asOfDay - activity.lastDay;
	const rhythm = activity.orders >= 2 ? Math.max(1, (activity.lastDay - activity.firstDay) / (activity.orders - 1)) : populationGap;
	const atRisk = mode === 'fixed' ? (options.atRiskDays ?? 90) : (options.atRiskGaps ?? 2) * rhythm;
	const lapsed = mode === 'fixed' ? (options.lapsedDays ?? 180) : (options.lapsedGaps ?? 4) * rhythm;
	const result = (stage: LifecycleStage): LifecycleResult => ({ stage, rhythmDays: rhythm, daysSinceLastOrder: daysSince });
	if (daysSince > lapsed) return result(LifecycleStage.Lapsed);
	if (daysSince > atRisk) return result(LifecycleStage.AtRisk);
	if (activity.orders >= 3 && activity.previousDay !== undefined) {
		// Came back after a gap that, measured by their rhythm before it, meant they had lapsed.
		const earlierRhythm = mode === 'fixed' ? 0 : Math.max(1, (activity.previousDay - activity.firstDay) / (activity.orders - 2));
		const lapsedBefore = mode === 'fixed' ? (options.lapsedDays ?? 180) : (options.lapsedGaps ?? 4) * earlierRhythm;
		if (activity.lastDay - activity.previousDay > lapsedBefore) return result(LifecycleStage.Reactivated);
	}
	if (activity.orders === 1 && daysSince <= (options.newDays ?? 30)) return result(LifecycleStage.New);
	if (activity.orders >= (options.loyalOrders ?? 4)) return result(LifecycleStage.Loyal);
	return result(LifecycleStage.Active);
}
