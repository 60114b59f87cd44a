import { z } from 'zod';
import { currencySchema } from '../model/order';
import { timeZoneSchema } from '../model/customer';
import { parseOrThrow } from '../model/validate';
import type { ReplenishmentOptions } from '../insight';

/**
 * The time-based events schedule mode can emit. Each kind is claimed at most once per customer
 * per occurrence (a year for birthdays, a lapse for inactivity, a cart state for carts…).
 */
export const DueKind = {
	Birthday: 'birthday',
	Inactivity: 'inactivity',
	Replenishment: 'replenishment',
	CartAbandoned: 'cart_abandoned',
	PointsExpiring: 'points_expiring',
	TierReview: 'tier_review',
	FollowUp: 'follow_up',
	ChallengeDeadline: 'challenge_deadline',
} as const;
export type DueKind = (typeof DueKind)[keyof typeof DueKind];
export const DUE_KINDS = Object.values(DueKind) as [DueKind, ...DueKind[]];

/** The rule trigger each kind arrives as. */
export const DUE_EVENT_TYPE_OF = {
	birthday: 'birthday_due',
	inactivity: 'inactivity_due',
	replenishment: 'replenishment_due',
	cart_abandoned: 'cart_abandoned',
	points_expiring: 'points_expiring',
	tier_review: 'tier_review_due',
	follow_up: 'follow_up_due',
	challenge_deadline: 'challenge_deadline',
} as const satisfies Record<DueKind, string>;
export type DueEventType = (typeof DUE_EVENT_TYPE_OF)[DueKind];

export const BirthdayWhen = { OnDay: 'on_day', DaysBefore: 'days_before', Month: 'month' } as const;
export type BirthdayWhen = (typeof BirthdayWhen)[keyof typeof BirthdayWhen];

const wholeDays = z.number().int('must be a whole number of days').positive('must be at least 1');

const birthdaySettingsSchema = z
	.object({
		when: z.enum([BirthdayWhen.OnDay, BirthdayWhen.DaysBefore, BirthdayWhen.Month]),
		daysBefore: z.number().int('must be a whole number of days').min(1, 'must be at least 1').max(60, 'must be at most 60').optional(),
		/** Local hour (customer's zone) before which nothing is sent on the day: no greeting at 00:05. */
		fromLocalHour: z.number().int('must be a whole hour').min(0).max(23).default(9),
	})
	.refine((b) => b.when !== BirthdayWhen.DaysBefore || b.daysBefore !== undefined, { message: 'is required when birthdays are due some days before', path: ['daysBefore'] });

const inactivitySettingsSchema = z.object({
	days: wholeDays,
	/** Due at max(days, rhythmFactor × the customer's median gap between purchase days): a monthly buyer is not nudged after 2 weeks. */
	relativeToRhythm: z.boolean().default(false),
	rhythmFactor: z.number().positive('must be more than zero').default(2),
});

const replenishmentSettingsSchema = z.object({
	shrinkage: z.number().nonnegative().optional(),
	maxVariation: z.number().positive().optional(),
	minIntervals: z.number().int().positive().optional(),
	remindAtFraction: z.number().positive().max(1, 'must be at most 1 (the day the product runs out)').optional(),
	/** A reminder more than this many days after the product ran out is stale and not sent (default 14). */
	maxDaysLate: z.number().int().nonnegative().default(14),
});

const cartAbandonedSettingsSchema = z.object({
	idleHours: z.number().positive('must be more than zero'),
	/** In the program's currency; carts in other currencies cannot be compared and are left out when this is above 0. */
	minTotalMinor: z.number().int().nonnegative().optional(),
});

const pointsExpiringSettingsSchema = z.object({ withinDays: wholeDays });

const tierReviewSettingsSchema = z.object({
	/** The program's tier policy `reviewEveryDays` (the ledger applies the review; this only says it is due). */
	reviewEveryDays: wholeDays.default(365),
});

const challengeDeadlineSettingsSchema = z.object({
	/** A running, not completed challenge is due this many days before it ends (once per challenge). */
	daysBefore: wholeDays.default(2),
});

export const scheduleSettingsSchema = z.object({
	programId: z.string().min(1),
	/** Calendar maths of customers whose profile names no zone. */
	programTimeZone: timeZoneSchema,
	/** The program's currency: cart thresholds are in it. */
	currency: currencySchema,
	kinds: z
		.object({
			birthday: birthdaySettingsSchema.optional(),
			inactivity: inactivitySettingsSchema.optional(),
			replenishment: replenishmentSettingsSchema.optional(),
			cartAbandoned: cartAbandonedSettingsSchema.optional(),
			pointsExpiring: pointsExpiringSettingsSchema.optional(),
			tierReview: tierReviewSettingsSchema.optional(),
			followUps: z.boolean().optional(),
			challengeDeadline: challengeDeadlineSettingsSchema.optional(),
		})
		.strict(),
});

/** Settings as a caller writes them (optional fields may be left out). */
export type ScheduleSettings = z.input<typeof scheduleSettingsSchema>;
/** Settings with every default filled in. */
export type ResolvedScheduleSettings = z.output<typeof scheduleSettingsSchema>;
export type BirthdaySettings = z.output<typeof birthdaySettingsSchema>;
export type InactivitySettings = z.output<typeof inactivitySettingsSchema>;
export type ReplenishmentSettings = z.output<typeof replenishmentSettingsSchema> & ReplenishmentOptions;
export type CartAbandonedSettings = z.output<typeof cartAbandonedSettingsSchema>;

/** Fills in defaults; a bad value is a LoyaltyError naming it ("settings.kinds.birthday.daysBefore"). */
export function parseScheduleSettings(input: ScheduleSettings): ResolvedScheduleSettings {
	return parseOrThrow(scheduleSettingsSchema, input, 'settings');
}
