import { z } from 'zod/v4';
import { BADGE_ID_PATTERN } from '../badges';
import { AGGREGATE_MEASURES, DAYS_OF_WEEK, PERIODS, PERK_KINDS, RULE_TRIGGERS } from './vocabulary';

/**
 * The rule model, version 1: JSON-serialisable, validated once at compile time. Written with
 * zod/v4 (shipped inside zod 3.25) because it converts to JSON Schema for `n8n-loyalty schema`.
 */
export const RULE_SCHEMA_VERSION = 1;

const isoInstant = z.iso.datetime({ offset: true });
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day such as 07:00');
const positiveMinor = z.number().int('must be a whole number of minor units (cents)').positive();

export const aggregateSchema = z
	.object({
		measure: z.enum(AGGREGATE_MEASURES),
		/** For category_purchases: the category whose purchases (order lines) are counted. */
		category: z.string().min(1).optional(),
		lastDays: z.number().int().positive().optional(),
		/** The current calendar period in the customer's time zone ("orders this calendar month"). */
		calendar: z.enum(PERIODS).optional(),
	})
	.strict()
	.refine((a) => (a.lastDays === undefined) !== (a.calendar === undefined), { message: 'give exactly one of lastDays or calendar' })
	.refine((a) => a.measure !== 'category_purchases' || a.category !== undefined, { message: 'category_purchases needs a category', path: ['category'] });
export type AggregateSpec = z.infer<typeof aggregateSchema>;

export const conditionSchema = z
	.object({
		fact: z.string().min(1).optional(),
		aggregate: aggregateSchema.optional(),
		operator: z.string().min(1),
		value: z.unknown().optional(),
	})
	.strict();
export type ConditionInput = z.infer<typeof conditionSchema>;

export type ConditionNodeInput = ConditionInput | { all: ConditionNodeInput[] } | { any: ConditionNodeInput[] } | { not: ConditionNodeInput };

/** Documents the condition tree for JSON Schema; the compiler walks the tree itself for exact paths. */
export const conditionNodeSchema: z.ZodType<ConditionNodeInput> = z.lazy(() =>
	z.union([
		conditionSchema,
		z.object({ all: z.array(conditionNodeSchema) }).strict(),
		z.object({ any: z.array(conditionNodeSchema) }).strict(),
		z.object({ not: conditionNodeSchema }).strict(),
	]),
);

export const scheduleSchema = z
	.object({
		activeFrom: isoInstant.optional(),
		activeTo: isoInstant.optional(),
		daysOfWeek: z.array(z.enum(DAYS_OF_WEEK)).min(1).optional(),
		hours: z.object({ from: clockTime, to: clockTime }).strict().optional(),
	})
	.strict();
export type Schedule = z.infer<typeof scheduleSchema>;

const reward = z.object({ points: z.number().int().positive().optional(), multiplier: z.number().positive().optional() }).strict();

const awardPoints = z
	.object({
		type: z.literal('award_points'),
		mode: z.enum(['fixed', 'per_currency_unit', 'multiplier']),
		/** fixed: this many points. */
		points: z.number().int().positive().optional(),
		/** per_currency_unit: points for every whole unit (dollar) of the order or cart. */
		pointsPerUnit: z.number().positive().optional(),
		/** multiplier: the order's base points times this (2 = double points). */
		multiplier: z.number().positive().optional(),
	})
	.strict()
	.refine((a) => (a.mode === 'fixed' ? a.points !== undefined : a.mode === 'per_currency_unit' ? a.pointsPerUnit !== undefined : a.multiplier !== undefined), {
		message: 'fixed needs points, per_currency_unit needs pointsPerUnit, multiplier needs multiplier',
	});

const categoryBonus = z
	.object({
		type: z.literal('category_bonus'),
		categories: z.array(z.string().min(1)).optional(),
		skus: z.array(z.string().min(1)).optional(),
		multiplier: z.number().positive(),
		days: z.number().int().positive(),
		recommend: z.boolean().optional(),
	})
	.strict()
	.refine((a) => (a.categories?.length ?? 0) + (a.skus?.length ?? 0) > 0, { message: 'name at least one category or SKU' });

const sendOffer = z
	.object({
		type: z.literal('send_offer'),
		template: z.string().min(1),
		channel: z.enum(['email', 'sms', 'any']).default('any'),
		/** What the offer is worth to the customer, for budgets and tie-breaking. */
		valueMinor: positiveMinor.optional(),
		percentOff: z.number().positive().max(100).optional(),
		/** A category, or "favourite" for the customer's favourite category. */
		category: z.string().min(1).optional(),
		/** How long the offer's coupon is valid: hours, or to the end of the customer's current month. */
		validHours: z.number().positive().optional(),
		validThrough: z.literal('month_end').optional(),
	})
	.strict();

const issueCoupon = z
	.object({
		type: z.literal('issue_coupon'),
		/** The offer wording that carries the code (Send Offer's templates); "coupon" when left out. */
		template: z.string().min(1).optional(),
		channel: z.enum(['email', 'sms', 'any']).default('any'),
		percentOff: z.number().positive().max(100).optional(),
		amountOffMinor: positiveMinor.optional(),
		freeItem: z.string().min(1).optional(),
		valueMinor: positiveMinor.optional(),
		validHours: z.number().positive(),
		validThrough: z.literal('month_end').optional(),
		category: z.string().min(1).optional(),
	})
	.strict()
	.refine((a) => a.percentOff !== undefined || a.amountOffMinor !== undefined || a.freeItem !== undefined, { message: 'give percentOff, amountOffMinor or freeItem' });

const setTier = z.object({ type: z.literal('set_tier'), tier: z.string().min(1) }).strict();
const addTag = z.object({ type: z.literal('add_tag'), tag: z.string().min(1) }).strict();
const removeTag = z.object({ type: z.literal('remove_tag'), tag: z.string().min(1) }).strict();
const startChallenge = z
	.object({
		type: z.literal('start_challenge'),
		challenge: z.string().min(1),
		goalPurchases: z.number().int().positive(),
		/** The challenge runs this many days from the event that starts it… */
		withinDays: z.number().int().positive().optional(),
		/** …or to the end of the current calendar period in the customer's time zone. */
		calendar: z.enum(PERIODS).optional(),
		/** Fixed points, or the counted purchases' base points times the multiplier (the extra over base). */
		reward,
	})
	.strict()
	.refine((a) => (a.withinDays === undefined) !== (a.calendar === undefined), { message: 'give exactly one of withinDays or calendar' })
	.refine((a) => (a.reward.points === undefined) !== (a.reward.multiplier === undefined), { message: 'give exactly one of points or multiplier', path: ['reward'] });

// --- Badges and perks (engine/badges) ---
/** Gives the customer a badge the program defines, once: a customer who holds it already gets nothing more. */
const awardBadge = z.object({ type: z.literal('award_badge'), badge: z.string().regex(BADGE_ID_PATTERN, 'must be a badge id of the program, such as first-purchase') }).strict();
/** A non-monetary reward: a free-shipping coupon (made by Send Offer), or early access (a tag on the customer). */
const perk = z
	.object({
		type: z.literal('perk'),
		perk: z.enum(PERK_KINDS),
		/** free_shipping: the offer wording that carries the code (Send Offer's templates); "free_shipping" when left out. */
		template: z.string().min(1).optional(),
		channel: z.enum(['email', 'sms', 'any']).default('any'),
		/** free_shipping: how long the coupon is valid, in hours (30 days when left out). */
		validHours: z.number().positive().optional(),
		/** early_access: the tag put on the customer ("early-access" when left out). */
		tag: z.string().min(1).optional(),
		/** What the perk is worth to the customer, for budgets and tie-breaking. */
		valueMinor: positiveMinor.optional(),
	})
	.strict();
// --- end of badges and perks ---

const simpleAction = z.discriminatedUnion('type', [awardPoints, categoryBonus, sendOffer, issueCoupon, setTier, addTag, removeTag, startChallenge, awardBadge, perk]);

const scheduleFollowUp = z
	.object({
		type: z.literal('schedule_follow_up'),
		afterHours: z.number().positive(),
		/** The follow-up is cancelled when the customer does this first (e.g. purchase). */
		unlessEvent: z.enum(RULE_TRIGGERS).optional(),
		then: z.array(simpleAction).min(1),
	})
	.strict();

export const actionSchema = z.discriminatedUnion('type', [awardPoints, categoryBonus, sendOffer, issueCoupon, setTier, addTag, removeTag, startChallenge, scheduleFollowUp, awardBadge, perk]);
export type ActionInput = z.input<typeof actionSchema>;
export type Action = z.infer<typeof actionSchema>;

export const capSchema = z
	.object({
		metric: z.enum(['points', 'offers', 'cost_minor', 'firings']),
		period: z.enum(PERIODS),
		max: z.number().int().nonnegative(),
	})
	.strict();
export type Cap = z.infer<typeof capSchema>;

export const costCeilingSchema = z
	.object({
		/** 0.1 keeps reward cost within 10% of the revenue the rule touches. */
		maxShareOfRevenue: z.number().positive().max(1),
		period: z.enum(PERIODS).default('month'),
	})
	.strict();
export type CostCeiling = z.infer<typeof costCeilingSchema>;

export const ruleExperimentSchema = z
	.object({
		id: z.string().min(1),
		holdoutShare: z.number().min(0).max(0.99).default(0),
		variants: z
			.array(z.object({ name: z.string().min(1), weight: z.number().positive(), actions: z.array(actionSchema).min(1).optional() }).strict())
			.min(1),
	})
	.strict();
export type RuleExperiment = z.infer<typeof ruleExperimentSchema>;

const ruleFields = {
	id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'must be letters, digits, "_", "-" or "." (at most 100)'),
	name: z.string().min(1).optional(),
	description: z.string().optional(),
	enabled: z.boolean().default(true),
	triggers: z.array(z.enum(RULE_TRIGGERS)).min(1),
	schedule: scheduleSchema.optional(),
	actions: z.array(actionSchema).min(1),
	/** Higher wins a conflict; see evaluate.ts for the full tie-break order. */
	priority: z.number().int().default(0),
	conflict: z.object({ group: z.string().min(1), suppressOthersForHours: z.number().nonnegative().default(0) }).strict().optional(),
	/** Per rule and customer: at most `max` firings in any `perDays` days. */
	frequency: z.object({ max: z.number().int().positive(), perDays: z.number().positive() }).strict().optional(),
	caps: z.array(capSchema).optional(),
	costCeiling: costCeilingSchema.optional(),
	experiment: ruleExperimentSchema.optional(),
};

export const ruleSchema = z.object({ ...ruleFields, conditions: conditionNodeSchema.optional() }).strict();
export type RuleInput = z.input<typeof ruleSchema>;

/** What the compiler parses: conditions are checked by its own walker, which reports exact paths. */
export const ruleShapeSchema = z.object({ ...ruleFields, conditions: z.unknown().optional() }).strict();
export type RuleShape = z.infer<typeof ruleShapeSchema>;

export const programRulesSchema = z
	.object({
		id: z.string().min(1).default('default'),
		/** The stored program version these settings come from (engine/program); recorded with each firing. */
		version: z.number().int().positive().optional(),
		timeZone: z.string().default('UTC'),
		/** Base earn rate, for "multiplier" awards: points per whole currency unit. */
		pointsPerCurrencyUnit: z.number().positive().default(1),
		/** What one point costs the shop, in minor units, for budgets and cost ceilings. */
		pointValueMinor: z.number().nonnegative().default(1),
		maxRewardsPerCustomerPerDay: z.number().int().positive().optional(),
		caps: z.array(capSchema).optional(),
		costCeiling: costCeilingSchema.optional(),
		/** The badges the program defines (engine/badges); when given, a rule may award only these. */
		badges: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) }).strict()).optional(),
	})
	.strict();
export type ProgramRules = z.infer<typeof programRulesSchema>;

export const ruleSetSchema = z
	.object({
		version: z.literal(RULE_SCHEMA_VERSION),
		program: programRulesSchema.optional(),
		rules: z.array(ruleSchema),
	})
	.strict();
export type RuleSetInput = z.input<typeof ruleSetSchema>;
