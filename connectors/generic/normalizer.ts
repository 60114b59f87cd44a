import {
	EVENT_TYPES,
	EventType,
	type LoyaltyEvent,
	LoyaltyError,
	OrderSource,
	OrderStatus,
	cartSchema,
	customerInputSchema,
	loyaltyEventSchema,
	orderSchema,
	parseOrThrow,
	productViewSchema,
	refundSchema,
} from '../../engine';
import { type JsonObject, optionalObject, optionalText, requireId, requireObject } from '../shared/payload';

/**
 * Accepts one canonical-ish event, or a list of them, from any system that can send JSON:
 *
 *   { id, type, occurredAt?, idempotencyKey?, customer, order?, refund?, cart? }
 *
 * A `cart_updated` event carries a `cart` ({ id, status?, currency, totalMinor, updatedAt,
 * checkoutUrl?, lines? }) and is keyed on the cart and the time it last changed.
 *
 * A `product_viewed` event carries a `product` ({ id, name?, categories?, priceMinor?, currency?,
 * url?, wishlisted? }) and is keyed on the event id.
 *
 * Money is already integer minor units. What can be derived is filled in (sources, the order's
 * customer, a purchase's status, the idempotency key, occurredAt); everything else is validated
 * and the first problem is thrown as a LoyaltyError naming the sender's field.
 */
export function normalizeGenericEvent(payload: unknown): LoyaltyEvent[] {
	if (Array.isArray(payload)) return payload.map((item, index) => normalizeOne(item, String(index)));
	return [normalizeOne(payload, '')];
}

/** One item of a delivery; `root` is its index in a list (for field names), empty for a single item. */
export function normalizeOne(raw: unknown, root: string): LoyaltyEvent {
	const at = (field: string): string => (root ? `${root}.${field}` : field);
	const body = requireObject(raw, root || 'body');
	const id = requireId(body.id, at('id'));
	const type = body.type;
	if (typeof type !== 'string' || !(EVENT_TYPES as string[]).includes(type)) {
		throw LoyaltyError.invalid(at('type'), `must be one of ${EVENT_TYPES.join(', ')}`);
	}
	rejectForeignSource(body, at('source'));

	let order = optionalObject(body.order, at('order'));
	let refund = optionalObject(body.refund, at('refund'));
	let cart = optionalObject(body.cart, at('cart'));
	let product = optionalObject(body.product, at('product'));
	if (type === EventType.ProductViewed && product === undefined) throw LoyaltyError.invalid(at('product'), 'is required for a product_viewed event (at least its id and name)');
	if (type === EventType.PriceDropped || type === EventType.BackInStock) throw LoyaltyError.invalid(at('type'), `"${type}" is worked out by the store from product reports; send "product_updated" instead`);
	const needsOrder = type === EventType.Purchase || type === EventType.OrderUpdated;
	if (needsOrder && order === undefined) throw LoyaltyError.invalid(at('order'), `is required for a ${type} event`);
	if (type === EventType.Refund && refund === undefined) throw LoyaltyError.invalid(at('refund'), 'is required for a refund event');
	if (type === EventType.CartUpdated && cart === undefined) throw LoyaltyError.invalid(at('cart'), 'is required for a cart_updated event');

	if (order !== undefined) {
		rejectForeignSource(order, at('order.source'));
		const status = order.status ?? (type === EventType.Purchase ? OrderStatus.Paid : undefined);
		// Only a paid order earns points; a "purchase" in any other state would be a contradiction.
		if (type === EventType.Purchase && status !== OrderStatus.Paid) throw LoyaltyError.invalid(at('order.status'), 'must be "paid" for a purchase event');
		order = { ...order, source: OrderSource.Generic, id: idText(order.id), status, customer: order.customer ?? body.customer };
	}
	if (refund !== undefined) {
		rejectForeignSource(refund, at('refund.source'));
		refund = { ...refund, source: OrderSource.Generic, id: idText(refund.id), orderId: idText(refund.orderId) };
	}
	if (cart !== undefined) cart = { ...cart, id: idText(cart.id) };
	if (product !== undefined) product = { ...product, id: idText(product.id) };

	// Parts are checked before the whole so an error names the sender's field (`order.placedAt`)
	// rather than a field derived from it (`occurredAt`) or a copy of it (`order.customer`).
	parseOrThrow(customerInputSchema, body.customer, at('customer'));
	if (order !== undefined) parseOrThrow(orderSchema, order, at('order'));
	if (refund !== undefined) parseOrThrow(refundSchema, refund, at('refund'));
	if (cart !== undefined) parseOrThrow(cartSchema, cart, at('cart'));
	if (product !== undefined) parseOrThrow(productViewSchema, product, at('product'));

	const occurredAt = optionalText(body.occurredAt, at('occurredAt')) ?? textOf(order?.placedAt) ?? textOf(refund?.createdAt) ?? textOf(cart?.updatedAt);
	if (occurredAt === undefined) throw LoyaltyError.invalid(at('occurredAt'), 'is required when the event has no order, refund or cart');

	const event = {
		id: `generic:${id}`,
		type,
		source: OrderSource.Generic,
		occurredAt,
		idempotencyKey: optionalText(body.idempotencyKey, at('idempotencyKey')) ?? derivedKey(type, id, order, refund, cart),
		customer: body.customer,
		order,
		refund,
		cart,
		product,
	};
	return parseOrThrow(loyaltyEventSchema, event, root);
}

/** Derived from the business fact, so two deliveries of the same order or refund write once. */
function derivedKey(type: string, id: string, order: JsonObject | undefined, refund: JsonObject | undefined, cart: JsonObject | undefined): string {
	if (type === EventType.Refund && refund !== undefined) return `generic:refund:${String(refund.id)}`;
	// A cart changes many times; each change is its own fact, named by when it happened (in UTC, so
	// one instant written with two offsets is still one fact). updatedAt was validated above.
	if (type === EventType.CartUpdated && cart !== undefined) return `generic:cart:${String(cart.id)}:${new Date(String(cart.updatedAt)).toISOString()}`;
	if (order !== undefined && type !== EventType.CustomerUpdated) return `generic:order:${String(order.id)}:${String(order.status)}`;
	if (type === EventType.ProductViewed) return `generic:view:${id}`;
	return `generic:event:${id}`;
}

/** Square and WooCommerce data must come through their own connectors, which verify and key it. */
function rejectForeignSource(object: JsonObject, field: string): void {
	if (object.source !== undefined && object.source !== OrderSource.Generic) {
		throw LoyaltyError.invalid(field, `must be "${OrderSource.Generic}" (or left out) for events sent to the generic webhook`);
	}
}

/** Senders often use numeric ids; the canonical model keeps ids as text. */
function idText(value: unknown): unknown {
	return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
}

function textOf(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
