import { EventType, type LoyaltyEvent, LoyaltyError, type ProductSnapshot, parseOrThrow, productSnapshotSchema } from '../../engine';
import { type JsonObject, optionalText, requireId, requireObject } from '../shared/payload';
import { normalizeOne } from './normalizer';

/** A catalog report from the shop's own site: not an event about a customer, compared with the last one kept. */
export const GENERIC_PRODUCT_UPDATED = 'product_updated';

/** What one generic delivery holds: customer events, and product reports (price and stock). */
export interface GenericDelivery {
	events: LoyaltyEvent[];
	products: ProductSnapshot[];
}

/**
 * The generic webhook's body: one item or a list. `product_updated` items are product reports:
 *
 *   { id, type: "product_updated", occurredAt, product: { id, name?, categories?, priceMinor?, currency?, inStock?, url? } }
 *
 * keyed by the item's id (a repeated delivery changes nothing). Anything else is a customer event
 * (normalizeGenericEvent's rules), a `product_viewed` among them. Alerts (price_dropped, back_in_stock)
 * are the store's own conclusions and are refused when sent in.
 */
export function normalizeGenericDelivery(payload: unknown): GenericDelivery {
	const items = Array.isArray(payload) ? payload.map((item, index) => ({ item, root: String(index) })) : [{ item: payload, root: '' }];
	const delivery: GenericDelivery = { events: [], products: [] };
	for (const { item, root } of items) {
		const at = (field: string): string => (root ? `${root}.${field}` : field);
		const type = (item as JsonObject | null)?.type;
		if (type === EventType.PriceDropped || type === EventType.BackInStock) {
			throw LoyaltyError.invalid(at('type'), `"${type}" is worked out by the store from product reports; send "${GENERIC_PRODUCT_UPDATED}" with the product's price and stock instead`);
		}
		if (type === GENERIC_PRODUCT_UPDATED) delivery.products.push(productReport(item, at));
		else delivery.events.push(normalizeOne(item, root));
	}
	return delivery;
}

function productReport(raw: unknown, at: (field: string) => string): ProductSnapshot {
	const body = requireObject(raw, at('') || 'body');
	const id = requireId(body.id, at('id'));
	const product = requireObject(body.product, at('product'));
	const occurredAt = optionalText(body.occurredAt, at('occurredAt'));
	if (occurredAt === undefined) throw LoyaltyError.invalid(at('occurredAt'), 'is required: when the price or stock changed');
	const productId = typeof product.id === 'number' && Number.isSafeInteger(product.id) ? String(product.id) : product.id;
	return parseOrThrow(
		productSnapshotSchema,
		{ ...product, id: productId, source: 'generic', key: `generic:product:${id}`, observedAt: occurredAt },
		at('product'),
	);
}
