import type { EvaluationContext, RuleEvent, RuleProfile } from '../../../engine';

export function purchase(totalMinor: number, options: { at?: string; categories?: string[]; key?: string; email?: string } = {}): RuleEvent {
	const at = options.at ?? '2026-03-10T15:00:00Z';
	const key = options.key ?? `woocommerce:order:${totalMinor}:${at}:paid`;
	return {
		id: key,
		type: 'purchase',
		source: 'woocommerce',
		occurredAt: at,
		idempotencyKey: key,
		customer: { identities: { email: options.email ?? 'ana@example.com' } },
		order: {
			id: key,
			source: 'woocommerce',
			status: 'paid',
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
