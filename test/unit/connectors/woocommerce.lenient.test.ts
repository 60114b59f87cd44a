import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeWooCommerceDelivery } from '../../../connectors/woocommerce/normalizer';
import { assertLoyaltyError, fixture } from './helpers';

const withBilling = (billing: Record<string, unknown>, customerId = 0) => {
	const order = fixture('woocommerce', 'order-processing.json') as Record<string, unknown>;
	return { ...order, customer_id: customerId, billing: { ...(order.billing as Record<string, unknown>), ...billing } };
};

test('an order whose billing email is not an email still earns when the customer has another identity; the event says what was left out', () => {
	const events = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'lenient-1', payload: withBilling({ email: 'not-an-email', phone: '+12125550199' }) });
	const purchase = events.find((e) => e.type === 'purchase')!;
	assert.deepEqual(purchase.customer.identities, { phone: '+12125550199' });
	assert.equal(purchase.order?.customer.identities.email, undefined);
	assert.deepEqual(purchase.warnings, ['billing.email: "not-an-email" is not an email address and was left out; the customer is known by their other details']);
	const byAccount = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'lenient-2', payload: withBilling({ email: 'ana@@example', phone: '' }, 41) });
	assert.deepEqual(byAccount[0]!.customer.identities, { woocommerce: '41' });
});

test('with no other identity left, the order is refused naming billing.email (it goes to quarantine, not lost)', () => {
	assertLoyaltyError(() => normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'lenient-3', payload: withBilling({ email: 'not-an-email', phone: '' }) }), 'billing.email');
});

test('a valid email carries no warning', () => {
	const [event] = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'lenient-4', payload: withBilling({ email: 'Ana@Example.com' }) });
	assert.equal(event!.customer.identities.email, 'ana@example.com');
	assert.equal(event!.warnings, undefined);
});
