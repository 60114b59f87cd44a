import { LoyaltyError, decimalToMinor } from '../../engine';

/**
 * Converts a money amount as a shop or marketing tool prints it ("59.5", "1,234.50", 1234.5) to
 * integer minor units, exactly. Thousands separators are accepted only as commas in correct groups
 * of three before a dot decimal point: "1.234,50" or "12,5" could mean two different amounts, so
 * they are refused rather than guessed at. Negative amounts are refused (a cart cannot owe money).
 */
export function shopAmountToMinor(amount: unknown, currency: string, field: string): number {
	// A JSON number is read as its shortest round-trip spelling (84.5 → "84.5"), which is what the
	// sender wrote. decimalToMinor's own number path goes through toFixed(6), which for amounts above
	// about 10^9 exposes binary noise ("8590121138.530001") and is then refused.
	if (typeof amount === 'number' && !Number.isFinite(amount)) throw LoyaltyError.invalid(field, `"${amount}" is not a finite amount`);
	if (typeof amount !== 'number' && (typeof amount !== 'string' || amount.trim() === '')) throw LoyaltyError.invalid(field, 'is required');
	const text = typeof amount === 'number' ? String(amount) : amount.trim();
	if (text.startsWith('-')) throw LoyaltyError.invalid(field, `"${text}" must not be negative`);
	const match = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/.exec(text);
	if (!match) throw LoyaltyError.invalid(field, `"${text}" is not an amount such as 1234.50 or 1,234.50`);
	return decimalToMinor(`${match[1].replace(/,/g, '')}${match[2] ?? ''}`, currency, field);
}
