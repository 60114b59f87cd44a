/**
 * Builds signed webhook deliveries the way WooCommerce and Square send them. Signing is done
 * here with node:crypto directly — not with the connectors' code under test — so a bug in the
 * connectors' verification cannot hide behind the same bug in the test.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface Delivery {
	headers: Record<string, string>;
	body: string;
}

export interface WooOrderSpec {
	id: number;
	status: 'processing' | 'completed' | 'pending' | 'refunded' | 'cancelled';
	total: string;
	email: string;
	firstName?: string;
	customerId?: number;
	refunds?: Array<{ id: number; total: string; reason?: string }>;
	lines?: Array<{ sku: string; name: string; quantity: number; total: string; productId?: number }>;
	datePaidGmt?: string;
}

export function wooOrderPayload(spec: WooOrderSpec): Record<string, unknown> {
	const lines = spec.lines ?? [{ sku: 'BEANS-250', name: 'House beans 250 g', quantity: 1, total: spec.total }];
	const paid = spec.datePaidGmt ?? '2026-03-02T09:15:00';
	return {
		id: spec.id,
		parent_id: 0,
		status: spec.status,
		currency: 'USD',
		date_created: paid,
		date_created_gmt: paid,
		date_modified_gmt: paid,
		date_paid_gmt: spec.status === 'pending' ? null : paid,
		discount_total: '0.00',
		total: spec.total,
		customer_id: spec.customerId ?? 0,
		billing: { first_name: spec.firstName ?? 'Ana', last_name: 'Silva', email: spec.email, phone: '' },
		line_items: lines.map((line, index) => ({ id: index + 1, name: line.name, product_id: line.productId ?? 100 + index, variation_id: 0, quantity: line.quantity, sku: line.sku, subtotal: line.total, total: line.total, price: Number(line.total) / line.quantity })),
		coupon_lines: [],
		refunds: (spec.refunds ?? []).map((r) => ({ id: r.id, reason: r.reason ?? '', total: `-${r.total}` })),
	};
}

export function signedWooDelivery(topic: string, payload: unknown, secret: string, deliveryId: string = randomUUID()): Delivery {
	const body = JSON.stringify(payload);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'x-wc-webhook-source': 'https://shop.example/',
			'x-wc-webhook-topic': topic,
			'x-wc-webhook-resource': topic.split('.')[0],
			'x-wc-webhook-event': topic.split('.')[1],
			'x-wc-webhook-id': '17',
			'x-wc-webhook-delivery-id': deliveryId,
			'x-wc-webhook-signature': createHmac('sha256', secret).update(body).digest('base64'),
		},
	};
}

export interface SquarePaymentSpec {
	paymentId: string;
	orderId: string;
	amount: number;
	customerId?: string;
	email?: string;
	status?: 'COMPLETED' | 'APPROVED' | 'PENDING';
}

export function squarePaymentNotification(spec: SquarePaymentSpec, eventId: string = randomUUID()): Record<string, unknown> {
	return {
		merchant_id: 'MLTEST123',
		type: 'payment.updated',
		event_id: eventId,
		created_at: '2026-03-02T10:00:00Z',
		data: {
			type: 'payment',
			id: spec.paymentId,
			object: {
				payment: {
					id: spec.paymentId,
					created_at: '2026-03-02T09:59:00Z',
					updated_at: '2026-03-02T10:00:00Z',
					amount_money: { amount: spec.amount, currency: 'USD' },
					total_money: { amount: spec.amount, currency: 'USD' },
					status: spec.status ?? 'COMPLETED',
					source_type: 'CARD',
					location_id: 'LTEST',
					order_id: spec.orderId,
					...(spec.customerId ? { customer_id: spec.customerId } : {}),
					...(spec.email ? { buyer_email_address: spec.email } : {}),
					version: 3,
				},
			},
		},
	};
}

export function squareRefundNotification(spec: { refundId: string; paymentId: string; orderId: string; amount: number; status?: string }, eventId: string = randomUUID()): Record<string, unknown> {
	return {
		merchant_id: 'MLTEST123',
		type: 'refund.updated',
		event_id: eventId,
		created_at: '2026-03-02T15:00:00Z',
		data: {
			type: 'refund',
			id: spec.refundId,
			object: {
				refund: {
					id: spec.refundId,
					status: spec.status ?? 'COMPLETED',
					amount_money: { amount: spec.amount, currency: 'USD' },
					payment_id: spec.paymentId,
					order_id: spec.orderId,
					location_id: 'LTEST',
					created_at: '2026-03-02T14:59:00Z',
					updated_at: '2026-03-02T15:00:00Z',
				},
			},
		},
	};
}

export function signedSquareDelivery(payload: unknown, signatureKey: string, notificationUrl: string): Delivery {
	const body = JSON.stringify(payload);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'x-square-hmacsha256-signature': createHmac('sha256', signatureKey).update(notificationUrl + body).digest('base64'),
		},
	};
}

export async function post(url: string, delivery: Delivery): Promise<{ status: number; body: string }> {
	const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
	return { status: response.status, body: await response.text() };
}
