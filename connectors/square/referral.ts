import { referralCodesInText, type OrderInput } from '../../engine';
import { type JsonObject, compact } from '../shared/payload';
import type { SquareOrder } from './types';

/** The order metadata key a referral code is kept under (set by the shop's online checkout or app). */
export const SQUARE_REFERRAL_METADATA_KEY = 'referral_code';

/**
 * What a Square sale says about a referral: the code in the order's metadata, or code-shaped
 * words in a discount's name (a cashier's "Referral AB3K7MQ" discount) or in the payment's note;
 * the card's fingerprint and the shipping address, only ever compared to spot a self-referral.
 */
export function squareReferral(payment: JsonObject, order: SquareOrder | undefined): Pick<OrderInput, 'referralCode' | 'paymentFingerprint' | 'shippingAddress'> {
	const metadata = objectOrEmpty(order?.metadata);
	const written = text(metadata[SQUARE_REFERRAL_METADATA_KEY]);
	const discounts = Array.isArray(order?.discounts) ? (order.discounts as unknown[]) : [];
	const texts = [...discounts.map((d) => text(objectOrEmpty(d).name) ?? ''), text(payment.note) ?? ''];
	const found = [...new Set(texts.flatMap((one) => referralCodesInText(one)))];
	const card = objectOrEmpty(objectOrEmpty(payment.card_details).card);
	return compact({
		referralCode: written?.slice(0, 200) ?? (found.length > 0 ? found.join(' ') : undefined),
		paymentFingerprint: text(card.fingerprint)?.slice(0, 200),
		shippingAddress: addressLine(objectOrEmpty(payment.shipping_address)),
	});
}

function addressLine(address: JsonObject): string | undefined {
	if (text(address.address_line_1) === undefined) return undefined;
	const parts = [address.address_line_1, address.address_line_2, address.postal_code, address.locality, address.country].map(text).filter((p): p is string => p !== undefined);
	return parts.join(', ').slice(0, 500);
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function objectOrEmpty(value: unknown): JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}
