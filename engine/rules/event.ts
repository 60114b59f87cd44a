import { z } from 'zod/v4';
import { LoyaltyError } from '../model/errors';
import { formatZodPath } from './paths';
import type { RuleEvent } from './types';

const line = z.object({ sku: z.string().optional(), category: z.string().optional(), quantity: z.number().int().positive().optional(), totalMinor: z.number().int().nonnegative().optional() });

/**
 * What the evaluator and `simulate` accept as an event: canonical LoyaltyEvents pass unchanged;
 * due, cart and engagement events from other sources need only type, time, key and customer.
 */
export const ruleEventSchema = z.object({
	id: z.string().min(1).optional(),
	type: z.string().min(1),
	occurredAt: z.iso.datetime({ offset: true }),
	idempotencyKey: z.string().min(1),
	source: z.string().optional(),
	customer: z
		.object({
			identities: z.record(z.string(), z.string().optional()).refine((ids) => Object.values(ids).some((v) => v !== undefined), 'at least one identity is required'),
			timeZone: z.string().optional(),
			tags: z.array(z.string()).optional(),
			birthday: z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31), year: z.number().int().optional() }).optional(),
		})
		.loose(),
	order: z
		.object({ id: z.string().min(1), source: z.string().optional(), status: z.string().optional(), currency: z.string().length(3), totalMinor: z.number().int().nonnegative(), placedAt: z.iso.datetime({ offset: true }).optional(), couponCodes: z.array(z.string()).optional(), lines: z.array(line.loose()).optional() })
		.loose()
		.optional(),
	refund: z.object({ id: z.string().min(1), amountMinor: z.number().int().nonnegative(), currency: z.string().length(3), orderId: z.string().optional() }).loose().optional(),
	cart: z.object({ id: z.string().optional(), currency: z.string().length(3), totalMinor: z.number().int().nonnegative(), idleMinutes: z.number().nonnegative().optional(), lines: z.array(line.loose()).optional() }).loose().optional(),
	data: z.record(z.string(), z.unknown()).optional(),
}).loose();

export function parseRuleEvent(input: unknown, root = 'event'): RuleEvent {
	const parsed = ruleEventSchema.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw LoyaltyError.invalid(`${root}${formatZodPath(issue.path)}`, issue.message);
	}
	return parsed.data as RuleEvent;
}
