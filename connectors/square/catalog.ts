import { type ProductSnapshot, parseOrThrow, productSnapshotSchema } from '../../engine';
import { optionalText, requireObject } from '../shared/payload';
import type { SquareClient } from './client';
import type { SquareCatalogObject } from './types';

export const SQUARE_CATALOG_VERSION_UPDATED = 'catalog.version.updated';
/** Square's batch-retrieve takes at most this many ids per call. */
const BATCH = 1000;

/**
 * `catalog.version.updated` says only that the catalog changed, and when. Which prices changed is
 * found by reading the products someone is interested in (viewed within the alert window) and
 * comparing with the last prices kept: the store never asks for the whole catalog.
 */
export function squareCatalogVersion(notification: unknown): string {
	const body = requireObject(notification, 'body');
	const data = requireObject(body.data, 'data');
	const object = requireObject(data.object, 'data.object');
	const version = requireObject(object.catalog_version, 'data.object.catalog_version');
	return optionalText(version.updated_at, 'data.object.catalog_version.updated_at') ?? optionalText(body.created_at, 'created_at') ?? new Date().toISOString();
}

/** The current fixed prices of these item variations (ids Square does not know are left out). */
export async function squareVariationPrices(client: SquareClient, variationIds: readonly string[], catalogUpdatedAt: string): Promise<ProductSnapshot[]> {
	const snapshots: ProductSnapshot[] = [];
	for (let start = 0; start < variationIds.length; start += BATCH) {
		const { objects, relatedObjects } = await client.batchRetrieveCatalogObjects(variationIds.slice(start, start + BATCH), true);
		const items = new Map(relatedObjects.filter((o) => o.type === 'ITEM').map((o) => [o.id, o]));
		for (const object of objects) {
			const snapshot = variationSnapshot(object, items, catalogUpdatedAt);
			if (snapshot) snapshots.push(snapshot);
		}
	}
	return snapshots;
}

function variationSnapshot(object: SquareCatalogObject, items: ReadonlyMap<string, SquareCatalogObject>, catalogUpdatedAt: string): ProductSnapshot | undefined {
	if (object.type !== 'ITEM_VARIATION' || object.is_deleted) return undefined;
	const money = object.item_variation_data?.price_money;
	const amount = money?.amount === undefined ? undefined : Number(money.amount);
	if (amount === undefined || !Number.isSafeInteger(amount) || amount < 0 || !money?.currency) return undefined;
	const item = object.item_variation_data?.item_id ? items.get(object.item_variation_data.item_id) : undefined;
	const itemName = item?.item_data?.name;
	const variationName = object.item_variation_data?.name;
	const name = itemName && variationName && variationName !== 'Regular' ? `${itemName} (${variationName})` : (itemName ?? variationName);
	return parseOrThrow(
		productSnapshotSchema,
		{ source: 'square', id: object.id, key: `square:catalog:${object.id}:${catalogUpdatedAt}`, observedAt: catalogUpdatedAt, ...(name ? { name } : {}), priceMinor: amount, currency: money.currency.toUpperCase() },
		'catalog_object',
	);
}
