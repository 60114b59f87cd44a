import { type CategoryCache, type CategoryCacheOptions, createCategoryCache } from '../shared/categoryCache';
import type { SquareClient } from './client';
import type { SquareCatalogObject } from './types';

/**
 * The category of an item: its reporting category (Square's "primary" category, the one its
 * reports group by), else the first of its categories, else the legacy `category_id`. One rule, so
 * the same item never changes category between orders.
 */
export function primaryCategoryId(item: SquareCatalogObject | undefined): string | undefined {
	const data = item?.item_data;
	return data?.reporting_category?.id ?? data?.categories?.find((c) => c.id)?.id ?? data?.category_id ?? undefined;
}

/**
 * Category names of item variations (order lines name variations): variation → its item → the
 * item's category → its name. Square returns related objects one level deep, so a variation's
 * item comes with the first request and the category names need a second one (only for the
 * categories not seen yet in that answer).
 */
export async function variationCategories(client: SquareClient, variationIds: readonly string[]): Promise<Map<string, string | undefined>> {
	const first = await client.batchRetrieveCatalogObjects(variationIds, true);
	const byId = new Map<string, SquareCatalogObject>();
	for (const object of [...first.objects, ...first.relatedObjects]) if (!object.is_deleted) byId.set(object.id, object);
	const categoryOf = new Map<string, string | undefined>();
	for (const id of variationIds) {
		const variation = byId.get(id);
		categoryOf.set(id, primaryCategoryId(variation?.item_variation_data?.item_id ? byId.get(variation.item_variation_data.item_id) : undefined));
	}
	const missing = [...new Set([...categoryOf.values()].filter((c): c is string => c !== undefined && byId.get(c)?.category_data === undefined))];
	if (missing.length > 0) for (const object of (await client.batchRetrieveCatalogObjects(missing, false)).objects) byId.set(object.id, object);
	return new Map(variationIds.map((id) => [id, nameOf(byId.get(categoryOf.get(id) ?? ''))]));
}

function nameOf(category: SquareCatalogObject | undefined): string | undefined {
	const name = category?.category_data?.name?.trim();
	return name ? name : undefined;
}

export interface SquareCategoryLookup {
	/** The category of each variation (by catalog_object_id, as on order lines) that has one, cached per merchant. */
	categoriesFor(client: SquareClient, merchant: string, variationIds: readonly string[]): Promise<Map<string, string>>;
	readonly cache: CategoryCache;
}

export function createSquareCategoryLookup(options: CategoryCacheOptions = {}): SquareCategoryLookup {
	const cache = createCategoryCache(options);
	return {
		cache,
		categoriesFor: (client, merchant, variationIds) => cache.resolve(merchant, variationIds, (missing) => variationCategories(client, missing)),
	};
}
