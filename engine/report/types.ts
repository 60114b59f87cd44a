import type { PeriodBucket, ReportPeriod } from './periods';
import type { ReferralReport } from './referrals';

/** One JSON-able value: the CLI prints it, the page renders it, the tests compare them. */
export interface LoyaltyReport {
	version: 1;
	generatedAt: string;
	programId: string;
	currency: string;
	timeZone: string;
	period: ReportPeriod;
	periods: PeriodBucket[];
	/** True when the store holds nothing for this program yet: the page shows how to connect a shop. */
	empty: boolean;
	health: HealthReport;
	program: ProgramReport;
	campaigns: CampaignReport;
	experiments: ExperimentReport[];
	customers: CustomerReport;
	/** Referrals, conversions and refusals (engine/report/referrals.ts); absent in reports stored before it. */
	referrals?: ReferralReport;
	/** Plain sentences about what the numbers leave out. */
	notes: string[];
}

/** What the health check reads: the health section, the period it counts in, and held orders. */
export type HealthView = Pick<LoyaltyReport, 'period' | 'health'> & { program: Pick<ProgramReport, 'held'> };

export interface SourceHealth {
	source: string;
	total: number;
	/** Events per day over the report's span, oldest first (`days[i]` is the date). */
	perDay: number[];
	/** Events per hour over the last 24 hours, oldest first. */
	perHour: number[];
	lastEventAt?: string;
	/** Median gap between consecutive events over the span, in hours. */
	medianGapHours?: number;
	quietHours?: number;
	/** max(quietFactor × median gap, minQuietHours); 3 × and 24 h unless the caller chose otherwise. */
	quietThresholdHours?: number;
	warning?: string;
}

export interface ReconciliationRow {
	/** Period key (the period's first day). */
	key: string;
	/** Distinct orders seen in purchase events. */
	ordersSeen: number;
	/** Orders recorded in the store's order table. */
	ordersRecorded: number;
	/** Orders with an earn (or pending earn) in the ledger. */
	ordersEarning: number;
	/** Orders that earned nothing, by reason. */
	notEarning: Record<string, number>;
	quarantined: number;
}

export const NotEarningReason = {
	BelowMinimum: 'below the amount that earns one point',
	NoEarnRate: 'another currency without an earn rate',
	HeldForApproval: 'held for approval (above the per-order ceiling)',
	Declined: 'declined by the owner',
	NotPaid: 'not paid (yet)',
	NotProcessed: 'not processed yet',
} as const;

export interface HealthReport {
	/** Dates (YYYY-MM-DD in the shop's zone) of `SourceHealth.perDay`. */
	days: string[];
	/** Start of each hour (ISO) of `SourceHealth.perHour`. */
	hours: string[];
	sources: SourceHealth[];
	quarantine: {
		open: number;
		byReason: Array<{ code: string; count: number; example: string }>;
		recent: Array<{ id: string; source: string; code: string; message: string; lastSeenAt: string; timesSeen: number }>;
	};
	runs: { owed: number; running: number; parked: number; done: number; recovered: number; parkedList: Array<{ eventId: string; eventType: string; attempts: number; lastError: string | null; workflowId: string | null }> };
	/** Orders by when their purchase event happened (or, recorded without an event, when placed). */
	reconciliation: {
		rows: ReconciliationRow[];
		/** Up to 20 orders that earned nothing, oldest first. */
		examples: Array<{ source: string; orderId: string; at: string; reason: string }>;
	};
}

export interface ProgramReport {
	members: number;
	/** Members first seen as customers within the window. */
	newMembers: number;
	/** Earned or redeemed in the last 90 days. */
	activeMembers: number;
	points: {
		issued: number;
		redeemed: number;
		expired: number;
		reversed: number;
		adjustedNet: number;
		/** Per period, in the report's periods. */
		issuedPerPeriod: number[];
		redeemedPerPeriod: number[];
		expiredPerPeriod: number[];
	};
	outstanding: { available: number; pending: number; total: number };
	liability: { redemptionValue: number; minor: number; method: string };
	breakage: { status: 'estimated' | 'not_enough_history'; share?: number; cohortPoints: number; expiredPoints: number; unredeemedPoints: number; method: string };
	/** Redeemed ÷ (issued − reversed), all time. */
	redemptionRate?: number;
	tiers: Array<{ tier: string; members: number }>;
	held: { count: number; points: number };
}

export interface RuleCampaign {
	ruleId: string;
	decisions: number;
	rewarded: number;
	holdouts: number;
	points: number;
	offers: number;
	costMinor: number;
	revenueMinor: number;
	sends: number;
	sendsByStatus: Record<string, number>;
	redemptions: number;
	redemptionRevenueMinor: number;
	/** costMinor ÷ (revenueMinor + redemptionRevenueMinor), when there is revenue. */
	costShare?: number;
}

export interface CampaignReport {
	rules: RuleCampaign[];
	offers: Array<{ offerTemplateId: string; channel: string; sends: number; redemptions: number; redemptionRevenueMinor: number }>;
	suppressions: Record<string, number>;
	totals: { decisions: number; costMinor: number; revenueTouchedMinor: number; costShare?: number; guide: string };
}

export interface ArmResult {
	arm: string;
	customers: number;
	converted: number;
	conversionRate: number;
	revenuePerCustomerMinor: number;
}

export interface ExperimentReport {
	id: string;
	kind: 'rule holdout' | 'offer holdout';
	ruleId?: string;
	arms: ArmResult[];
	control?: ArmResult;
	treatment?: ArmResult;
	/** Treatment − control conversion, with its 95% interval (Newcombe's hybrid score method). */
	lift?: { difference: number; low: number; high: number; method: string };
	requiredPerArm: number;
	/** min(customers per arm) ÷ requiredPerArm, capped at 1. */
	progress: number;
	verdict: { kind: 'not_enough_data' | 'better' | 'worse' | 'no_clear_difference'; text: string };
}

export interface CustomerGroup {
	customers: number;
	orders: number;
	/** Share of customers with two or more orders. */
	repeatRate?: number;
	averageOrderMinor?: number;
}

export interface CustomerReport {
	members: CustomerGroup;
	nonMembers: CustomerGroup;
	caveat: string;
	segments: Array<{ name: string; customers: number }>;
	lifecycle: Array<{ name: string; customers: number }>;
	otherCurrencyOrders: number;
}
