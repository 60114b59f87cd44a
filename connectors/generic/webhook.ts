import type { SignatureCheck } from '../http';
import { SignatureRejection, constantTimeEqual, decodeSha256Hex, hmacSha256, hmacSha256Hex } from '../shared/hmac';

export const GENERIC_SIGNATURE_HEADER = 'X-Loyalty-Signature';
const PREFIX = 'sha256=';

/** Header format: `X-Loyalty-Signature: sha256=<lower-case hex HMAC-SHA256(secret, raw body)>`. */
export function verifyGenericSignature(rawBody: Buffer, signatureHeader: string | undefined, secret: string): SignatureCheck {
	if (!secret) return { valid: false, reason: SignatureRejection.MissingSecret };
	const header = signatureHeader?.trim();
	if (!header) return { valid: false, reason: `${SignatureRejection.MissingHeader} (${GENERIC_SIGNATURE_HEADER})` };
	const received = header.startsWith(PREFIX) ? decodeSha256Hex(header.slice(PREFIX.length)) : undefined;
	if (!received) return { valid: false, reason: `${SignatureRejection.MalformedHeader} (sha256=<64 lower-case hex digits>)` };
	return constantTimeEqual(received, hmacSha256(secret, rawBody)) ? { valid: true } : { valid: false, reason: SignatureRejection.Mismatch };
}

/** The header value a sender must attach; documented for integrators and used by tests. */
export function signGenericBody(rawBody: Buffer | string, secret: string): string {
	return `${PREFIX}${hmacSha256Hex(secret, rawBody)}`;
}
