import { LoyaltyError } from '../model/errors';

/**
 * Normalises what a shop stored ("(415) 555-0123", "0044 20 7946 0958") to E.164. A national
 * number needs the shop's calling code; anything that still is not E.164 is refused by field.
 */
export function normalizePhone(raw: string, defaultCallingCode: string | undefined, field = 'phone'): string {
	const trimmed = raw.trim();
	let digits = trimmed.replace(/[\s().\-/]/g, '');
	if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
	if (!digits.startsWith('+')) {
		if (!defaultCallingCode) throw LoyaltyError.invalid(field, `"${raw}" has no country code and no default country code is set`);
		const national = digits.replace(/^0+/, '');
		digits = `+${defaultCallingCode.replace(/^\+/, '')}${national}`;
	}
	if (!/^\+[1-9]\d{6,14}$/.test(digits)) throw LoyaltyError.invalid(field, `"${raw}" is not a phone number (expected E.164 such as +14155550123)`);
	return digits;
}
