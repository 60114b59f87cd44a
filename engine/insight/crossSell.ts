/**
 * "Customers who bought X also bought Y" from order co-occurrence. Each order is a basket of items
 * (SKUs or categories). For a rule X → Y: support = orders with both / all orders, confidence =
 * orders with both / orders with X, lift = confidence / share of orders with Y. A pair must occur
 * in at least `minPairCount` orders, so rare pairs cannot win on lift alone.
 */
export interface CrossSellRule {
	from: string;
	to: string;
	count: number;
	support: number;
	confidence: number;
	lift: number;
}

export interface CrossSellOptions {
	/** Minimum orders containing both items (default 3). */
	minPairCount?: number;
	/** Minimum lift for a rule to be used (default 1: better than chance). */
	minLift?: number;
}

export class CrossSellModel {
	readonly orders: number;
	private readonly rulesFrom = new Map<string, CrossSellRule[]>();

	constructor(baskets: Iterable<Iterable<string>>, options: CrossSellOptions = {}) {
		const minPairCount = options.minPairCount ?? 3;
		const minLift = options.minLift ?? 1;
		const itemCount = new Map<string, number>();
		const pairCount = new Map<string, number>();
		let orders = 0;
		for (const basket of baskets) {
			const items = [...new Set(basket)].sort();
			if (items.length === 0) continue;
			orders++;
			for (const item of items) itemCount.set(item, (itemCount.get(item) ?? 0) + 1);
			for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
				const key = `${items[i]}\u0000${items[j]}`;
				pairCount.set(key, (pairCount.get(key) ?? 0) + 1);
			}
		}
		this.orders = orders;
		for (const [key, count] of pairCount) {
			if (count < minPairCount) continue;
			const [a, b] = key.split('\u0000');
			for (const [from, to] of [[a, b], [b, a]]) {
				const confidence = count / itemCount.get(from)!;
				const lift = confidence / (itemCount.get(to)! / orders);
				if (lift < minLift) continue;
				const rule = { from, to, count, support: count / orders, confidence, lift };
				const list = this.rulesFrom.get(from) ?? [];
				list.push(rule);
				this.rulesFrom.set(from, list);
			}
		}
	}

	rules(): CrossSellRule[] {
		return [...this.rulesFrom.values()].flat().sort(byStrength);
	}

	/**
	 * Picks for a customer who owns `owned`: the strongest rule into each item they do not already
	 * buy, best first (by lift, then confidence, then count, then name, so ties are deterministic).
	 */
	picksFor(owned: Iterable<string>, limit = 3): CrossSellRule[] {
		const have = new Set(owned);
		const best = new Map<string, CrossSellRule>();
		for (const item of have) {
			for (const rule of this.rulesFrom.get(item) ?? []) {
				if (have.has(rule.to)) continue;
				const seen = best.get(rule.to);
				if (!seen || byStrength(rule, seen) < 0) best.set(rule.to, rule);
			}
		}
		return [...best.values()].sort(byStrength).slice(0, limit);
	}
}

function byStrength(a: CrossSellRule, b: CrossSellRule): number {
	return b.lift - a.lift || b.confidence - a.confidence || b.count - a.count || (a.to < b.to ? -1 : a.to > b.to ? 1 : a.from < b.from ? -1 : a.from > b.from ? 1 : 0);
}
