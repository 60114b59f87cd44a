import { DateTime } from 'luxon';
import { OrderChannel } from '../model/order';
import type { AggregateSpec } from './schema';
import type { RuleProfile } from './types';

/** A paid order as the aggregates need it. */
export interface OrderFacts {
	key: string;
	placedAt: string;
	netMinor: number;
	currency: string;
	categories: string[];
	/** In store or online (channelOfOrder); absent when unknown. */
	channel?: OrderChannel;
	/** The store it was placed at (a Square location id); absent for a web shop. */
	location?: string;
}

const DAY_MS = 86_400_000;

/** Start of the window an aggregate covers; calendar windows start in the customer's time zone. */
export function windowStart(spec: AggregateSpec, now: Date, zone: string): Date {
	if (spec.lastDays !== undefined) return new Date(now.getTime() - spec.lastDays * DAY_MS);
	return DateTime.fromJSDate(now, { zone }).startOf(spec.calendar!).toJSDate();
}

/** Computes every declared aggregate over the customer's orders (the current one included). */
export function computeAggregates(specs: ReadonlyMap<string, AggregateSpec>, orders: readonly OrderFacts[], now: Date, zone: string): Record<string, number> {
	const result: Record<string, number> = {};
	for (const [key, spec] of specs) {
		const from = windowStart(spec, now, zone).getTime();
		const inWindow = orders.filter((o) => {
			const at = Date.parse(o.placedAt);
			return at >= from && at <= now.getTime();
		});
		if (spec.measure === 'orders') result[key] = inWindow.length;
		else if (spec.measure === 'spend_minor') result[key] = inWindow.reduce((sum, o) => sum + o.netMinor, 0);
		else result[key] = inWindow.filter((o) => o.categories.includes(spec.category!.toLowerCase())).length;
	}
	return result;
}

/** Lifetime profile statistics from the customer's paid orders. */
export function orderStats(orders: readonly OrderFacts[]): Pick<RuleProfile, 'spendMinor' | 'orderCount' | 'averageOrderMinor' | 'firstOrderAt' | 'lastOrderAt' | 'favouriteCategory'> {
	if (orders.length === 0) return { spendMinor: 0, orderCount: 0 };
	const sorted = [...orders].sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt));
	const spend = sorted.reduce((sum, o) => sum + o.netMinor, 0);
	const byCategory = new Map<string, number>();
	for (const order of sorted) for (const category of order.categories) byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
	// Most orders wins; ties go to the alphabetically first category so the answer never depends on row order.
	const favourite = [...byCategory].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
	return {
		spendMinor: spend,
		orderCount: sorted.length,
		averageOrderMinor: Math.round(spend / sorted.length),
		firstOrderAt: new Date(sorted[0].placedAt).toISOString(),
		lastOrderAt: new Date(sorted[sorted.length - 1].placedAt).toISOString(),
		...(favourite ? { favouriteCategory: favourite } : {}),
	};
}

/**
 * Where the customer has bought: paid orders per channel, the distinct locations, and the orders
 * at `location` (the current order's store), each this order included. Orders of unknown channel
 * count in neither channel; orders without a location count at no location.
 */
export function placeStats(orders: readonly OrderFacts[], location: string | undefined): Pick<RuleProfile, 'inStoreOrderCount' | 'onlineOrderCount' | 'locationCount' | 'ordersAtLocation'> {
	let inStore = 0;
	let online = 0;
	let atLocation = 0;
	const locations = new Set<string>();
	for (const order of orders) {
		if (order.channel === OrderChannel.InStore) inStore++;
		else if (order.channel === OrderChannel.Online) online++;
		if (order.location === undefined) continue;
		locations.add(order.location);
		if (order.location === location) atLocation++;
	}
	return { inStoreOrderCount: inStore, onlineOrderCount: online, locationCount: locations.size, ...(location !== undefined ? { ordersAtLocation: atLocation } : {}) };
}
