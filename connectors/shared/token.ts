import { createHash, timingSafeEqual } from 'node:crypto';
import type { SignatureCheck } from '../http';
import { SignatureRejection } from './hmac';

/** Shortest shared token accepted: it is the only thing standing between the internet and the trigger. */
export const MIN_SHARED_TOKEN_LENGTH = 16;

/**
 * For senders that cannot sign (CartFlows, Klaviyo flow webhooks): the request carries the shared
 * secret itself, in the URL or a header. Both sides are hashed before the comparison so that it
 * takes the same time whatever the received value's length or content; `where` names the place
 * the token was expected, for the rejection reason.
 */
export function verifySharedToken(received: string | undefined, secret: string, where: string): SignatureCheck {
	if (!secret) return { valid: false, reason: SignatureRejection.MissingSecret };
	if (secret.length < MIN_SHARED_TOKEN_LENGTH) {
		return { valid: false, reason: `the shared secret is shorter than ${MIN_SHARED_TOKEN_LENGTH} characters, so deliveries are refused until it is replaced` };
	}
	if (received === undefined || received === '') return { valid: false, reason: `the shared token is missing (${where})` };
	const same = timingSafeEqual(digest(received), digest(secret));
	return same ? { valid: true } : { valid: false, reason: `the shared token does not match (${where})` };
}

function digest(text: string): Buffer {
	return createHash('sha256').update(text, 'utf8').digest();
}
