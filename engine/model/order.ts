import { z } from 'zod';
import { isoInstant } from './instant';
import { customerInputSchema } from './customer';
import { idSchema } from './ids';
import { isKnownCurrency } from './money';

export const OrderSource = {
	WooCommerce: 'woocommerce',
	Square: 'square',
	Generic: 'generic',
} as const;
export type OrderSource = (typeof OrderSource)[keyof typeof OrderSource];
export const ORDER_SOURCES = Object.values(OrderSource) as [OrderSource, ...OrderSource[]];

/** Canonical order states. Vendors' many statuses map onto these; only `paid` earns points. */
export const OrderStatus = {
	Pending: 'pending',
	Paid: 'paid',
	Cancelled: 'cancelled',
	Refunded: 'refunded',
	Failed: 'failed',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];
export const ORDER_STATUSES = Object.values(OrderStatus) as [OrderStatus, ...OrderStatus[]];

/**
 * Where an order was placed: at the counter of one of the shop's stores, or online (a web shop,
 * an online order picked up later). Rules read it as `event.order.channel`.
 */
export const OrderChannel = {
	InStore: 'in_store',
	Online: 'online',
} as const;
export type OrderChannel = (typeof OrderChannel)[keyof typeof OrderChannel];
export const ORDER_CHANNELS = Object.values(OrderChannel) as [OrderChannel, ...OrderChannel[]];

/**
 * The channel of an order recorded without one (before channels were recorded, or from a sender
 * that did not say): a WooCommerce order was placed in the web shop, a Square order at a Square
 * register. A generic order without a channel has none.
 */
const USUAL_CHANNEL: Readonly<Partial<Record<OrderSource, OrderChannel>>> = {
	[OrderSource.WooCommerce]: OrderChannel.Online,
	[OrderSource.Square]: OrderChannel.InStore,
};

export function channelOfOrder(order: { source?: string; channel?: string }): OrderChannel | undefined {
	if (order.channel === OrderChannel.InStore || order.channel === OrderChannel.Online) return order.channel;
	return order.source === undefined ? undefined : USUAL_CHANNEL[order.source as OrderSource];
}

export const currencySchema = z
	.string()
	.transform((c) => c.trim().toUpperCase())
	.refine(isKnownCurrency, { message: 'is not a known ISO 4217 currency code' });

export const minorAmount = z.number().int('must be a whole number of minor units (cents)').nonnegative('must not be negative');

export const orderLineSchema = z.object({
	sku: z.string().optional(),
	productId: z.string().optional(),
	name: z.string().optional(),
	category: z.string().optional(),
	quantity: z.number().int('must be a whole number').positive('must be at least 1'),
	unitPriceMinor: minorAmount.optional(),
	totalMinor: minorAmount,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderSchema = z.object({
	source: z.enum(ORDER_SOURCES),
	id: idSchema,
	status: z.enum(ORDER_STATUSES),
	placedAt: isoInstant,
	currency: currencySchema,
	totalMinor: minorAmount,
	discountMinor: minorAmount.optional(),
	couponCodes: z.array(z.string()).optional(),
	/** In store or online (see OrderChannel); absent when the sender did not say. */
	channel: z.enum(ORDER_CHANNELS).optional(),
	/** The store it was placed at, as the shop names it (a Square location id); absent for a web shop with one address. */
	location: z.string().trim().min(1).max(200).optional(),
	lines: z.array(orderLineSchema).default([]),
	customer: customerInputSchema,
	/**
	 * A referral code the order carries besides its coupons: from the customer note, the order's
	 * meta data or a referral link the shop kept (engine/referral reads it and the coupon codes).
	 */
	referralCode: z.string().trim().min(1).max(200).optional(),
	/** The payment card's fingerprint, where the shop sends one: only compared, to refuse a self-referral. */
	paymentFingerprint: z.string().trim().min(1).max(200).optional(),
	/** The shipping address as one line, where the shop sends one: only compared, to refuse a self-referral. */
	shippingAddress: z.string().trim().min(1).max(500).optional(),
});
export type Order = z.infer<typeof orderSchema>;
export type OrderInput = z.input<typeof orderSchema>;
