import { createHash } from 'node:crypto';

/**
 * Referral codes: seven characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), so a
 * code read aloud at a counter or copied from a text cannot be mistaken: 30^7 ≈ 22 billion codes.
 */
export const REFERRAL_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERRAL_CODE_LENGTH = 7;

const CODE_PATTERN = new RegExp(`^[${REFERRAL_CODE_ALPHABET}]{${REFERRAL_CODE_LENGTH}}$`);

/**
 * A code as the customer or the shop wrote it, in the one form codes are stored in: upper case,
 * without spaces or dashes ("ab3-k7m q" → "AB3K7MQ"). Undefined when it cannot be a code.
 */
export function normalizeReferralCode(text: string): string | undefined {
	const compact = text.normalize('NFKC').replace(/[\s\-_.]/g, '').toUpperCase();
	return CODE_PATTERN.test(compact) ? compact : undefined;
}

/**
 * The codes a free text may carry ("Referred by Ann, code AB3K7MQ!"): every word, and every pair
 * of adjacent words (a code written "AB3 K7MQ"), that has the shape of a code. Which of them exist
 * is for the store to say.
 */
export function referralCodesInText(text: string): string[] {
	const words = text.split(/[^\p{L}\p{N}\-_]+/u).filter((word) => word.length > 0);
	const found = new Set<string>();
	for (let i = 0; i < words.length; i++) {
		const one = normalizeReferralCode(words[i]);
		if (one) found.add(one);
		if (i + 1 < words.length && !normalizeReferralCode(words[i + 1])) {
			const two = normalizeReferralCode(words[i] + words[i + 1]);
			if (two && !one) found.add(two);
		}
	}
	return [...found];
}

/**
 * The code a customer gets on the `attempt`-th try: derived from the program and customer, so
 * two workers creating it at once compute the same code and one insert wins; a later attempt is
 * only needed when another customer already holds that code.
 */
export function candidateReferralCode(programId: string, customerId: string, attempt: number): string {
	const digest = createHash('sha256').update(`${programId}\u0000${customerId}\u0000${attempt}`).digest();
	let code = '';
	for (let i = 0; i < REFERRAL_CODE_LENGTH; i++) code += REFERRAL_CODE_ALPHABET[digest[i] % REFERRAL_CODE_ALPHABET.length];
	return code;
}
