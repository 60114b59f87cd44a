import type { CustomerErasure } from '../store/erasure';

/** What stands where a name or an identity was. */
export const ERASED_TEXT = '[erased]';

/** Keys whose values only ever describe a person (or lead to them), wherever a document has them. */
const PERSONAL_KEYS = new Set(['warnings', 'checkoutUrl', 'firstName', 'lastName', 'birthday', 'email', 'phone', 'shippingAddress', 'paymentFingerprint']);

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Free text without the person: their customer id becomes the pseudonym (so keys built from it
 * stay unique and still group their rows), identity values anywhere and names as whole words
 * become "[erased]". A name inside another word ("Ann" in "Annual") is left alone.
 */
export function scrubText(text: string, erasure: CustomerErasure): string {
	let out = text.split(erasure.customerId).join(erasure.pseudonym);
	for (const { value } of erasure.identities) {
		// As written, and as a URL carries it (a checkout link with ?email=…).
		for (const form of new Set([value, encodeURIComponent(value)])) if (form.length > 0) out = out.replace(new RegExp(escapeRegExp(form), 'gi'), ERASED_TEXT);
	}
	for (const name of erasure.names) {
		if (name.trim().length > 0) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name.trim())}(?![\\p{L}\\p{N}])`, 'giu'), ERASED_TEXT);
	}
	return out;
}

function scrubValue(value: unknown, erasure: CustomerErasure): unknown {
	if (typeof value === 'string') return scrubText(value, erasure);
	if (Array.isArray(value)) return value.map((item) => scrubValue(item, erasure));
	if (value === null || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
		if (PERSONAL_KEYS.has(key)) continue;
		if (key === 'identities') out[key] = {};
		else if (key === 'customer' && inner !== null && typeof inner === 'object') out[key] = customerPart(inner as Record<string, unknown>, erasure);
		else out[scrubText(key, erasure)] = scrubValue(inner, erasure);
	}
	return out;
}

/** A document's customer part keeps only what points at the pseudonym: the person's profile fields go. */
function customerPart(customer: Record<string, unknown>, erasure: CustomerErasure): Record<string, unknown> {
	return {
		...(typeof customer.customerId === 'string' ? { customerId: scrubText(customer.customerId, erasure) } : {}),
		...('identities' in customer ? { identities: {} } : {}),
	};
}

/**
 * A stored value without the person. JSON documents (events, orders, request fingerprints,
 * results) lose their customer part and every field that only describes a person, and every
 * string in them is scrubbed; anything else is scrubbed as text.
 */
export function scrubStored(text: string, erasure: CustomerErasure): string {
	const trimmed = text.trimStart();
	if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
		try {
			return JSON.stringify(scrubValue(JSON.parse(text), erasure));
		} catch {
			// Not JSON after all: scrubbed as text below.
		}
	}
	return scrubText(text, erasure);
}
