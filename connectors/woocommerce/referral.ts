import { referralCodesInText, type OrderInput } from '../../engine';
import { type JsonObject, compact, optionalArray, optionalObject } from '../shared/payload';

/**
 * Order meta keys a referral code is kept under: a link's `?ref=` saved at checkout by a snippet
 * or plugin, or a checkout field. The first one with a value wins.
 */
export const REFERRAL_META_KEYS = ['referral_code', '_referral_code', 'ref', '_ref'] as const;

/**
 * What a WooCommerce order says about a referral, besides its coupons (read as coupon codes):
 * the code in its meta data, or codes written in the customer's note; and the shipping address,
 * only ever compared to spot a self-referral. WooCommerce sends no payment fingerprint.
 */
export function wooReferral(order: JsonObject): Pick<OrderInput, 'referralCode' | 'shippingAddress'> {
	return compact({ referralCode: metaCode(order) ?? noteCodes(order.customer_note), shippingAddress: shippingLine(order) });
}

function metaCode(order: JsonObject): string | undefined {
	const meta = optionalArray(order.meta_data, 'meta_data');
	for (const key of REFERRAL_META_KEYS) {
		const entry = meta.find((m) => typeof m === 'object' && m !== null && (m as JsonObject).key === key) as JsonObject | undefined;
		const value = entry?.value;
		if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
	}
	return undefined;
}

/** Only code-shaped words of a note: "Extra napkins please" is no unknown referral code. */
function noteCodes(note: unknown): string | undefined {
	if (typeof note !== 'string') return undefined;
	const codes = referralCodesInText(note);
	return codes.length > 0 ? codes.join(' ') : undefined;
}

function shippingLine(order: JsonObject): string | undefined {
	const shipping = optionalObject(order.shipping, 'shipping');
	if (!shipping || typeof shipping.address_1 !== 'string' || shipping.address_1.trim() === '') return undefined;
	const parts = [shipping.address_1, shipping.address_2, shipping.postcode, shipping.city, shipping.country].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
	return parts.join(', ').slice(0, 500);
}
