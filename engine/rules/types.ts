import type { ConsentChannel } from '../model/customer';
import type { Route } from './vocabulary';

/**
 * The event as rules see it: a canonical LoyaltyEvent fits, and so do due, cart and engagement
 * events from schedule mode (`source: 'schedule'`) or any JSON source (extra fields live under `data`).
 */
export interface RuleEvent {
	id?: string;
	type: string;
	occurredAt: string;
	idempotencyKey: string;
	source?: string;
	customer?: { identities?: Record<string, string | undefined>; timeZone?: string; tags?: string[]; birthday?: { month: number; day: number; year?: number }; firstName?: string };
	order?: { id: string; source?: string; status?: string; currency: string; totalMinor: number; placedAt?: string; couponCodes?: string[]; channel?: string; location?: string; lines?: Array<{ sku?: string; category?: string; quantity?: number; totalMinor?: number }> };
	refund?: { id: string; amountMinor: number; currency: string; orderId?: string };
	cart?: { id?: string; currency: string; totalMinor: number; idleMinutes?: number; lines?: Array<{ sku?: string; category?: string; quantity?: number; totalMinor?: number }>; checkoutUrl?: string };
	data?: Record<string, unknown>;
	// --- browse and price triggers (engine/browse) ---
	product?: { id: string; wishlisted?: boolean; categories?: string[] };
	browse?: { productViewsToday: number; productViews7Days: number; productViews30Days: number; categoryViews7Days: number; categoryViews30Days: number; purchasedSinceFirstView: boolean };
	productAlert?: { id: string; priceDropPercent?: number; priceMinor?: number; interest?: string };
}

/** What the store knows about the customer. Anything absent makes a condition on it "not met". */
export interface RuleProfile {
	customerKey: string;
	/** The customer's id in the store; absent for a customer the store does not know yet. */
	customerId?: string;
	timeZone?: string;
	spendMinor?: number;
	orderCount?: number;
	averageOrderMinor?: number;
	firstOrderAt?: string;
	lastOrderAt?: string;
	favouriteCategory?: string;
	tier?: string;
	segment?: string;
	lifecycle?: string;
	/** high-value, mid or occasional (Segment Customer). */
	valueTier?: string;
	consent?: ConsentChannel[];
	tags?: string[];
	pointsBalance?: number;
	visitCount?: number;
	birthday?: { month: number; day: number; year?: number };
	/** Paid orders placed in one of the shop's stores, this order included. */
	inStoreOrderCount?: number;
	/** Paid orders placed online, this order included. */
	onlineOrderCount?: number;
	/** Distinct stores (locations) the customer has paid orders at, this order's included. */
	locationCount?: number;
	/** Paid orders at this order's location, this order included; absent when the event's order names no location. */
	ordersAtLocation?: number;
	// Badges and perks (engine/badges).
	/** Badge ids the customer holds (for a customer on file), for "not yet earned" conditions. */
	badges?: string[];
	/** Distinct categories the customer has bought in paid orders, this order's included. */
	categoryCount?: number;
	/** Friends the customer brought whose first order was rewarded and not refunded (engine/referral); read only for rule sets that ask. */
	referralCount?: number;
}

/** Usage counted for the period that contains `now`, keyed by the compiled cap's key. */
export interface CapUsage {
	points: number;
	offers: number;
	costMinor: number;
	revenueMinor: number;
	firings: number;
}

export interface RuleCounters {
	/** Per rule: this customer's firings inside the rule's frequency window. */
	ruleUses: Record<string, number>;
	/** This customer's rewarded decisions today (customer's time zone), for the program-wide limit. */
	customerRewardsToday: number;
	capUsage: Record<string, CapUsage>;
	/** Per rule: until when it is suppressed for this customer (a conflict winner's hold). */
	suppressedUntil: Record<string, string>;
	/** Per held rule: the conflict winner that holds it. */
	suppressedBy?: Record<string, string>;
	/** Category/SKU bonuses an earlier decision granted this customer and that are still running. */
	activeBonuses?: ActiveBonus[];
	/** Challenges an earlier decision started for this customer, not completed and not ended (or completed by this same event). */
	runningChallenges?: RunningChallenge[];
}

export interface ChallengeReward {
	points?: number;
	multiplier?: number;
}

/** A paid purchase as a challenge counts it. */
export interface ChallengePurchase {
	key: string;
	placedAt: string;
	netMinor: number;
	currency: string;
}

export interface RunningChallenge {
	ruleId: string;
	/** The event whose decision started it. */
	sourceEventKey: string;
	challenge: string;
	goal: number;
	startsAt: string;
	endsAt: string;
	reward: ChallengeReward;
	/** Paid purchases placed after `startsAt` and up to now, this event's order included once, oldest first. */
	purchases: ChallengePurchase[];
}

/** A challenge a fired rule starts with this decision (`recordDecision` stores it). */
export interface ChallengeStart {
	ruleId: string;
	challenge: string;
	goal: number;
	startsAt: string;
	endsAt: string;
	reward: ChallengeReward;
}

/** A running challenge this purchase brought to its goal. */
export interface ChallengeCompletion {
	ruleId: string;
	sourceEventKey: string;
	challenge: string;
	goal: number;
	/** The purchases counted (at most `goal`, oldest first). */
	purchases: string[];
	/** Extra points awarded (included in `pointsToAward`); 0 when a cap or ceiling held the reward back. */
	points: number;
	/** Why the reward was held back, when it was. */
	suppressed?: string;
}

/** Bonus or challenge points, counted against the caps and ceilings of the rule that granted them. */
export interface ExtraPointsUsage {
	kind: 'bonus' | 'challenge';
	ruleId: string;
	sourceEventKey: string;
	points: number;
	costMinor: number;
	revenueMinor: number;
}

export interface ScheduledFollowUp {
	ruleId: string;
	dueAt: string;
	unlessEvent?: string;
	identities: Record<string, string | undefined>;
}

export interface ActiveBonus {
	ruleId: string;
	sourceEventKey: string;
	categories: string[];
	skus: string[];
	multiplier: number;
	until: string;
}

/** Extra points on this purchase from a running bonus ("double points on pastries for 7 days"). */
export interface BonusAward {
	ruleId: string;
	sourceEventKey: string;
	multiplier: number;
	points: number;
	/** Order lines (by index) the bonus applied to. */
	lines: number[];
}

export interface EvaluationContext {
	event: RuleEvent;
	profile: RuleProfile;
	/** Keyed by the compiled aggregate key (see CompiledRuleSet.requiredAggregates). */
	aggregates: Record<string, number>;
	counters: RuleCounters;
}

export const RuleOutcome = {
	Fired: 'fired',
	NotMet: 'not_met',
	OutOfSchedule: 'out_of_schedule',
	Suppressed: 'suppressed',
	Holdout: 'holdout',
	Disabled: 'disabled',
	/** A challenge the rule started: started, not started again, progress or completed (see `reason`). */
	Challenge: 'challenge',
} as const;
export type RuleOutcome = (typeof RuleOutcome)[keyof typeof RuleOutcome];

export const SuppressionKind = {
	Frequency: 'frequency',
	Suppression: 'suppression',
	Conflict: 'conflict',
	Cap: 'cap',
	DailyLimit: 'daily_limit',
	CostCeiling: 'cost_ceiling',
} as const;
export type SuppressionKind = (typeof SuppressionKind)[keyof typeof SuppressionKind];

/** One evaluated condition: the explanation is this tree (or its first failing leaf). */
export interface EvaluatedCondition {
	path: string;
	fact: string;
	operator: string;
	expected: unknown;
	actual: unknown;
	result: boolean;
	reason?: string;
}

export type EvaluatedNode = EvaluatedCondition | { path: string; all: EvaluatedNode[]; result: boolean } | { path: string; any: EvaluatedNode[]; result: boolean } | { path: string; not: EvaluatedNode; result: boolean };

export interface RuleExplanation {
	ruleId: string;
	name?: string;
	outcome: RuleOutcome;
	/** Why, in plain English; for "not_met" the failed condition says it (see explanationLine). */
	reason?: string;
	failedCondition?: EvaluatedCondition;
	suppressedBy?: { kind: SuppressionKind; detail: string; byRuleId?: string; capKey?: string };
	arm?: string;
	/** The evaluated condition tree, for rules that fired. */
	conditions?: EvaluatedNode;
}

export interface MaterializedAction {
	type: string;
	route: Route;
	[key: string]: unknown;
}

export interface FiredRule {
	ruleId: string;
	/** Set when this firing is the follow-up a rule scheduled on an earlier event. */
	followUpOf?: string;
	name?: string;
	priority: number;
	arm?: string;
	/** The rule's experiment, when it has one: Send Offer logs the arm under it. */
	experimentId?: string;
	actions: MaterializedAction[];
	points: number;
	offers: number;
	costMinor: number;
	revenueMinor: number;
	valueMinor: number;
}

export interface SuppressionToCreate {
	ruleId: string;
	until: string;
	byRuleId: string;
}

/** A badge a decision gives: only to a customer on file who does not hold it yet. */
export interface BadgeAward {
	ruleId: string;
	badge: string;
	name: string;
}

/** A tag an early-access perk puts on the customer (on file). */
export interface PerkTag {
	ruleId: string;
	tag: string;
}

export interface Decision {
	eventKey: string;
	eventType: string;
	customerKey: string;
	evaluatedAt: string;
	programId: string;
	/** The stored program version whose settings applied (engine/program). */
	programVersion?: number;
	/** Which outputs of the node the item goes to; empty means "Nothing". */
	routes: Route[];
	fired: FiredRule[];
	/** Rules held back in an experiment: they would have fired, the customer is in the holdout. */
	holdouts: Array<{ ruleId: string; experimentId: string; arm: 'holdout' }>;
	bonusAwards: BonusAward[];
	/** Running challenges this purchase completed ("2 purchases this month" reached). */
	challengeCompletions: ChallengeCompletion[];
	/** Challenges fired rules start with this decision. */
	challengesToStart: ChallengeStart[];
	/** Bonus and challenge points, recorded against their rules' caps and ceilings. */
	extraPointsUsage: ExtraPointsUsage[];
	/** Follow-ups to schedule ("if no purchase in 24 h, then ..."); they come back as follow_up_due events. */
	followUps: ScheduledFollowUp[];
	/** Points of fired rules plus running bonuses and completed challenges, for Award Points to award. */
	pointsToAward: number;
	suppressionsToCreate: SuppressionToCreate[];
	explanation: RuleExplanation[];
	// Badges and perks: present only when a fired rule gives one.
	/** Badges this decision awards (recordDecision writes them, once per customer and badge). */
	badgeAwards?: BadgeAward[];
	/** Tags early-access perks put on the customer (recordDecision adds them to the profile). */
	perkTags?: PerkTag[];
}
