import { z } from 'zod';
import { badgeDefinitionsSchema, DEFAULT_BADGES } from '../badges';
import { timeZoneSchema } from '../model/customer';
import { minorUnitExponent } from '../model/money';
import { currencySchema } from '../model/order';
import { parseOrThrow } from '../model/validate';
import type { ProgramRules } from '../rules/schema';
import { referralPolicySchema } from '../referral/policy';
import { DEFAULT_MAX_POINTS_PER_ORDER, expiryPolicySchema, Rounding, tierPolicySchema, type ProgramInput } from '../ledger/program';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 20:00');

/**
 * How messages may go out, for every Send Offer of the program. Quiet hours are the customer's
 * local night; the caps follow Klaviyo's Smart Sending defaults (16 h between emails, 24 h between
 * texts) and one reward a day.
 */
export const deliveryPolicySchema = z
	.object({
		quietHoursStart: hhmm.default('20:00'),
		quietHoursEnd: hhmm.default('09:00'),
		emailGapHours: z.number().min(0, 'must not be negative').default(16),
		smsGapHours: z.number().min(0, 'must not be negative').default(24),
		maxPerDay: z.number().int('must be a whole number').min(1, 'must be at least 1').default(2),
		maxPerWeek: z.number().int('must be a whole number').min(1, 'must be at least 1').default(5),
		rewardsPerDay: z.number().int('must be a whole number').min(1, 'must be at least 1').default(1),
		maxPercentOff: z.number().min(0).max(100, 'must be at most 100').default(50),
		couponPrefix: z.string().regex(/^[A-Za-z0-9]{1,8}$/, 'must be 1–8 letters or digits').default('LOY'),
		/** For phone numbers written without a country code, such as "+1". Empty: such numbers are refused. */
		defaultCallingCode: z.string().default(''),
	})
	.strict();
export type DeliveryPolicy = z.infer<typeof deliveryPolicySchema>;

/** Budgets of Evaluate Rules: what a point costs and how much reward a customer and the month may take. */
export const rewardPolicySchema = z
	.object({
		/** Absent: no daily limit beyond the rules' own. */
		maxRewardsPerCustomerPerDay: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
		/** What one point costs the shop, in minor units (1 = one cent per point). */
		pointValueMinor: z.number().min(0, 'must not be negative').default(1),
		/** Per cent of the revenue rewards touch that their cost may reach in a month; 0 turns the ceiling off. */
		maxRewardCostShare: z.number().min(0).max(100, 'must be at most 100').default(0),
	})
	.strict();
export type RewardPolicy = z.infer<typeof rewardPolicySchema>;

/**
 * A loyalty program, as the owner sets it once: every node of the program reads it. Kept as a
 * document so a change is one new version; the parts other features need are derived from it.
 */
export const programSettingsSchema = z
	.object({
		currency: currencySchema.default('USD'),
		/** Points for every whole currency unit spent: 1 point per $1. */
		pointsPerCurrencyUnit: z.number().positive('must be more than zero').default(1),
		rounding: z.enum([Rounding.Floor, Rounding.Round, Rounding.Ceil]).default(Rounding.Floor),
		pendingDays: z.number().int('must be a whole number of days').nonnegative('must not be negative').default(0),
		expiry: expiryPolicySchema.default({ kind: 'never' }),
		tiers: tierPolicySchema.optional(),
		allowNegativeBalance: z.boolean().default(false),
		/** Month ends, day counts, quiet hours where the customer's own zone is unknown. */
		timeZone: timeZoneSchema,
		maxPointsPerOrder: z.number().int('must be a whole number').nonnegative('must not be negative').default(DEFAULT_MAX_POINTS_PER_ORDER),
		/** What one point is worth when redeemed, in currency units (0.01 = one cent): the liability's price. */
		redemptionValue: z.number().nonnegative('must not be negative').default(0.01),
		delivery: deliveryPolicySchema.default({}),
		rewards: rewardPolicySchema.default({}),
		/** The badges rules may award (engine/badges): the presets' four until the owner sets a list. */
		badges: badgeDefinitionsSchema.default(() => DEFAULT_BADGES.map((badge) => ({ ...badge }))),
		/** Referral rewards, return window and limits (engine/referral). */
		referral: referralPolicySchema.default({}),
	})
	.strict();
export type ProgramSettings = z.infer<typeof programSettingsSchema>;
export type ProgramSettingsInput = z.input<typeof programSettingsSchema>;

export function parseProgramSettings(input: unknown): ProgramSettings {
	return parseOrThrow(programSettingsSchema, input, 'program');
}

/** A missing program: 1 point per currency unit, no expiry, the n8n instance's own time zone. */
export function defaultProgramSettings(timeZone: string): ProgramSettings {
	return parseProgramSettings({ timeZone });
}

/**
 * A change on top of the current settings. Nested blocks (delivery, rewards, referral) merge field by field;
 * `tiers: null` removes the tiers. The result is validated as a whole, naming the field at fault.
 */
export function applyProgramChanges(current: ProgramSettings, changes: Record<string, unknown>): ProgramSettings {
	if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw new TypeError('changes must be an object');
	const next: Record<string, unknown> = { ...current };
	for (const [key, value] of Object.entries(changes)) {
		if (value === undefined) continue;
		if ((key === 'delivery' || key === 'rewards' || key === 'referral') && typeof value === 'object' && value !== null && !Array.isArray(value)) {
			next[key] = { ...(current[key] as object), ...(value as object) };
		} else if (key === 'tiers' && value === null) {
			delete next.tiers;
		} else {
			next[key] = value;
		}
	}
	return parseProgramSettings(next);
}

/** The rules' view of the program: its time zone, base earn rate and reward budgets. */
export function rulesProgramOf(id: string, version: number, settings: ProgramSettings): ProgramRules {
	const { rewards } = settings;
	return {
		id,
		...(version > 0 ? { version } : {}),
		timeZone: settings.timeZone,
		pointsPerCurrencyUnit: settings.pointsPerCurrencyUnit,
		pointValueMinor: rewards.pointValueMinor,
		...(rewards.maxRewardsPerCustomerPerDay !== undefined ? { maxRewardsPerCustomerPerDay: rewards.maxRewardsPerCustomerPerDay } : {}),
		...(rewards.maxRewardCostShare > 0 ? { costCeiling: { maxShareOfRevenue: rewards.maxRewardCostShare / 100, period: 'month' as const } } : {}),
		badges: settings.badges.map((badge) => ({ id: badge.id, name: badge.name })),
	};
}

/** The report's view of the program: its ledger settings, money and time zone. */
export function reportProgramOf(id: string, version: number, settings: ProgramSettings): { programId: string; program: ProgramInput; currency: string; timeZone: string; redemptionValue: number } {
	return { programId: id, program: ledgerProgramOf(id, version, settings), currency: settings.currency, timeZone: settings.timeZone, redemptionValue: settings.redemptionValue };
}

/** The ledger's view of the program: its earn rate in minor units of the currency. */
export function ledgerProgramOf(id: string, version: number, settings: ProgramSettings): ProgramInput {
	const perMinor = 10 ** minorUnitExponent(settings.currency, 'program.currency');
	return {
		id,
		// Version 0 is a program read but never stored (peekProgram): nothing to name.
		...(version > 0 ? { version } : {}),
		earnRates: { [settings.currency]: { points: settings.pointsPerCurrencyUnit, perMinor } },
		rounding: settings.rounding,
		pendingDays: settings.pendingDays,
		expiry: settings.expiry,
		...(settings.tiers ? { tiers: settings.tiers } : {}),
		allowNegativeBalance: settings.allowNegativeBalance,
		timeZone: settings.timeZone,
		maxPointsPerOrder: settings.maxPointsPerOrder,
	};
}
