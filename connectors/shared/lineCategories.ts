import type { LoyaltyEvent, Order } from '../../engine';

/** The product ids of order lines that have a product but no category yet, each once. */
export function uncategorizedProductIds(events: readonly LoyaltyEvent[]): string[] {
	const ids = new Set<string>();
	for (const event of events) {
		for (const line of event.order?.lines ?? []) if (line.productId !== undefined && line.category === undefined) ids.add(line.productId);
	}
	return [...ids];
}

/**
 * Gives each line whose product is in `categoriesByProductId` that category. Only `category`
 * changes: amounts, quantities and the lines themselves stay as they are. A category already on a
 * line is kept (it came with the delivery, which is closer to the sale than a later lookup), and a
 * line whose product has none stays without one. Returns a new order; the input is not modified.
 */
export function withLineCategories(order: Order, categoriesByProductId: ReadonlyMap<string, string>): Order {
	return {
		...order,
		lines: order.lines.map((line) => {
			if (line.category !== undefined || line.productId === undefined) return line;
			const category = categoriesByProductId.get(line.productId);
			return category === undefined ? line : { ...line, category };
		}),
	};
}

/** `withLineCategories` on the order of every event that has one. */
export function withEventLineCategories(events: readonly LoyaltyEvent[], categoriesByProductId: ReadonlyMap<string, string>): LoyaltyEvent[] {
	return events.map((event) => (event.order === undefined ? event : { ...event, order: withLineCategories(event.order, categoriesByProductId) }));
}
