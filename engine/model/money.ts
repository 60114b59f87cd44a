import { LoyaltyError } from './errors';

/**
 * ISO 4217 currencies with their minor-unit exponent. Money is always integer minor units plus
 * one of these codes; a code outside this list is rejected rather than guessed at.
 */
const MINOR_UNIT_EXPONENT: Readonly<Record<string, number>> = {
	AED: 2, ARS: 2, AUD: 2, BGN: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CZK: 2,
	DKK: 2, EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0,
	KRW: 0, KWD: 3, MAD: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NZD: 2, OMR: 3, PEN: 2, PHP: 2, PKR: 2,
	PLN: 2, QAR: 2, RON: 2, RSD: 2, RUB: 2, SAR: 2, SEK: 2, SGD: 2, THB: 2, TND: 3, TRY: 2, TWD: 2,
	UAH: 2, USD: 2, UYU: 2, VND: 0, ZAR: 2,
};

export function isKnownCurrency(code: string): boolean {
	return Object.prototype.hasOwnProperty.call(MINOR_UNIT_EXPONENT, code);
}

export function minorUnitExponent(currency: string, field = 'currency'): number {
	const exponent = MINOR_UNIT_EXPONENT[currency];
	if (exponent === undefined) throw LoyaltyError.invalid(field, `unknown currency "${currency}" (expected an ISO 4217 code such as USD or EUR)`);
	return exponent;
}

/**
 * Converts a vendor's decimal amount ("12.50", 12.5) to integer minor units without floating-point
 * drift: the decimal string is split, never multiplied as a float.
 */
export function decimalToMinor(amount: string | number, currency: string, field: string): number {
	const exponent = minorUnitExponent(currency, `${field}.currency`);
	const text = typeof amount === 'number' ? numberToPlainString(amount, field) : amount.trim();
	const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
	if (!match) throw LoyaltyError.invalid(field, `"${String(amount)}" is not a decimal amount`);
	const [, sign, whole, fraction = ''] = match;
	if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) {
		throw LoyaltyError.invalid(field, `"${text}" has more decimals than ${currency} allows (${exponent})`);
	}
	const minor = Number(whole) * 10 ** exponent + Number((fraction + '0'.repeat(exponent)).slice(0, exponent) || '0');
	if (!Number.isSafeInteger(minor)) throw LoyaltyError.invalid(field, `"${text}" is too large`);
	return sign ? -minor : minor;
}

function numberToPlainString(amount: number, field: string): string {
	if (!Number.isFinite(amount)) throw LoyaltyError.invalid(field, `"${amount}" is not a finite amount`);
	// toFixed(6) avoids exponent notation; the rounding error of binary floats sits far below 6 decimals.
	return amount.toFixed(6).replace(/\.?0+$/, '');
}

export function minorToDecimalString(minor: number, currency: string): string {
	const exponent = minorUnitExponent(currency);
	if (exponent === 0) return String(minor);
	const sign = minor < 0 ? '-' : '';
	const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
	return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
