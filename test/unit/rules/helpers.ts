import type { EvaluationContext, RuleEvent, RuleProfile } from '../../../engine';

/** A paid order; a WooCommerce web order unless `source` (and `channel`, `location`: a Square counter) say otherwise. */
export function purchase(totalMinor: number, options: { at?: string; categories?: string[]; key?: string; email?: string; source?: string; channel?: string; location?: string } = {}): RuleEvent {
	const at = options.at ?? '2026-03-10T15:00:00Z';
	const source = options.source ?? 'woocommerce';
	const key = options.key ?? `${source}:order:${totalMinor}:${at}:paid`;
	return {
		id: key,
		type: 'purchase',
		source,
		occurredAt: at,
		idempotencyKey: key,
		customer: { identities: { email: options.email ?? 'ana@example.com' } },
		order: {
			id: key,
			source,
			status: 'paid',
			...(options.channel ? { channel: options.channel } : {}),
			...(options.location ? { location: options.location } : {}),
			currency: 'USD',
			totalMinor,
			placedAt: at,
			lines: (options.categories ?? ['coffee']).map((category) => ({ category, quantity: 1, totalMinor: Math.floor(totalMinor / (options.categories?.length ?? 1)) })),
		},
	};
}

export function cartAbandoned(totalMinor: number, idleMinutes: number, at = '2026-03-10T15:00:00Z', email = 'ana@example.com'): RuleEvent {
	return { type: 'cart_abandoned', occurredAt: at, idempotencyKey: `cart:${email}:${at}`, source: 'generic', customer: { identities: { email } }, cart: { currency: 'USD', totalMinor, idleMinutes } };
}

export function contextFor(event: RuleEvent, profile: Partial<RuleProfile> = {}, rest: Partial<Omit<EvaluationContext, 'event' | 'profile'>> = {}): EvaluationContext {
	return {
		event,
		profile: { customerKey: 'cus_ana', ...profile },
		aggregates: rest.aggregates ?? {},
		counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: {}, suppressedUntil: {}, ...rest.counters },
	};
}
