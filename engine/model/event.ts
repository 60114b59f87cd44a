import { z } from 'zod';
import { customerInputSchema } from './customer';
import { ORDER_SOURCES, orderSchema } from './order';
import { refundSchema } from './refund';

/** Canonical event types. Later features (carts, due events, engagement) extend this list. */
export const EventType = {
	Purchase: 'purchase',
	Refund: 'refund',
	OrderUpdated: 'order_updated',
	CustomerUpdated: 'customer_updated',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES = Object.values(EventType) as [EventType, ...EventType[]];

/**
 * The envelope every source is normalised into. `id` is the delivery's own id (used to drop
 * duplicate deliveries); `idempotencyKey` is derived from the business fact (order id + status,
 * refund id) so that two different deliveries of the same fact still write once.
 */
export const loyaltyEventSchema = z.object({
	id: z.string().min(1),
	type: z.enum(EVENT_TYPES),
	source: z.enum(ORDER_SOURCES),
	occurredAt: z.string().datetime({ offset: true }),
	idempotencyKey: z.string().min(1),
	customer: customerInputSchema,
	order: orderSchema.optional(),
	refund: refundSchema.optional(),
});
export type LoyaltyEvent = z.infer<typeof loyaltyEventSchema>;
export type LoyaltyEventInput = z.input<typeof loyaltyEventSchema>;
