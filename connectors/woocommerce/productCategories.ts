import { type CategoryCache, type CategoryCacheOptions, createCategoryCache } from '../shared/categoryCache';
import type { WooCommerceClient } from './client';
import { primaryProductCategory } from './normalizer';

export interface WooCommerceCategoryLookup {
	/**
	 * The category of each product (by WooCommerce product id, as on order lines) that has one.
	 * Cached per shop; what is not cached is fetched with one `listProductCategories` call.
	 */
	categoriesFor(client: WooCommerceClient, shop: string, productIds: readonly string[]): Promise<Map<string, string>>;
	readonly cache: CategoryCache;
}

export function createWooCommerceCategoryLookup(options: CategoryCacheOptions = {}): WooCommerceCategoryLookup {
	const cache = createCategoryCache(options);
	return {
		cache,
		categoriesFor(client, shop, productIds) {
			// Order lines hold ids as text; anything that is not a WooCommerce id is never asked for.
			const asked = productIds.filter((id) => /^[1-9]\d*$/.test(id));
			return cache.resolve(shop, asked, async (missing) => {
				const listed = await client.listProductCategories(missing.map(Number));
				return new Map(missing.map((id) => [id, primaryProductCategory(listed.get(Number(id)))]));
			});
		},
	};
}

/** The cache key of a shop: its address without scheme, trailing slashes or a pasted API suffix. */
export function wooCommerceShopKey(shopUrl: string): string {
	return shopUrl
		.trim()
		.toLowerCase()
		.replace(/^https?:\/\//, '')
		.replace(/\/+$/, '')
		.replace(/\/wp-json(\/wc\/v3)?$/, '');
}
