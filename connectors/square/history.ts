import type { HistoryPage, LoyaltyEvent } from '../../engine';
import { uncategorizedProductIds, withEventLineCategories } from '../shared/lineCategories';
import { isObject } from '../shared/payload';
import { pageOf } from '../shared/historyPage';
import { VendorApiError } from '../http';
import type { SquareClient } from './client';
import { normalizeSquareNotification, type SquareNotificationContext } from './normalizer';
import { createSquareCategoryLookup } from './productCategories';
import { SquareEventType, type SquareCustomer, type SquareOrder } from './types';

export interface SquareHistoryOptions {
	/** Locations to import; default every location of the account (`GET /v2/locations`). */
	locationIds?: readonly string[];
	/** Only orders created at or after this instant (ISO). */
	since?: string;
	limit?: number;
}

/** SearchOrders takes at most 10 locations a request. */
const LOCATIONS_PER_SEARCH = 10;

/**
 * The account's completed orders, oldest first, a page at a time, each turned into the
 * notifications Square would have sent for it (a completed payment of the order, each completed
 * refund) and normalized by the same code as the live webhooks, with the same customer lookup and
 * line categories: an order is booked under `square:order:<id>:paid` and a refund under
 * `square:refund:<refund id>` whether it arrived live or here, so nothing is booked twice.
 * Refunds are read from the payments the order's `refunds` name (`GET /v2/payments/<id>`, then
 * each of its `refund_ids`), because Square's refund notifications carry the payment refund's id.
 *
 * A page's `position` is the creation time of its last order: a resumed run searches from that
 * instant (Square's `start_at` is inclusive), re-reading that order harmlessly.
 */
export async function* squareOrderHistory(client: SquareClient, options: SquareHistoryOptions, resumeFrom: string | undefined): AsyncGenerator<HistoryPage> {
	const locationIds = options.locationIds?.length ? [...options.locationIds] : (await client.listLocations()).map((l) => l.id).filter((id): id is string => typeof id === 'string');
	const createdFrom = resumeFrom ?? (options.since ? isoSince(options.since) : undefined);
	const customers = new Map<string, SquareCustomer | undefined>();
	const seenRefunds = new Set<string>();
	const categories = createSquareCategoryLookup();
	for (let start = 0; start < locationIds.length; start += LOCATIONS_PER_SEARCH) {
		const locations = locationIds.slice(start, start + LOCATIONS_PER_SEARCH);
		let cursor: string | undefined;
		let position = createdFrom ?? '';
		do {
			const answer = await client.searchOrders({ locationIds: locations, cursor, createdFrom, limit: options.limit });
			cursor = answer.cursor;
			const events: LoyaltyEvent[] = [];
			for (const order of answer.orders) events.push(...(await orderEvents(client, order, customers, seenRefunds)));
			const productIds = uncategorizedProductIds(events);
			const categorized = productIds.length > 0 ? withEventLineCategories(events, await categories.categoriesFor(client, 'import', productIds)) : events;
			const last = answer.orders[answer.orders.length - 1]?.created_at;
			if (typeof last === 'string') position = last;
			if (answer.orders.length > 0) yield pageOf(categorized, position);
		} while (cursor !== undefined);
	}
}

async function orderEvents(client: SquareClient, order: SquareOrder, customers: Map<string, SquareCustomer | undefined>, seenRefunds: Set<string>): Promise<LoyaltyEvent[]> {
	const orderId = String(order.id);
	const context: SquareNotificationContext = { order };
	const customerId = typeof order.customer_id === 'string' && order.customer_id !== '' ? order.customer_id : undefined;
	if (customerId !== undefined) {
		if (!customers.has(customerId)) customers.set(customerId, await client.retrieveCustomer(customerId).catch((error: unknown) => {
			// A deleted profile: the order still counts, under the Square id alone (as live).
			if (error instanceof VendorApiError && error.status === 404) return undefined;
			throw error;
		}));
		const customer = customers.get(customerId);
		if (customer) context.customer = customer;
	}
	const tenders = (Array.isArray(order.tenders) ? order.tenders : []).filter(isObject);
	const events: LoyaltyEvent[] = [];
	const paymentId = tenders.map((t) => t.payment_id ?? t.id).find((id): id is string => typeof id === 'string');
	const total = money(order.total_money);
	const tip = money(order.total_tip_money);
	// A return order (itemized refund) has no sale of its own: only its refunds count.
	const isReturn = Array.isArray(order.returns) && order.returns.length > 0;
	if (paymentId !== undefined && total !== undefined && !isReturn) {
		const payment = { id: paymentId, status: 'COMPLETED', order_id: orderId, amount_money: { amount: total.amount - (tip?.amount ?? 0), currency: total.currency }, ...(customerId ? { customer_id: customerId } : {}), created_at: order.created_at, updated_at: order.closed_at ?? order.updated_at ?? order.created_at };
		events.push(...normalizeSquareNotification(notification(SquareEventType.PaymentUpdated, `import-${orderId}`, { payment }), context));
	}
	const refunded = (Array.isArray(order.refunds) ? order.refunds : []).filter(isObject);
	if (refunded.length > 0) {
		const paymentIds = new Set([...refunded.map((r) => r.tender_id), ...tenders.map((t) => t.payment_id ?? t.id)].filter((id): id is string => typeof id === 'string'));
		for (const id of paymentIds) {
			const payment = await client.retrievePayment(id);
			for (const refundId of Array.isArray(payment.refund_ids) ? payment.refund_ids : []) {
				if (typeof refundId !== 'string' || seenRefunds.has(refundId)) continue;
				const refund = await client.retrieveRefund(refundId);
				if (refund.order_id !== order.id) continue; // refunded through another (return) order: imported with that one
				seenRefunds.add(refundId);
				events.push(...normalizeSquareNotification(notification(SquareEventType.RefundUpdated, `import-${refundId}`, { refund }), context));
			}
		}
	}
	return events;
}

function notification(type: string, eventId: string, object: Record<string, unknown>): unknown {
	return { type, event_id: eventId, data: { object } };
}

function money(value: unknown): { amount: number; currency: string } | undefined {
	return isObject(value) && typeof value.amount === 'number' && typeof value.currency === 'string' ? { amount: value.amount, currency: value.currency } : undefined;
}

function isoSince(since: string): string {
	const instant = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00Z` : since);
	if (!Number.isFinite(instant)) throw new Error(`since: "${since}" is not a date`);
	return new Date(instant).toISOString();
}
