import { type ProductSnapshot, parseOrThrow, productSnapshotSchema } from '../../engine';
import { isObject, optionalArray, optionalText, requireObject } from '../shared/payload';

export const SQUARE_INVENTORY_COUNT_UPDATED = 'inventory.count.updated';

/**
 * `inventory.count.updated` → whether each item variation can be bought now. Only the IN_STOCK
 * count says that (Square also reports counts in other states, such as SOLD or WASTE, which say
 * nothing about what is on the shelf). The count carries no previous value; the store compares
 * with the last one it kept. Keyed by variation and Square's calculation time, so a retried
 * notification is one report. A shop with several locations is told "back in stock" when a count
 * at any location rises from zero.
 */
export function normalizeSquareInventoryCounts(notification: unknown): ProductSnapshot[] {
	const body = requireObject(notification, 'body');
	const data = requireObject(body.data, 'data');
	const object = requireObject(data.object, 'data.object');
	const counts = optionalArray(object.inventory_counts, 'data.object.inventory_counts');
	const snapshots: ProductSnapshot[] = [];
	counts.forEach((raw, index) => {
		const field = `data.object.inventory_counts.${index}`;
		if (!isObject(raw)) return;
		if (optionalText(raw.state, `${field}.state`) !== 'IN_STOCK') return;
		const id = optionalText(raw.catalog_object_id, `${field}.catalog_object_id`);
		if (id === undefined) return;
		const calculatedAt = optionalText(raw.calculated_at, `${field}.calculated_at`) ?? optionalText(body.created_at, 'created_at') ?? new Date().toISOString();
		const quantity = Number(optionalText(typeof raw.quantity === 'number' ? String(raw.quantity) : raw.quantity, `${field}.quantity`) ?? '0');
		const location = optionalText(raw.location_id, `${field}.location_id`) ?? 'any';
		snapshots.push(parseOrThrow(productSnapshotSchema, { source: 'square', id, key: `square:inventory:${id}:${location}:${calculatedAt}`, observedAt: calculatedAt, inStock: Number.isFinite(quantity) && quantity > 0 }, field));
	});
	return snapshots;
}
