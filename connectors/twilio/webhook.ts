import { createHmac } from 'node:crypto';
import type { SignatureCheck } from '../http';
import { SignatureRejection, constantTimeEqual } from '../shared/hmac';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';
const SHA1_BYTES = 20;

function decodeSha1Base64(text: string): Buffer | undefined {
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
	const bytes = Buffer.from(text, 'base64');
	// One MAC, one spelling: non-canonical base64 that decodes to the same bytes is refused.
	if (bytes.length !== SHA1_BYTES || bytes.toString('base64') !== text) return undefined;
	return bytes;
}

/**
 * Twilio signs the full URL it called (as configured, query string included) followed by every
 * POST parameter, sorted by name, as name + value, with HMAC-SHA1 keyed by the Auth Token.
 * Repeated parameters contribute each value, in order.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): Buffer {
	const names = [...new Set(params.keys())].sort();
	const hmac = createHmac('sha1', authToken).update(url, 'utf8');
	for (const name of names) for (const value of params.getAll(name)) hmac.update(name + value, 'utf8');
	return hmac.digest();
}

/** Verifies a form-encoded Twilio request. Fails closed: no token, no URL or no header is a refusal. */
export function verifyTwilioSignature(rawBody: Buffer, signatureHeader: string | undefined, authToken: string, url: string): SignatureCheck {
	if (!authToken) return { valid: false, reason: SignatureRejection.MissingSecret };
	if (!url) return { valid: false, reason: 'the webhook URL is not configured, so the request cannot be verified' };
	const header = signatureHeader?.trim();
	if (!header) return { valid: false, reason: `${SignatureRejection.MissingHeader} (${TWILIO_SIGNATURE_HEADER})` };
	const received = decodeSha1Base64(header);
	if (!received) return { valid: false, reason: `${SignatureRejection.MalformedHeader} (base64 HMAC-SHA1)` };
	const expected = twilioSignature(authToken, url, new URLSearchParams(rawBody.toString('utf8')));
	return constantTimeEqual(received, expected) ? { valid: true } : { valid: false, reason: SignatureRejection.Mismatch };
}
