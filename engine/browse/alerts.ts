import { EventType, type LoyaltyEvent } from '../model/event';
import type { ProductSnapshot } from '../model/product';
import type { Customer } from '../model/customer';
import type { ProductChange } from './products';
import type { InterestedCustomer } from './views';

/**
 * The alert a change calls for, if any: a lower price (while the product can be bought) is a
 * price drop; out of stock before and in stock now is back in stock. A change that is both is
 * one price-drop alert: one offer per customer per report.
 */
export function alertTypeOf(change: ProductChange): typeof EventType.PriceDropped | typeof EventType.BackInStock | undefined {
	if (change.kind !== 'updated') return undefined;
	if (change.priceDrop && change.product.inStock !== false) return EventType.PriceDropped;
	if (change.backInStock) return EventType.BackInStock;
	return undefined;
}

/**
 * One event per interested customer, keyed by the report and the customer, so a repeated
 * delivery, or a second worker handling the same report, records each alert once.
 */
export function productAlertEvents(snapshot: ProductSnapshot, change: ProductChange, customers: ReadonlyArray<{ interested: InterestedCustomer; customer: Customer }>): LoyaltyEvent[] {
	const type = alertTypeOf(change);
	if (type === undefined || change.kind !== 'updated') return [];
	const { product, previous, priceDrop } = change;
	const out: LoyaltyEvent[] = [];
	for (const { interested, customer } of customers) {
		if (Object.values(customer.identities).every((v) => v === undefined)) continue;
		out.push({
			id: `${snapshot.source}:${type}:${snapshot.key}:${customer.id}`,
			type,
			source: snapshot.source,
			occurredAt: new Date(snapshot.observedAt).toISOString(),
			idempotencyKey: `browse:${type}:${product.productId}:${snapshot.key}:${customer.id}`,
			customer: { identities: customer.identities, ...(customer.timeZone ? { timeZone: customer.timeZone } : {}) },
			productAlert: {
				id: product.productId,
				...(product.name ? { name: product.name } : {}),
				categories: product.categories,
				...(product.url ? { url: product.url } : {}),
				...(product.currency ? { currency: product.currency } : {}),
				...(product.priceMinor !== undefined ? { priceMinor: product.priceMinor } : {}),
				...(priceDrop ? { previousPriceMinor: priceDrop.fromMinor } : previous.priceMinor !== undefined ? { previousPriceMinor: previous.priceMinor } : {}),
				priceDropPercent: priceDrop?.percent ?? 0,
				...(product.inStock !== undefined ? { inStock: product.inStock } : {}),
				interest: interested.interest,
				lastInterestAt: new Date(interested.lastInterestAt).toISOString(),
			},
		});
	}
	return out;
}
