import type { OrderInput, RefundInput } from '../../engine';

let counter = 0;

/** A paid order of `totalMinor` cents for the customer with this email. */
export function paidOrder(email: string, totalMinor: number, overrides: Partial<OrderInput> = {}): OrderInput {
	counter++;
	return {
		source: 'woocommerce',
		id: `ord-${counter}-${Math.random().toString(36).slice(2, 8)}`,
		status: 'paid',
		placedAt: '2026-03-01T10:00:00Z',
		currency: 'USD',
		totalMinor,
		lines: [{ sku: 'BEANS-1', quantity: 1, totalMinor, category: 'coffee' }],
		customer: { identities: { email } },
		...overrides,
	};
}

export function refundOf(order: OrderInput, amountMinor: number, id = `ref-${++counter}`): RefundInput {
	return { source: order.source, id, orderId: order.id, amountMinor, currency: order.currency, createdAt: '2026-03-05T10:00:00Z' };
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-03-01T12:00:00Z') {
	let now = new Date(start);
	return {
		now: () => new Date(now),
		set(iso: string) {
			now = new Date(iso);
		},
		advanceDays(days: number) {
			now = new Date(now.getTime() + days * 86_400_000);
		},
	};
}
