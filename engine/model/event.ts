import { z } from 'zod';
import { isoInstant } from './instant';
import { cartSchema } from './cart';
import { customerInputSchema } from './customer';
import { idSchema } from './ids';
import { ORDER_SOURCES, orderSchema } from './order';
import { browseFactsSchema, productAlertSchema, productViewSchema } from './product';
import { refundSchema } from './refund';

/**
 * Canonical event types that sources deliver. Due events (birthday, inactivity, cart abandoned…)
 * are not delivered: schedule mode derives them from the store (engine/schedule).
 */
export const EventType = {
	Purchase: 'purchase',
	Refund: 'refund',
	OrderUpdated: 'order_updated',
	CustomerUpdated: 'customer_updated',
	CartUpdated: 'cart_updated',
	// Browse and price triggers (engine/browse): a view or wish-list entry, and the alerts the
	// store derives, one per interested customer, from a product's price or stock change.
	ProductViewed: 'product_viewed',
	PriceDropped: 'price_dropped',
	BackInStock: 'back_in_stock',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES = Object.values(EventType) as [EventType, ...EventType[]];

/** Who delivered an event: the order sources, plus Klaviyo (Started Checkout) for carts. */
export const EVENT_SOURCES = [...ORDER_SOURCES, 'klaviyo'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/**
 * The envelope every source is normalised into. `id` is the delivery's own id (used to drop
 * duplicate deliveries); `idempotencyKey` is derived from the business fact (order id + status,
 * refund id) so that two different deliveries of the same fact still write once.
 */
export const loyaltyEventSchema = z.object({
	id: idSchema,
	type: z.enum(EVENT_TYPES),
	source: z.enum(EVENT_SOURCES),
	occurredAt: isoInstant,
	idempotencyKey: idSchema,
	customer: customerInputSchema,
	order: orderSchema.optional(),
	refund: refundSchema.optional(),
	cart: cartSchema.optional(),
	/** The product viewed (product_viewed). */
	product: productViewSchema.optional(),
	/** The product whose price fell or that is back in stock (price_dropped, back_in_stock). */
	productAlert: productAlertSchema.optional(),
	/** Browse facts at the time of a view (filled in by intake, engine/browse). */
	browse: browseFactsSchema.optional(),
	/** What the source sent that could not be used and was left out (an invalid email beside another identity). */
	warnings: z.array(z.string().max(500)).max(20).optional(),
});
export type LoyaltyEvent = z.infer<typeof loyaltyEventSchema>;
export type LoyaltyEventInput = z.input<typeof loyaltyEventSchema>;
