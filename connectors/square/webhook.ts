import type { SignatureCheck } from '../http';
import { SignatureRejection, constantTimeEqual, decodeSha256Base64, hmacSha256 } from '../shared/hmac';

export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/**
 * Square signs the notification URL followed by the raw body, so the URL must be exactly the one
 * registered on the subscription (scheme, host, path and query), not the one a proxy rewrote.
 */
export function verifySquareSignature(
	rawBody: Buffer,
	signatureHeader: string | undefined,
	signatureKey: string,
	notificationUrl: string,
): SignatureCheck {
	if (!signatureKey) return { valid: false, reason: SignatureRejection.MissingSecret };
	if (!notificationUrl) return { valid: false, reason: 'the notification URL is not configured, so the delivery cannot be verified' };
	const header = signatureHeader?.trim();
	if (!header) return { valid: false, reason: `${SignatureRejection.MissingHeader} (${SQUARE_SIGNATURE_HEADER})` };
	const received = decodeSha256Base64(header);
	if (!received) return { valid: false, reason: `${SignatureRejection.MalformedHeader} (base64 HMAC-SHA256)` };
	const expected = hmacSha256(signatureKey, Buffer.from(notificationUrl, 'utf8'), rawBody);
	return constantTimeEqual(received, expected) ? { valid: true } : { valid: false, reason: SignatureRejection.Mismatch };
}
