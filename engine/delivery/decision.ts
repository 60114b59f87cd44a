import { z } from 'zod';
import { identitiesSchema } from '../model/customer';
import { parseOrThrow } from '../model/validate';

/** Where an offer can go. Email goes through Klaviyo, SMS through Twilio. */
export const DeliveryChannel = {
	Email: 'email',
	Sms: 'sms',
} as const;
export type DeliveryChannel = (typeof DeliveryChannel)[keyof typeof DeliveryChannel];
export const DELIVERY_CHANNELS = Object.values(DeliveryChannel) as [DeliveryChannel, ...DeliveryChannel[]];

/** Marketing needs marketing consent and respects quiet hours; transactional (a receipt, a balance) does not. */
export const MessagePurpose = {
	Marketing: 'marketing',
	Transactional: 'transactional',
} as const;
export type MessagePurpose = (typeof MessagePurpose)[keyof typeof MessagePurpose];

export const CouponKind = {
	Percent: 'percent',
	FixedCart: 'fixed_cart',
	/** A perk: free shipping on the next order, no amount off (engine/rules perk action). */
	FreeShipping: 'free_shipping',
} as const;
export type CouponKind = (typeof CouponKind)[keyof typeof CouponKind];

const isoInstant = z.string().datetime({ offset: true });
// Vendor idempotency keys (Klaviyo unique_id, Square idempotency_key ≤ 128) are derived from it.
const decisionIdSchema = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:@-]+$/, 'may hold only letters, digits and . _ : @ -');

export const couponSpecSchema = z
	.object({
		kind: z.enum([CouponKind.Percent, CouponKind.FixedCart, CouponKind.FreeShipping]),
		/** Whole percent for `percent`; integer minor units of `currency` for `fixed_cart`; 0 for `free_shipping`. */
		amount: z.number().int().nonnegative(),
		currency: z.string().regex(/^[A-Z]{3}$/).optional(),
		validDays: z.number().int().min(1).max(366).default(14),
		productIds: z.array(z.string().min(1)).optional(),
		categoryIds: z.array(z.string().min(1)).optional(),
	})
	.refine((c) => c.kind === CouponKind.FreeShipping || c.amount > 0, { message: 'Number must be greater than 0', path: ['amount'] })
	.refine((c) => c.kind !== CouponKind.Percent || c.amount <= 100, { message: 'a percent coupon cannot exceed 100', path: ['amount'] })
	.refine((c) => c.kind !== CouponKind.FixedCart || c.currency !== undefined, { message: 'a fixed amount coupon needs its currency', path: ['currency'] });
export type CouponSpec = z.infer<typeof couponSpecSchema>;

export const experimentSchema = z.object({
	id: z.string().min(1),
	arm: z.string().min(1),
	/** Holdout customers are logged as "would have been sent" and never contacted. */
	holdout: z.boolean().default(false),
});

/**
 * What Evaluate Rules hands to Send Offer: one offer for one customer. The decision id is the
 * idempotency key of everything that follows (send log row, Klaviyo unique_id, coupon code).
 */
export const offerDecisionSchema = z.object({
	decisionId: decisionIdSchema,
	customer: z
		.object({ customerId: z.string().min(1).optional(), identities: identitiesSchema.optional() })
		.refine((c) => c.customerId !== undefined || (c.identities !== undefined && Object.values(c.identities).some((v) => v !== undefined)), {
			message: 'needs a customerId or at least one identity',
		}),
	offerTemplateId: z.string().min(1),
	channelPreference: z.enum(['email', 'sms', 'any']).default('any'),
	purpose: z.enum([MessagePurpose.Marketing, MessagePurpose.Transactional]).default(MessagePurpose.Marketing),
	/** A reward counts against the program's "one reward per day". */
	isReward: z.boolean().default(true),
	coupon: couponSpecSchema.optional(),
	experiment: experimentSchema.optional(),
	ruleId: z.string().min(1),
	decidedAt: isoInstant.optional(),
});
export type OfferDecision = z.infer<typeof offerDecisionSchema>;
export type OfferDecisionInput = z.input<typeof offerDecisionSchema>;

export function parseOfferDecision(input: unknown): OfferDecision {
	return parseOrThrow(offerDecisionSchema, input, 'decision');
}
