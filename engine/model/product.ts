import { z } from 'zod';
import { idSchema } from './ids';
import { isoInstant } from './instant';
import { currencySchema, minorAmount } from './order';

/**
 * A product as a view names it. `name` lets a view introduce a product the store has not seen
 * from the shop's catalog webhooks yet; a view naming only an id the store does not know is
 * refused (engine/browse), because nothing could be said about it later.
 */
export const productViewSchema = z.object({
	id: idSchema,
	name: z.string().trim().min(1).max(500).optional(),
	categories: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
	priceMinor: minorAmount.optional(),
	currency: currencySchema.optional(),
	url: z.string().url('must be a full URL').optional(),
	/** The shopper put it on a wish list (a stronger interest than a view). */
	wishlisted: z.boolean().default(false),
});
export type ProductView = z.infer<typeof productViewSchema>;
export type ProductViewInput = z.input<typeof productViewSchema>;

/**
 * A product as the shop's catalog or stock webhook reports it now. The payloads carry no previous
 * value, so a drop is found by comparing with the last snapshot the store kept. `key` names this
 * report (vendor event id, or product id + modification time): a repeated delivery is a no-op.
 * A field left out is unknown (a stock webhook says nothing about the price), not cleared.
 */
export const productSnapshotSchema = z.object({
	source: z.enum(['woocommerce', 'square', 'generic']),
	id: idSchema,
	key: idSchema,
	observedAt: isoInstant,
	name: z.string().trim().min(1).max(500).optional(),
	categories: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
	priceMinor: minorAmount.optional(),
	currency: currencySchema.optional(),
	inStock: z.boolean().optional(),
	url: z.string().url('must be a full URL').optional(),
});
export type ProductSnapshot = z.infer<typeof productSnapshotSchema>;
export type ProductSnapshotInput = z.input<typeof productSnapshotSchema>;

/** What a price-drop or back-in-stock event tells the customer's workflow about the product. */
export const productAlertSchema = z.object({
	id: idSchema,
	name: z.string().optional(),
	categories: z.array(z.string()).default([]),
	url: z.string().optional(),
	currency: currencySchema.optional(),
	priceMinor: minorAmount.optional(),
	previousPriceMinor: minorAmount.optional(),
	/** Whole percent the price fell by (0 for a back-in-stock alert without a price change). */
	priceDropPercent: z.number().int().min(0).max(100).default(0),
	inStock: z.boolean().optional(),
	/** Why this customer is told: they viewed it, or put it on a wish list, within the alert window. */
	interest: z.enum(['viewed', 'wishlisted']),
	lastInterestAt: isoInstant,
});
export type ProductAlert = z.infer<typeof productAlertSchema>;

/**
 * Browse facts computed when a view is recorded (this view included), for the rules: how often
 * the customer looked at this product and its categories, and whether they bought since.
 */
export const browseFactsSchema = z.object({
	productViewsToday: z.number().int().nonnegative(),
	productViews7Days: z.number().int().nonnegative(),
	productViews30Days: z.number().int().nonnegative(),
	categoryViews7Days: z.number().int().nonnegative(),
	categoryViews30Days: z.number().int().nonnegative(),
	/** Whether a paid order came in after the first view of this product in the last 7 days. */
	purchasedSinceFirstView: z.boolean(),
	firstViewAt: isoInstant,
});
export type BrowseFacts = z.infer<typeof browseFactsSchema>;
