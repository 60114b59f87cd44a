/**
 * Send Offer's parameters → engine inputs. Pure, so it is tested without n8n.
 */
import type { IDataObject } from 'n8n-workflow';

import { jsonParameter } from '../../shared/json';
import { LoyaltyError, parseFrequencyCaps, parseOfferDecision, parseOfferTemplates, parseSendWindow, type OfferDecision, type OfferTemplate, type PersonalFields, type ProgramSettings, type SendOfferSettings } from '../../../engine';

export function readDecision(value: unknown): OfferDecision {
	const parsed = jsonParameter(value, 'decision');
	if (parsed === undefined) throw LoyaltyError.invalid('decision', 'is empty: map the Evaluate Rules output (or a decision object) into Decision');
	return parseOfferDecision(parsed);
}

export function readTemplates(value: unknown): OfferTemplate[] {
	return parseOfferTemplates(jsonParameter(value, 'templates') ?? []);
}

/** The Offer Texts form (version 1.1): rows of fields; a field left empty is left out. */
export function readOfferTexts(value: unknown): OfferTemplate[] {
	const rows = ((value ?? {}) as { text?: IDataObject[] }).text ?? [];
	const texts = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, field]) => typeof field === 'string' && field.trim() !== '')));
	return parseOfferTemplates(texts);
}

const PERSONAL_KEYS = ['firstName', 'points', 'pointsExpiring', 'pointsExpireAt', 'tier', 'favouriteCategory', 'crossSellPick', 'offerCategory', 'shopName', 'badge', 'badges'] as const;

/** Only the known fields, with their types checked: a message never shows an object or "NaN". */
export function readPersonalFields(value: unknown): PersonalFields {
	const parsed = jsonParameter(value, 'personalFields');
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) throw LoyaltyError.invalid('personalFields', 'must be a JSON object');
	const source = parsed as IDataObject;
	const fields: Record<string, string | number> = {};
	for (const key of PERSONAL_KEYS) {
		const v = source[key];
		if (v === undefined || v === null || v === '') continue;
		const numeric = key === 'points' || key === 'pointsExpiring';
		if (numeric && (typeof v !== 'number' || !Number.isFinite(v))) throw LoyaltyError.invalid(`personalFields.${key}`, 'must be a number');
		if (!numeric && typeof v !== 'string') throw LoyaltyError.invalid(`personalFields.${key}`, 'must be text');
		fields[key] = v as string | number;
	}
	return fields as PersonalFields;
}

/** The stored program's delivery settings and this node's own wiring → the send's settings. */
export function readSettings(program: { version: number; settings: ProgramSettings }, statusCallbackUrl: string, couponShop: string, squareRewardTierId: string): SendOfferSettings {
	if (!['none', 'woocommerce', 'squareReward'].includes(couponShop)) throw LoyaltyError.invalid('couponShop', `"${couponShop}" is not a place to create coupons`);
	const { delivery, timeZone } = program.settings;
	return {
		programTimeZone: timeZone,
		sendWindow: parseSendWindow({ start: delivery.quietHoursEnd, end: delivery.quietHoursStart }),
		caps: parseFrequencyCaps({
			emailGapHours: delivery.emailGapHours,
			smsGapHours: delivery.smsGapHours,
			maxPerDay: delivery.maxPerDay,
			maxPerWeek: delivery.maxPerWeek,
			rewardsPerDay: delivery.rewardsPerDay,
		}),
		maxPercentOff: delivery.maxPercentOff,
		defaultCallingCode: delivery.defaultCallingCode.trim() || undefined,
		couponShop: couponShop as SendOfferSettings['couponShop'],
		squareRewardTierId: squareRewardTierId.trim() || undefined,
		couponPrefix: delivery.couponPrefix.toUpperCase(),
		statusCallbackUrl: statusCallbackUrl.trim() || undefined,
		programVersion: program.version,
	};
}
