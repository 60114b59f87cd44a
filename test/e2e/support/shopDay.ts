/**
 * A small coffee shop's day, as the webhooks that would reach n8n: WooCommerce orders being paid
 * and completed, Square card payments at the counter, partial and full refunds, and the
 * duplicate deliveries real shops send. Deterministic, so the demo prints the same story each run.
 */
import { signedSquareDelivery, signedWooDelivery, squarePaymentNotification, squareRefundNotification, wooOrderPayload, type Delivery, type WooOrderSpec } from './webhooks';

export interface ShopDayStep {
	at: string;
	source: 'woocommerce' | 'square';
	what: string;
	delivery: Delivery;
}

export interface ShopSecrets {
	wooSecret: string;
	squareSignatureKey: string;
	squareNotificationUrl: string;
	/** The Square order and customer the counter sale is rung up on (Prism's examples in the demo). */
	squareOrderId: string;
	squareCustomerId: string;
}

const CUSTOMERS = [
	['Ana', 'ana@example.com'],
	['Ben', 'ben@example.com'],
	['Chloé', 'chloe@example.com'],
	['Dev', 'dev@example.com'],
	['Emi', 'emi@example.com'],
	['Farah', 'farah@example.com'],
	['Gus', 'gus@example.com'],
	['Hana', 'hana@example.com'],
] as const;

const MENU = [
	['BEANS-250', 'House beans 250 g', '12.50'],
	['BEANS-1K', 'House beans 1 kg', '42.00'],
	['GRINDER', 'Hand grinder', '89.00'],
	['FILTERS', 'Paper filters x100', '6.25'],
	['MUG', 'Stoneware mug', '18.00'],
] as const;

/** A tiny seeded generator: the same day every time. */
function seeded(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

export function shopDay(secrets: ShopSecrets): ShopDayStep[] {
	const random = seeded(20261123);
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
	const steps: ShopDayStep[] = [];
	const hour = (h: number, m: number) => `2026-03-02T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
	const wooOrders: WooOrderSpec[] = [];

	for (let i = 0; i < 14; i++) {
		const [firstName, email] = pick(CUSTOMERS);
		const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(MENU));
		const lines = items.map(([sku, name, price]) => ({ sku, name, quantity: 1, total: price }));
		const total = (lines.reduce((sum, l) => sum + Math.round(Number(l.total) * 100), 0) / 100).toFixed(2);
		const at = hour(8 + Math.floor(i / 2), (i * 17) % 60);
		const spec: WooOrderSpec = { id: 5000 + i, status: 'processing', total, email, firstName, customerId: 200 + CUSTOMERS.findIndex((c) => c[1] === email), lines, datePaidGmt: at };
		wooOrders.push(spec);
		const delivery = signedWooDelivery('order.created', wooOrderPayload(spec), secrets.wooSecret);
		steps.push({ at, source: 'woocommerce', what: `order #${spec.id} paid by ${firstName}: $${total}`, delivery });
		if (i % 5 === 0) steps.push({ at, source: 'woocommerce', what: `order #${spec.id}: the same delivery again (WooCommerce retry)`, delivery });
		if (i % 4 === 1) {
			steps.push({ at, source: 'woocommerce', what: `order #${spec.id} marked completed (same purchase, new delivery)`, delivery: signedWooDelivery('order.updated', wooOrderPayload({ ...spec, status: 'completed' }), secrets.wooSecret) });
		}
	}

	// One counter sale on Square, half of it refunded in the afternoon.
	const amount = 2450;
	const payment = squarePaymentNotification({ paymentId: 'PAY-COUNTER-1', orderId: secrets.squareOrderId, amount, customerId: secrets.squareCustomerId });
	const counter = signedSquareDelivery(payment, secrets.squareSignatureKey, secrets.squareNotificationUrl);
	steps.push({ at: hour(11, 5), source: 'square', what: `counter sale on Square: $${(amount / 100).toFixed(2)}`, delivery: counter });
	steps.push({ at: hour(11, 6), source: 'square', what: 'the same Square notification again (Square retries)', delivery: counter });
	const refund = squareRefundNotification({ refundId: 'REF-COUNTER-1', paymentId: 'PAY-COUNTER-1', orderId: secrets.squareOrderId, amount: amount / 2 });
	steps.push({ at: hour(15, 30), source: 'square', what: `Square refund of $${(amount / 200).toFixed(2)} on the counter sale`, delivery: signedSquareDelivery(refund, secrets.squareSignatureKey, secrets.squareNotificationUrl) });

	const partial = wooOrders[3];
	const partialRefund = (Number(partial.total) / 2).toFixed(2);
	steps.push({ at: hour(16, 10), source: 'woocommerce', what: `order #${partial.id}: $${partialRefund} refunded`, delivery: signedWooDelivery('order.updated', wooOrderPayload({ ...partial, status: 'processing', refunds: [{ id: 9001, total: partialRefund, reason: 'one bag arrived damaged' }] }), secrets.wooSecret) });
	const full = wooOrders[6];
	steps.push({ at: hour(17, 40), source: 'woocommerce', what: `order #${full.id}: fully refunded`, delivery: signedWooDelivery('order.updated', wooOrderPayload({ ...full, status: 'refunded', refunds: [{ id: 9002, total: full.total, reason: 'changed mind' }] }), secrets.wooSecret) });

	return steps.sort((a, b) => a.at.localeCompare(b.at));
}
