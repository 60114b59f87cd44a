import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSquareNotification } from '../../../connectors/square';
import { normalizeWooCommerceDelivery } from '../../../connectors/woocommerce';
import { fixture } from './helpers';

/** How a referral code reaches the canonical order from each shop (docs/referrals.md). */
describe('referral codes in shop payloads', () => {
	const woo = (extra: Record<string, unknown>) => normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'r', payload: { ...(fixture('woocommerce', 'order-processing.json') as object), ...extra } })[0].order!;

	test('WooCommerce: the code in the order meta wins; else code-shaped words of the customer note; a plain note is no code', () => {
		assert.equal(woo({ meta_data: [{ id: 1, key: 'referral_code', value: ' ab3k7mq ' }], customer_note: 'from XY3K7MQ' }).referralCode, 'ab3k7mq');
		assert.equal(woo({ meta_data: [{ id: 1, key: '_ref', value: 'BOGUS' }] }).referralCode, 'BOGUS', 'a meta value is passed as written, so an unknown code is named');
		assert.equal(woo({ customer_note: 'Referred by Ann: AB3-K7MQ, thanks' }).referralCode, 'AB3K7MQ');
		assert.equal(woo({ customer_note: 'Please ring the bell' }).referralCode, undefined);
		assert.deepEqual(woo({ coupon_lines: [{ code: 'ab3k7mq' }] }).couponCodes, ['ab3k7mq'], 'a coupon with the code stays a coupon code; the engine matches it');
	});

	test('Square: the order metadata, a discount named with the code, or the payment note; the card fingerprint and shipping address are kept for the self-referral check', () => {
		const notification = fixture('square', 'payment-updated-completed.json') as { data: { object: { payment: Record<string, unknown> } } };
		const order = fixture<{ order: Record<string, unknown> }>('square', 'order-retrieved.json').order;
		const customer = fixture<{ customer: Record<string, unknown> }>('square', 'customer-retrieved.json').customer;
		const run = (orderExtra: Record<string, unknown>, paymentExtra: Record<string, unknown> = {}) => {
			const payload = structuredClone(notification);
			Object.assign(payload.data.object.payment, paymentExtra);
			return normalizeSquareNotification(payload, { order: { ...order, ...orderExtra }, customer } as never)[0].order!;
		};
		assert.equal(run({ metadata: { referral_code: 'AB3K7MQ' } }).referralCode, 'AB3K7MQ');
		assert.equal(run({ discounts: [{ uid: 'd1', name: 'Referral ab3k7mq' }] }).referralCode, 'AB3K7MQ');
		assert.equal(run({}, { note: 'friend code AB3 K7MQ' }).referralCode, 'AB3K7MQ');
		assert.equal(run({}, { note: 'extra hot' }).referralCode, undefined);
		const shipped = run({}, { shipping_address: { address_line_1: '500 Electric Ave', locality: 'New York', postal_code: '10003', country: 'US' } });
		assert.equal(shipped.shippingAddress, '500 Electric Ave, 10003, New York, US');
		assert.match(String(shipped.paymentFingerprint), /^sq-1-/);
	});
});
