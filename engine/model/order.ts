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
	lines: z.array(orderLineSchema).default([]),
	customer: customerInputSchema,
});
export type Order = z.infer<typeof orderSchema>;
export type OrderInput = z.input<typeof orderSchema>;
