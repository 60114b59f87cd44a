import type { SignatureCheck } from '../http';
import { SignatureRejection, constantTimeEqual, decodeSha256Base64, hmacSha256 } from '../shared/hmac';
import { type IncomingHeaders, headerValue } from '../shared/headers';

export const WooCommerceHeader = {
	Signature: 'X-WC-Webhook-Signature',
	Topic: 'X-WC-Webhook-Topic',
	DeliveryId: 'X-WC-Webhook-Delivery-ID',
	WebhookId: 'X-WC-Webhook-ID',
	Source: 'X-WC-Webhook-Source',
} as const;

/** WooCommerce signs the exact bytes it sent: base64(HMAC-SHA256(secret, body)). */
export function verifyWooCommerceSignature(rawBody: Buffer, signatureHeader: string | undefined, secret: string): SignatureCheck {
	if (!secret) return { valid: false, reason: SignatureRejection.MissingSecret };
	const header = signatureHeader?.trim();
	if (!header) return { valid: false, reason: `${SignatureRejection.MissingHeader} (${WooCommerceHeader.Signature})` };
	const received = decodeSha256Base64(header);
	if (!received) return { valid: false, reason: `${SignatureRejection.MalformedHeader} (base64 HMAC-SHA256)` };
	const expected = hmacSha256(secret, rawBody);
	return constantTimeEqual(received, expected) ? { valid: true } : { valid: false, reason: SignatureRejection.Mismatch };
}

/**
 * When a webhook is saved, WooCommerce posts `webhook_id=<id>` once, form-encoded, unsigned and
 * without a topic, and disables the webhook unless it gets a 2xx. It must be acknowledged, and
 * must never reach the normalizer, which would reject it.
 */
export function isWooCommercePing(headers: IncomingHeaders, rawBody: Buffer): boolean {
	if (headerValue(headers, WooCommerceHeader.Topic) !== undefined) return false;
	const fields = new URLSearchParams(rawBody.toString('utf8').trim());
	const keys = [...fields.keys()];
	return keys.length === 1 && keys[0] === 'webhook_id' && /^\d+$/.test(fields.get('webhook_id') ?? '');
}

export interface WooCommerceDeliveryHeaders {
	topic?: string;
	deliveryId?: string;
	signature?: string;
	webhookId?: string;
	source?: string;
}

export function readWooCommerceHeaders(headers: IncomingHeaders): WooCommerceDeliveryHeaders {
	return {
		topic: headerValue(headers, WooCommerceHeader.Topic),
		deliveryId: headerValue(headers, WooCommerceHeader.DeliveryId),
		signature: headerValue(headers, WooCommerceHeader.Signature),
		webhookId: headerValue(headers, WooCommerceHeader.WebhookId),
		source: headerValue(headers, WooCommerceHeader.Source),
	};
}
