import { LoyaltyError, identitiesSchema } from '../../engine';
import { type JsonObject, compact, e164OrUndefined } from '../shared/payload';

/**
 * Reading the JSON a Klaviyo flow's webhook action renders from one of our templates (Started
 * Checkout, Viewed Product): Klaviyo fills the body as text, so every field arrives as a string.
 */

/**
 * Template text: empty, or Klaviyo's "None" for a property the event lacks, means absent. Numbers
 * are accepted where a merchant left the quotes off.
 */
export function flowText(body: JsonObject, name: string): string | undefined {
	const value = body[name];
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') throw LoyaltyError.invalid(name, 'must be text');
	const trimmed = value.trim();
	return trimmed === '' || trimmed === 'None' ? undefined : trimmed;
}

/** The person's email and phone from `email` and `phone`; one of them is required. */
export function flowIdentities(body: JsonObject): { email?: string; phone?: string } {
	const email = flowText(body, 'email')?.toLowerCase();
	if (email !== undefined && !identitiesSchema.shape.email.safeParse(email).success) throw LoyaltyError.invalid('email', `"${email}" is not an email address`);
	const phone = e164OrUndefined(flowText(body, 'phone'));
	if (email === undefined && phone === undefined) throw LoyaltyError.invalid('email', 'is required: the delivery has neither an email nor an international phone (+country code)');
	return compact({ email, phone });
}
