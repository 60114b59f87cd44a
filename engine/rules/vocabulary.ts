/**
 * Closed vocabularies of the rule model. Triggers are a superset of the canonical event types:
 * due events (birthday, inactivity, replenishment, cart abandoned, points expiring, tier review, challenge deadline) and engagement events come from
 * schedule mode or any JSON source, so a rule may name them before the model lists them.
 */
export const RuleTrigger = {
	Purchase: 'purchase',
	Refund: 'refund',
	OrderUpdated: 'order_updated',
	CustomerUpdated: 'customer_updated',
	Signup: 'signup',
	CartUpdated: 'cart_updated',
	CartAbandoned: 'cart_abandoned',
	BirthdayDue: 'birthday_due',
	InactivityDue: 'inactivity_due',
	ReplenishmentDue: 'replenishment_due',
	FollowUpDue: 'follow_up_due',
	PointsExpiring: 'points_expiring',
	TierReviewDue: 'tier_review_due',
	/** A running challenge ends soon and is not completed (schedule mode's `challengeDeadline`). */
	ChallengeDeadline: 'challenge_deadline',
	EmailClick: 'email_click',
	Visit: 'visit',
} as const;
export type RuleTrigger = (typeof RuleTrigger)[keyof typeof RuleTrigger];
export const RULE_TRIGGERS = Object.values(RuleTrigger) as [RuleTrigger, ...RuleTrigger[]];

export const ActionType = {
	AwardPoints: 'award_points',
	CategoryBonus: 'category_bonus',
	SendOffer: 'send_offer',
	IssueCoupon: 'issue_coupon',
	SetTier: 'set_tier',
	AddTag: 'add_tag',
	RemoveTag: 'remove_tag',
	StartChallenge: 'start_challenge',
	ScheduleFollowUp: 'schedule_follow_up',
} as const;
export type ActionType = (typeof ActionType)[keyof typeof ActionType];

/** Which output of the node a fired action routes to. */
export const Route = { Award: 'award', Offer: 'offer', Other: 'other' } as const;
export type Route = (typeof Route)[keyof typeof Route];

export const ROUTE_OF_ACTION: Readonly<Record<ActionType, Route>> = {
	award_points: Route.Award,
	category_bonus: Route.Award,
	send_offer: Route.Offer,
	issue_coupon: Route.Offer,
	set_tier: Route.Other,
	add_tag: Route.Other,
	remove_tag: Route.Other,
	start_challenge: Route.Other,
	schedule_follow_up: Route.Other,
};

export const Period = { Day: 'day', Week: 'week', Month: 'month' } as const;
export type Period = (typeof Period)[keyof typeof Period];
export const PERIODS = Object.values(Period) as [Period, ...Period[]];

export const DAYS_OF_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** Windowed aggregates a condition can ask for; the store computes exactly the declared ones. */
export const AggregateMeasure = {
	Orders: 'orders',
	SpendMinor: 'spend_minor',
	CategoryPurchases: 'category_purchases',
} as const;
export type AggregateMeasure = (typeof AggregateMeasure)[keyof typeof AggregateMeasure];
export const AGGREGATE_MEASURES = Object.values(AggregateMeasure) as [AggregateMeasure, ...AggregateMeasure[]];
