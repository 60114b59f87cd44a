import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { SquareCatalogObject, SquareClient } from '../../../connectors/square';
import { createSquareCategoryLookup, primaryCategoryId, variationCategories } from '../../../connectors/square/productCategories';

const variation = (id: string, itemId: string): SquareCatalogObject => ({ type: 'ITEM_VARIATION', id, item_variation_data: { item_id: itemId } });
const item = (id: string, data: SquareCatalogObject['item_data']): SquareCatalogObject => ({ type: 'ITEM', id, item_data: data });
const category = (id: string, name: string): SquareCatalogObject => ({ type: 'CATEGORY', id, category_data: { name } });

/** A catalogue answering batch-retrieve like Square: related objects one level deep. */
function fakeCatalog(objects: SquareCatalogObject[]): { client: SquareClient; calls: Array<{ ids: string[]; related: boolean }> } {
	const calls: Array<{ ids: string[]; related: boolean }> = [];
	const byId = new Map(objects.map((o) => [o.id, o]));
	const client = {
		async batchRetrieveCatalogObjects(ids: readonly string[], related: boolean) {
			calls.push({ ids: [...ids], related });
			const found = ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
			const referenced = related ? found.flatMap((o) => [o.item_variation_data?.item_id, ...(o.item_data?.categories ?? []).map((c) => c.id), o.item_data?.reporting_category?.id]).filter((id): id is string => !!id && byId.has(id)) : [];
			return { objects: found, relatedObjects: [...new Set(referenced)].map((id) => byId.get(id)!) };
		},
	} as unknown as SquareClient;
	return { client, calls };
}

describe('Square item categories', () => {
	test('the reporting category wins, then the first category, then the legacy category_id', () => {
		assert.equal(primaryCategoryId(item('I', { reporting_category: { id: 'R' }, categories: [{ id: 'A' }], category_id: 'L' })), 'R');
		assert.equal(primaryCategoryId(item('I', { categories: [{ id: 'A' }, { id: 'B' }], category_id: 'L' })), 'A');
		assert.equal(primaryCategoryId(item('I', { category_id: 'L' })), 'L');
		assert.equal(primaryCategoryId(item('I', {})), undefined);
	});

	test('variation → item → category name, in two requests at most; unknown and uncategorised variations have none', async () => {
		const { client, calls } = fakeCatalog([variation('V1', 'I1'), variation('V2', 'I2'), variation('V3', 'I3'), item('I1', { reporting_category: { id: 'C1' } }), item('I2', { categories: [{ id: 'C2' }] }), item('I3', {}), category('C1', 'Coffee'), category('C2', 'Pastries')]);
		const names = await variationCategories(client, ['V1', 'V2', 'V3', 'GONE']);
		assert.deepEqual([...names], [['V1', 'Coffee'], ['V2', 'Pastries'], ['V3', undefined], ['GONE', undefined]]);
		assert.equal(calls.length, 2);
		assert.deepEqual(calls[1], { ids: ['C1', 'C2'], related: false });
	});

	test('cached per merchant: a second order with the same variations asks nothing', async () => {
		const { client, calls } = fakeCatalog([variation('V1', 'I1'), item('I1', { reporting_category: { id: 'C1' } }), category('C1', 'Coffee')]);
		const lookup = createSquareCategoryLookup();
		assert.deepEqual([...(await lookup.categoriesFor(client, 'M1', ['V1']))], [['V1', 'Coffee']]);
		await lookup.categoriesFor(client, 'M1', ['V1']);
		assert.equal(calls.length, 2);
		await lookup.categoriesFor(client, 'M2', ['V1']);
		assert.equal(calls.length, 4, 'another merchant has its own catalogue');
	});

	test('property: every variation asked gets an answer, and only categories of its own item', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })), { minLength: 1, maxLength: 12 }), async (rows) => {
				const objects: SquareCatalogObject[] = [0, 1, 2, 3].map((c) => category(`C${c}`, `Category ${c}`));
				rows.forEach(([, cat], i) => objects.push(variation(`V${i}`, `I${i}`), item(`I${i}`, cat === undefined ? {} : { categories: [{ id: `C${cat}` }] })));
				const names = await variationCategories(fakeCatalog(objects).client, rows.map((_, i) => `V${i}`));
				rows.forEach(([, cat], i) => assert.equal(names.get(`V${i}`), cat === undefined ? undefined : `Category ${cat}`));
			}),
		);
	});
});
