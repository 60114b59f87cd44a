/**
 * Replenishment: when will a customer run out of a product they buy regularly? Intervals between
 * purchases are divided by the quantity bought (two bags last twice as long), the customer's own
 * typical interval is shrunk toward the product's population interval when they have few repeats,
 * and only products whose population intervals are regular enough get a reminder.
 */
export interface ProductPurchase {
	customerId: string;
	product: string;
	/** Calendar day number. */
	day: number;
	quantity: number;
}

export interface ReplenishmentOptions {
	/** Weight of the population interval, in "repeats" (default 2): own interval counts fully after many repeats. */
	shrinkage?: number;
	/** Largest coefficient of variation of the population's intervals for a product to be regular (default 0.5). */
	maxVariation?: number;
	/** Fewest intervals in the population before a product is judged (default 5). */
	minIntervals?: number;
	/** When to remind, as a fraction of the interval (default 28/30: day 28 of a 30-day rhythm). */
	remindAtFraction?: number;
}

export interface ReplenishmentDue {
	customerId: string;
	product: string;
	/** Days one unit lasts this customer (shrunk estimate). */
	daysPerUnit: number;
	ownIntervals: number;
	lastDay: number;
	dueDay: number;
	remindDay: number;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function replenishmentSchedule(purchases: readonly ProductPurchase[], options: ReplenishmentOptions = {}): ReplenishmentDue[] {
	const shrinkage = options.shrinkage ?? 2;
	const maxVariation = options.maxVariation ?? 0.5;
	const minIntervals = options.minIntervals ?? 5;
	const remindAt = options.remindAtFraction ?? 28 / 30;
	// Same-day purchases of one product are one purchase with their quantities added.
	const byPair = new Map<string, Map<number, number>>();
	for (const p of purchases) {
		if (!(p.quantity > 0)) continue;
		const key = `${p.product}\u0000${p.customerId}`;
		const days = byPair.get(key) ?? new Map<number, number>();
		days.set(p.day, (days.get(p.day) ?? 0) + p.quantity);
		byPair.set(key, days);
	}
	const perPair = new Map<string, { customerId: string; product: string; intervals: number[]; lastDay: number; lastQuantity: number }>();
	const perProduct = new Map<string, number[]>();
	for (const [key, days] of byPair) {
		const [product, customerId] = key.split('\u0000');
		const ordered = [...days.entries()].sort((a, b) => a[0] - b[0]);
		const intervals: number[] = [];
		for (let i = 1; i < ordered.length; i++) intervals.push((ordered[i][0] - ordered[i - 1][0]) / ordered[i - 1][1]);
		const last = ordered[ordered.length - 1];
		perPair.set(key, { customerId, product, intervals, lastDay: last[0], lastQuantity: last[1] });
		const all = perProduct.get(product) ?? [];
		all.push(...intervals);
		perProduct.set(product, all);
	}
	const regular = new Map<string, number>();
	for (const [product, intervals] of perProduct) {
		if (intervals.length < minIntervals) continue;
		const mean = intervals.reduce((s, v) => s + v, 0) / intervals.length;
		const sd = Math.sqrt(intervals.reduce((s, v) => s + (v - mean) ** 2, 0) / (intervals.length - 1));
		if (mean > 0 && sd / mean <= maxVariation) regular.set(product, median(intervals));
	}
	const result: ReplenishmentDue[] = [];
	for (const pair of perPair.values()) {
		const population = regular.get(pair.product);
		if (population === undefined) continue;
		const own = pair.intervals.length ? median(pair.intervals) : population;
		const n = pair.intervals.length;
		const daysPerUnit = (n * own + shrinkage * population) / (n + shrinkage);
		const lasts = daysPerUnit * pair.lastQuantity;
		result.push({ customerId: pair.customerId, product: pair.product, daysPerUnit, ownIntervals: n, lastDay: pair.lastDay, dueDay: Math.round(pair.lastDay + lasts), remindDay: Math.round(pair.lastDay + lasts * remindAt) });
	}
	return result.sort((a, b) => a.dueDay - b.dueDay || (a.customerId < b.customerId ? -1 : 1));
}
