import { z } from 'zod';
import { isoInstant } from './instant';
import { currencySchema, minorAmount } from './order';

/**
 * A shopper's cart as the shop (or a cart-recovery plugin) last reported it. `updatedAt` is when
 * the cart last changed: "idle for N hours" counts from it. A cart that the shop reports as
 * recovered or converted is closed and never counts as abandoned.
 */
export const CartStatus = { Open: 'open', Recovered: 'recovered' } as const;
export type CartStatus = (typeof CartStatus)[keyof typeof CartStatus];
export const CART_STATUSES = Object.values(CartStatus) as [CartStatus, ...CartStatus[]];

export const cartLineSchema = z.object({
	sku: z.string().optional(),
	productId: z.string().optional(),
	name: z.string().optional(),
	category: z.string().optional(),
	quantity: z.number().int('must be a whole number').positive('must be at least 1').default(1),
	totalMinor: minorAmount.optional(),
});

export const cartSchema = z.object({
	id: z.string().min(1),
	status: z.enum(CART_STATUSES).default(CartStatus.Open),
	currency: currencySchema,
	totalMinor: minorAmount,
	updatedAt: isoInstant,
	/** Where the shopper picks the cart up again (CartFlows and Klaviyo send one). */
	checkoutUrl: z.string().url('must be a full URL').optional(),
	lines: z.array(cartLineSchema).default([]),
});
export type Cart = z.infer<typeof cartSchema>;
export type CartInput = z.input<typeof cartSchema>;
