import { z } from 'zod';
import { currencySchema } from '../model/order';
import { parseOrThrow } from '../model/validate';

export const Rounding = { Floor: 'floor', Round: 'round', Ceil: 'ceil' } as const;
export type Rounding = (typeof Rounding)[keyof typeof Rounding];

/** "N points for every `per` minor units" in one currency: 1 point per $1 is { points: 1, perMinor: 100 }. */
export const earnRateSchema = z.object({
	points: z.number().positive('must be more than zero'),
	perMinor: z.number().int().positive('must be a whole number of minor units above zero'),
});

export const expiryPolicySchema = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('never') }),
	/** Each earn expires N days after it became available. */
	z.object({ kind: z.literal('days_after_earn'), days: z.number().int().positive() }),
	/** Each earn expires at the end of the month, N months after the month it was earned in. */
	z.object({ kind: z.literal('end_of_month_after'), months: z.number().int().positive() }),
	/** All available points expire after N days without earning or redeeming. */
	z.object({ kind: z.literal('inactivity'), days: z.number().int().positive() }),
]);
export type ExpiryPolicy = z.infer<typeof expiryPolicySchema>;

export const tierLevelSchema = z.object({
	name: z.string().min(1),
	/** Minor units of spend, or points, within the window; the lowest level usually has 0. */
	threshold: z.number().int().nonnegative(),
});

export const tierPolicySchema = z.object({
	basis: z.enum(['spend', 'points']),
	windowDays: z.number().int().positive().default(365),
	/** Downgrades are only applied when a review is due, this many days after the last one. */
	reviewEveryDays: z.number().int().positive().default(365),
	levels: z.array(tierLevelSchema).min(1),
});
export type TierPolicy = z.infer<typeof tierPolicySchema>;

/** See `maxPointsPerOrder`. */
export const DEFAULT_MAX_POINTS_PER_ORDER = 5000;

export const programSchema = z.object({
	id: z.string().min(1).default('default'),
	/** The stored program version these settings are (engine/program); absent for settings given in code. */
	version: z.number().int().positive().optional(),
	/** Earning per order currency; an order in a currency without a rate is refused with that reason. */
	earnRates: z.record(currencySchema, earnRateSchema).default({ USD: { points: 1, perMinor: 100 } }),
	rounding: z.enum([Rounding.Floor, Rounding.Round, Rounding.Ceil]).default(Rounding.Floor),
	/** Return period: earned points stay pending this many days before they can be spent. */
	pendingDays: z.number().int().nonnegative().default(0),
	expiry: expiryPolicySchema.default({ kind: 'never' }),
	tiers: tierPolicySchema.optional(),
	allowNegativeBalance: z.boolean().default(false),
	timeZone: z.string().default('UTC'),
	/**
	 * The most points one order may earn on its own; above it the order's points are held for the
	 * owner's approval instead of credited (0 turns the ceiling off). 5,000 points is $5,000 spent at
	 * the default 1 point per $1: far above a small shop's ordinary basket (tens to a few hundred
	 * dollars) and its occasional big order, yet it stops a mistyped total, a test order or a
	 * currency mix-up (1,000,000,000.00 "USD") from minting points nobody can take back once spent.
	 */
	maxPointsPerOrder: z.number().int('must be a whole number').nonnegative('must not be negative').default(DEFAULT_MAX_POINTS_PER_ORDER),
});
export type ProgramConfig = z.infer<typeof programSchema>;
export type ProgramInput = z.input<typeof programSchema>;

export function parseProgram(input: ProgramInput = {}): ProgramConfig {
	return parseOrThrow(programSchema, input, 'program');
}
