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
	// --- browse and price triggers (engine/browse) ---
	ProductViewed: 'product_viewed',
	PriceDropped: 'price_dropped',
	BackInStock: 'back_in_stock',
} as const;
export type RuleTrigger = (typeof RuleTrigger)[keyof typeof RuleTrigger];
export const RULE_TRIGGERS = Object.values(RuleTrigger) as [RuleTrigger, ...RuleTrigger[]];

/**
 * Each trigger in a shop owner's words, for the lists that offer them (Evaluate Rules' "When" and
 * "Event Type"). A Record over the union, so a new trigger cannot go without its words.
 */
export const RULE_TRIGGER_DESCRIPTIONS: Readonly<Record<RuleTrigger, string>> = {
	purchase: 'A paid order, from the shop, the till or your own workflow',
	refund: 'Money given back on an order, in full or in part',
	order_updated: 'An order that changed without being paid, such as pending, cancelled or failed',
	customer_updated: 'A customer was added or their details changed in the shop',
	signup: 'A customer joined your program, sent in by your own workflow (a sign-up form, for example)',
	cart_updated: 'A cart was started or changed',
	cart_abandoned: 'A cart left without an order, from the Loyalty Schedule Trigger',
	birthday_due: 'A customer’s birthday, from the Loyalty Schedule Trigger',
	inactivity_due: 'A customer who has not ordered for a while, from the Loyalty Schedule Trigger',
	replenishment_due: 'A product the customer buys regularly is about to run out, from the Loyalty Schedule Trigger',
	follow_up_due: 'A follow-up that a rule planned earlier is due ("no purchase 24 hours later"), from the Loyalty Schedule Trigger',
	points_expiring: 'Some of the customer’s points expire soon, from the Loyalty Schedule Trigger',
	tier_review_due: 'A customer’s tier is up for its periodic review, from the Loyalty Schedule Trigger',
	challenge_deadline: 'A challenge a rule started ends soon and is not completed yet, from the Loyalty Schedule Trigger',
	email_click: 'The customer clicked a link in one of your emails, sent in by your own workflow',
	visit: 'The customer visited or checked in, with or without buying, sent in by your own workflow',
	// --- browse and price triggers (engine/browse) ---
	product_viewed: 'The customer looked at a product or put it on a wish list (Klaviyo Viewed Product, or your site’s signed JSON)',
	price_dropped: 'A product the customer looked at or wish-listed got cheaper (one alert per customer)',
	back_in_stock: 'A product the customer looked at or wish-listed is back in stock (one alert per customer)',
};

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
	// Badges and perks (engine/badges): recognition and non-monetary rewards.
	AwardBadge: 'award_badge',
	Perk: 'perk',
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
	// Badges and perks: a badge is recorded with the decision; free shipping is a coupon Send Offer
	// creates (an early-access perk is a tag, and goes out on Other instead: see actions.ts).
	award_badge: Route.Other,
	perk: Route.Offer,
};

/** Non-monetary rewards a rule can give (the `perk` action). */
export const PerkKind = { FreeShipping: 'free_shipping', EarlyAccess: 'early_access' } as const;
export type PerkKind = (typeof PerkKind)[keyof typeof PerkKind];
export const PERK_KINDS = Object.values(PerkKind) as [PerkKind, ...PerkKind[]];

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
