import type { HistoryPage } from '../../engine';
import { pageOf } from '../shared/historyPage';
import type { WooCommerceClient } from './client';
import { applyProductCategoriesToEvents, normalizeWooCommerceDelivery, uncategorizedProductIds } from './normalizer';
import { createWooCommerceCategoryLookup, wooCommerceShopKey } from './productCategories';
import type { WooCommerceOrder } from './types';

export interface WooCommerceHistoryOptions {
	/** The shop's address: names the category cache, as the trigger's does. */
	shopUrl: string;
	/** Only orders created after this instant (ISO). */
	since?: string;
	perPage?: number;
	/** Where the shop's birthday plugin keeps birthdays in an order's `meta_data`: the Loyalty Trigger's Birthday Meta Keys setting. */
	birthdayMetaKeys?: readonly string[];
}

/**
 * The shop's orders, oldest first, a page at a time, each normalized exactly as its
 * `order.updated` webhook would be (same order ids, same keys `woocommerce:order:<id>:paid` and
 * `woocommerce:refund:<refund id>`, same line categories), so importing over orders the webhooks
 * already delivered books nothing twice. Orders that are not paid (pending, cancelled…) are left
 * out; their refunds are kept.
 *
 * A page's `position` is the creation time of its last order less one second: WooCommerce's
 * `after` is exclusive and to the second, so a resumed run starts at that second and re-reads
 * its orders (harmless: their keys) rather than miss one created in the same second.
 */
export async function* wooCommerceOrderHistory(client: WooCommerceClient, options: WooCommerceHistoryOptions, resumeFrom: string | undefined): AsyncGenerator<HistoryPage> {
	const after = resumeFrom ?? (options.since ? wooUtc(options.since) : undefined);
	const categories = createWooCommerceCategoryLookup();
	const shop = wooCommerceShopKey(options.shopUrl);
	let position = after ?? '';
	for (let page = 1; ; page++) {
		const { orders, totalPages } = await client.listOrders({ page, after, perPage: options.perPage });
		if (orders.length === 0) break;
		let events = orders.flatMap((order) => normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: `import-${String(order.id)}`, payload: order }, { birthdayMetaKeys: options.birthdayMetaKeys }));
		const productIds = uncategorizedProductIds(events);
		if (productIds.length > 0) events = applyProductCategoriesToEvents(events, await categories.categoriesFor(client, shop, productIds));
		position = lastCreated(orders) ?? position;
		yield pageOf(events, position);
		if (totalPages !== undefined ? page >= totalPages : orders.length < (options.perPage ?? 100)) break;
	}
}

function lastCreated(orders: readonly WooCommerceOrder[]): string | undefined {
	const created = orders[orders.length - 1]?.date_created_gmt;
	if (typeof created !== 'string') return undefined;
	const instant = Date.parse(/Z$|[+-]\d{2}:\d{2}$/.test(created) ? created : `${created}Z`);
	return Number.isFinite(instant) ? new Date(instant - 1000).toISOString().slice(0, 19) : undefined;
}

/** WooCommerce's `after` with `dates_are_gmt` wants UTC without an offset. */
function wooUtc(since: string): string {
	const instant = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00Z` : since);
	if (!Number.isFinite(instant)) throw new Error(`since: "${since}" is not a date`);
	return new Date(instant - 1000).toISOString().slice(0, 19);
}
