import { type Birthday, birthdaySchema } from '../../engine';
import { type JsonObject, compact, isObject } from '../shared/payload';

/**
 * WooCommerce itself keeps no birthday: a plugin adds the field and stores it as customer (user)
 * meta, often also as order meta, under a key of its own. These are the keys of the common ones,
 * tried in this order; the Loyalty Trigger's *Birthday Meta Keys* setting replaces the list.
 *
 * - `birthday`: the usual key of a hand-written "birthday" field on the account or sign-up page
 * - `billing_birth_date`: a birth date checkout field (MyRewards, PayPal's Pay upon Invoice)
 * - `yith_birthday`: YITH Points and Rewards, YITH Coupon Email System
 * - `_automatewoo_birthday_full`, `_automatewoo_birthday_md`: AutomateWoo Birthdays (with and without the year)
 */
export const DEFAULT_BIRTHDAY_META_KEYS: readonly string[] = ['birthday', 'billing_birth_date', 'yith_birthday', '_automatewoo_birthday_full', '_automatewoo_birthday_md'];

/**
 * The birthday in a customer's or order's `meta_data`, from the first of `keys` that holds one.
 * A value that is not a date (`YYYY-MM-DD`, or `MM-DD` without a year) is left out with a
 * warning naming its key, and the next key is tried: a birthday decorates a profile, it never
 * fails the order or customer it came with.
 */
export function birthdayFromMeta(metaData: unknown, keys: readonly string[], field: string, warnings: string[]): Birthday | undefined {
	if (!Array.isArray(metaData) || keys.length === 0) return undefined;
	const values = new Map<string, unknown>();
	for (const entry of metaData) {
		if (isObject(entry) && typeof entry.key === 'string' && !values.has(entry.key)) values.set(entry.key, (entry as JsonObject).value);
	}
	for (const key of keys) {
		const value = values.get(key);
		if (value === undefined || value === null || value === '') continue;
		const birthday = typeof value === 'string' ? birthdayFromText(value) : undefined;
		if (birthday) return birthday;
		const shown = typeof value === 'string' ? value : JSON.stringify(value);
		warnings.push(`${field}[${key}]: "${shown.slice(0, 40)}" is not a birthday (YYYY-MM-DD or MM-DD) and was left out`);
	}
	return undefined;
}

/** `YYYY-MM-DD` (a time after it is ignored; year 0000 means unknown) or `MM-DD` / `--MM-DD`. */
function birthdayFromText(text: string): Birthday | undefined {
	const trimmed = text.trim();
	const full = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(trimmed);
	const monthDay = /^(?:--)?(\d{2})-(\d{2})$/.exec(trimmed);
	let candidate: Partial<Birthday> | undefined;
	if (full) candidate = compact({ month: Number(full[2]), day: Number(full[3]), year: Number(full[1]) >= 1900 ? Number(full[1]) : undefined });
	else if (monthDay) candidate = { month: Number(monthDay[1]), day: Number(monthDay[2]) };
	if (!candidate) return undefined;
	const parsed = birthdaySchema.safeParse(candidate);
	return parsed.success ? parsed.data : undefined;
}
