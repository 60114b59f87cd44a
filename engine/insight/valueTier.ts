/**
 * Value tier: high-value / mid / occasional. A customer is high-value by spend alone, or by
 * ordering often across several categories; mid by spend or repeat orders; occasional otherwise.
 */
export const ValueTier = { High: 'high-value', Mid: 'mid', Occasional: 'occasional' } as const;
export type ValueTier = (typeof ValueTier)[keyof typeof ValueTier];

export interface ValueTierRules {
	/** Spend (same unit as the input) from which a customer is high-value. */
	highSpend: number;
	/** Or: at least this many orders across at least `highCategories` categories. */
	highOrders: number;
	highCategories: number;
	/** Spend, or orders, from which a customer is mid. */
	midSpend: number;
	midOrders: number;
}

export interface ValueInput {
	spend: number;
	orders: number;
	/** Distinct product categories bought (0 when unknown). */
	categories: number;
}

/** Default rules from the population: the top 20% by spend are high-value, the top half mid. */
export function defaultValueTierRules(spends: readonly number[]): ValueTierRules {
	const sorted = [...spends].sort((a, b) => a - b);
	const quantile = (q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
	return { highSpend: Math.max(quantile(0.8), Number.MIN_VALUE), highOrders: 6, highCategories: 3, midSpend: Math.max(quantile(0.5), Number.MIN_VALUE), midOrders: 2 };
}

export function valueTier(input: ValueInput, rules: ValueTierRules): ValueTier {
	if (input.spend >= rules.highSpend || (input.orders >= rules.highOrders && input.categories >= rules.highCategories)) return ValueTier.High;
	if (input.spend >= rules.midSpend || input.orders >= rules.midOrders) return ValueTier.Mid;
	return ValueTier.Occasional;
}
