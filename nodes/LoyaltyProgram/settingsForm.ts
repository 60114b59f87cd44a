/**
 * The Loyalty Program node's form → a change of the stored program. Pure, so it is tested
 * without n8n. Money is entered in currency units and stored in minor units where the engine
 * counts in them (spend thresholds of tiers).
 */
import type { IDataObject } from 'n8n-workflow';

import { LoyaltyError, minorUnitExponent, type ProgramSettings } from '../../engine';
import { jsonParameter } from '../shared/json';

/** The "Settings to Change" collection as n8n hands it over: only the fields the owner added. */
export interface SettingsForm {
	currency?: string;
	pointsPerCurrencyUnit?: number;
	rounding?: string;
	pendingDays?: number;
	expiry?: string;
	expiryDays?: number;
	expiryMonths?: number;
	allowNegativeBalance?: boolean;
	timeZone?: string;
	maxPointsPerOrder?: number;
	redemptionValue?: number;
	quietHoursStart?: string;
	quietHoursEnd?: string;
	emailGapHours?: number;
	smsGapHours?: number;
	maxPerDay?: number;
	maxPerWeek?: number;
	rewardsPerDay?: number;
	maxPercentOff?: number;
	couponPrefix?: string;
	defaultCallingCode?: string;
	maxRewardsPerCustomerPerDay?: number;
	pointValueMinor?: number;
	maxRewardCostShare?: number;
	referralFriendPoints?: number;
	referralAdvocatePoints?: number;
	referralReturnWindowDays?: number;
	referralMaxPerPeriod?: number;
	referralPeriodDays?: number;
	referralLinkTemplate?: string;
	/** The whole list of badges rules may award, as JSON: `[{ "id": "first-purchase", "name": "First Purchase" }, …]`. */
	badges?: string | unknown[];
}

/** The "Tiers" block: off, or a basis, a window and the levels as rows. */
export interface TiersForm {
	useTiers?: string;
	basis?: string;
	windowDays?: number;
	reviewEveryDays?: number;
	levels?: { level?: Array<{ name?: string; threshold?: number }> };
}

const DELIVERY_FIELDS = ['quietHoursStart', 'quietHoursEnd', 'emailGapHours', 'smsGapHours', 'maxPerDay', 'maxPerWeek', 'rewardsPerDay', 'maxPercentOff', 'couponPrefix', 'defaultCallingCode'] as const;
const REWARD_FIELDS = ['maxRewardsPerCustomerPerDay', 'pointValueMinor', 'maxRewardCostShare'] as const;
/** Form field → the referral block's field (engine/referral/policy.ts). */
const REFERRAL_FIELDS = {
	referralFriendPoints: 'friendPoints',
	referralAdvocatePoints: 'advocatePoints',
	referralReturnWindowDays: 'returnWindowDays',
	referralMaxPerPeriod: 'maxReferralsPerPeriod',
	referralPeriodDays: 'periodDays',
	referralLinkTemplate: 'linkTemplate',
} as const;
const PLAIN_FIELDS = ['pointsPerCurrencyUnit', 'rounding', 'pendingDays', 'allowNegativeBalance', 'maxPointsPerOrder', 'redemptionValue'] as const;

/** Only what the owner filled in changes; everything else keeps its current value. */
export function changesFromForm(form: SettingsForm, tiers: TiersForm, current: ProgramSettings): Record<string, unknown> {
	const changes: Record<string, unknown> = {};
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : value);
	if (form.currency !== undefined) changes.currency = String(form.currency).trim().toUpperCase();
	if (form.timeZone !== undefined && String(form.timeZone).trim()) changes.timeZone = String(form.timeZone).trim();
	for (const field of PLAIN_FIELDS) if (form[field] !== undefined) changes[field] = text(form[field]);
	if (form.expiry !== undefined) changes.expiry = expiryFrom(form);
	const delivery: IDataObject = {};
	for (const field of DELIVERY_FIELDS) if (form[field] !== undefined) delivery[field] = text(form[field]) as IDataObject[string];
	if (Object.keys(delivery).length > 0) changes.delivery = delivery;
	const rewards: IDataObject = {};
	for (const field of REWARD_FIELDS) if (form[field] !== undefined) rewards[field] = form[field];
	if (Object.keys(rewards).length > 0) changes.rewards = rewards;
	const referral: IDataObject = {};
	for (const [field, key] of Object.entries(REFERRAL_FIELDS)) if (form[field as keyof typeof REFERRAL_FIELDS] !== undefined) referral[key] = text(form[field as keyof typeof REFERRAL_FIELDS]) as IDataObject[string];
	if (Object.keys(referral).length > 0) changes.referral = referral;
	if (form.badges !== undefined) changes.badges = badgesFrom(form.badges);
	const tierChange = tiersFrom(tiers, (changes.currency as string | undefined) ?? current.currency);
	if (tierChange !== undefined) changes.tiers = tierChange;
	return changes;
}

/** The Badges (JSON) field: left empty it is not a list either, and is refused like bad JSON. */
function badgesFrom(value: string | unknown[]): unknown {
	const badges = jsonParameter(value, 'program.badges');
	if (badges === undefined) throw LoyaltyError.invalid('program.badges', 'is empty: write a list such as [{ "id": "first-purchase", "name": "First purchase" }] in Badges (JSON)');
	return badges;
}

function expiryFrom(form: SettingsForm): unknown {
	switch (form.expiry) {
		case 'never':
			return { kind: 'never' };
		case 'days_after_earn':
			return { kind: 'days_after_earn', days: form.expiryDays ?? 365 };
		case 'end_of_month_after':
			return { kind: 'end_of_month_after', months: form.expiryMonths ?? 12 };
		case 'inactivity':
			return { kind: 'inactivity', days: form.expiryDays ?? 365 };
		default:
			throw LoyaltyError.invalid('program.expiry', `"${String(form.expiry)}" is not an expiry rule`);
	}
}

/** undefined: leave the tiers as they are; null: remove them; else the new tier policy. */
function tiersFrom(form: TiersForm, currency: string): unknown {
	if (!form.useTiers || form.useTiers === 'keep') return undefined;
	if (form.useTiers === 'none') return null;
	const basis = form.basis === 'points' ? 'points' : 'spend';
	const rows = form.levels?.level ?? [];
	if (rows.length === 0) throw LoyaltyError.invalid('program.tiers.levels', 'add at least one tier (the lowest usually starts at 0)');
	const scale = basis === 'spend' ? 10 ** minorUnitExponent(currency, 'program.currency') : 1;
	const levels = rows.map((row, index) => {
		const name = String(row.name ?? '').trim();
		if (!name) throw LoyaltyError.invalid(`program.tiers.levels[${index}].name`, 'is required');
		const threshold = Number(row.threshold ?? 0);
		if (!Number.isFinite(threshold) || threshold < 0) throw LoyaltyError.invalid(`program.tiers.levels[${index}].threshold`, 'must be 0 or more');
		return { name, threshold: Math.round(threshold * scale) };
	});
	return { basis, windowDays: form.windowDays ?? 365, reviewEveryDays: form.reviewEveryDays ?? 365, levels: levels.sort((a, b) => a.threshold - b.threshold) };
}

/** The settings as an output item: money in currency units, as the form takes them. */
export function settingsJson(settings: ProgramSettings): IDataObject {
	const json = JSON.parse(JSON.stringify(settings)) as IDataObject;
	if (settings.tiers && settings.tiers.basis === 'spend') {
		const scale = 10 ** minorUnitExponent(settings.currency, 'program.currency');
		json.tiers = { ...settings.tiers, levels: settings.tiers.levels.map((l) => ({ name: l.name, threshold: l.threshold / scale })) };
	}
	return json;
}
