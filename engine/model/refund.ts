import { z } from 'zod';
import { idSchema } from './ids';
import { isoInstant } from './instant';
import { ORDER_SOURCES, currencySchema } from './order';

/** A refund, full or partial, always linked to the order it gives money back for. */
export const refundSchema = z.object({
	source: z.enum(ORDER_SOURCES),
	id: idSchema,
	orderId: idSchema,
	amountMinor: z.number().int('must be a whole number of minor units (cents)').positive('must be more than zero'),
	currency: currencySchema,
	createdAt: isoInstant,
	reason: z.string().optional(),
});
export type Refund = z.infer<typeof refundSchema>;
export type RefundInput = z.input<typeof refundSchema>;
