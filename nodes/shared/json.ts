import { LoyaltyError } from '../../engine';

/** A JSON parameter arrives as text, or as a value when it came from an expression; empty text is "not set". */
export function jsonParameter(value: unknown, field: string): unknown {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (text === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw LoyaltyError.invalid(field, 'is not valid JSON');
	}
}
