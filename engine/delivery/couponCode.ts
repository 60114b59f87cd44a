import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The coupon code of a decision: derived from its id, so a replayed decision asks the shop for
 * the same code (and the shop's uniqueness check turns a second creation into a no-op) instead
 * of minting a second coupon. No 0/O or 1/I, so it can be typed from an SMS.
 */
export function couponCodeFor(decisionId: string, prefix = 'LOY'): string {
	const digest = createHash('sha256').update(`coupon\u0000${decisionId}`).digest();
	let code = '';
	for (let i = 0; i < 10; i += 1) code += ALPHABET[digest[i] % ALPHABET.length];
	return `${prefix}-${code}`;
}
