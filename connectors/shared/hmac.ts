import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Why a delivery's signature was refused. Every verifier fails closed with one of these, so a
 * trigger can log the reason without ever accepting an unverified body.
 */
export const SignatureRejection = {
	MissingSecret: 'no webhook secret is configured, so the delivery cannot be verified',
	MissingHeader: 'the signature header is missing',
	MalformedHeader: 'the signature header is not in the expected format',
	Mismatch: 'the signature does not match the body',
} as const;
export type SignatureRejection = (typeof SignatureRejection)[keyof typeof SignatureRejection];

export function hmacSha256(secret: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
	const hmac = createHmac('sha256', secret);
	for (const part of parts) hmac.update(part);
	return hmac.digest();
}

export function hmacSha256Base64(secret: string | Buffer, ...parts: Array<string | Buffer>): string {
	return hmacSha256(secret, ...parts).toString('base64');
}

export function hmacSha256Hex(secret: string | Buffer, ...parts: Array<string | Buffer>): string {
	return hmacSha256(secret, ...parts).toString('hex');
}

/**
 * timingSafeEqual throws on buffers of different lengths; a length difference is itself a
 * mismatch, and the length of a MAC is public anyway, so answering early leaks nothing.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
	if (a.length !== b.length) return false;
	return timingSafeEqual(a, b);
}

const SHA256_BYTES = 32;

/**
 * Node's base64 decoder silently skips stray characters and ignores the unused low bits of the
 * last character, so several header strings decode to the same MAC. Accepting only the canonical
 * spelling keeps "any change to the header fails" true.
 */
export function decodeSha256Base64(text: string): Buffer | undefined {
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
	const bytes = Buffer.from(text, 'base64');
	if (bytes.length !== SHA256_BYTES || bytes.toString('base64') !== text) return undefined;
	return bytes;
}

export function decodeSha256Hex(text: string): Buffer | undefined {
	// Lower case only, for the same reason as canonical base64: one MAC, one spelling.
	if (!/^[0-9a-f]{64}$/.test(text)) return undefined;
	return Buffer.from(text, 'hex');
}
