import { EventType, type HistoryPage, type LoyaltyEvent } from '../../engine';

/** A page of imported history: the purchases and refunds among the normalized events, with their webhook keys. */
export function pageOf(events: readonly LoyaltyEvent[], position: string): HistoryPage {
	const page: HistoryPage = { orders: [], refunds: [], position };
	for (const event of events) {
		if (event.type === EventType.Purchase && event.order) page.orders.push({ order: event.order, idempotencyKey: event.idempotencyKey });
		else if (event.type === EventType.Refund && event.refund) page.refunds.push({ refund: event.refund, idempotencyKey: event.idempotencyKey });
	}
	return page;
}
