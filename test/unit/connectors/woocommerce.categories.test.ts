import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createCategoryCache } from '../../../connectors/shared/categoryCache';
import {
	applyProductCategories,
	applyProductCategoriesToEvents,
	createWooCommerceClient,
	normalizeWooCommerceDelivery,
	primaryProductCategory,
	uncategorizedProductIds,
} from '../../../connectors/woocommerce';
import { createWooCommerceCategoryLookup, wooCommerceShopKey } from '../../../connectors/woocommerce/productCategories';
import { type Order, orderSchema } from '../../../engine/model';
import { assertVendorError, cannedHttp, fixture } from './helpers';

const purchase = () => normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: 'd-1', payload: fixture('woocommerce', 'order-processing.json') });

describe('WooCommerce order lines get their product categories (pure)', () => {
	test('lines whose product is in the map get its category; a line without product or without a known category stays without one', () => {
		const [event] = purchase();
		assert.deepEqual(uncategorizedProductIds([event]), ['204', '219'], 'the sample sachet (product_id 0) has no product to look up');
		const order = applyProductCategories(event.order!, new Map([['204', 'Coffee']]));
		assert.deepEqual(
			order.lines.map((line) => [line.productId, line.category]),
			[
				['204', 'Coffee'],
				['219', undefined],
				[undefined, undefined],
			],
		);
		assert.equal(event.order!.lines[0].category, undefined, 'the input order is not modified');
		assert.equal('category' in order.lines[1], false, 'no category key at all rather than an undefined one');
	});

	test('a category already on a line is kept', () => {
		const [event] = purchase();
		const order: Order = { ...event.order!, lines: event.order!.lines.map((line) => ({ ...line, category: 'Gifts' })) };
		assert.deepEqual(
			applyProductCategories(order, new Map([['204', 'Coffee']])).lines.map((line) => line.category),
			['Gifts', 'Gifts', 'Gifts'],
		);
		assert.deepEqual(uncategorizedProductIds([{ ...event, order }]), []);
	});

	test('events without an order (customer updates) pass through unchanged', () => {
		const events = normalizeWooCommerceDelivery({ topic: 'customer.updated', deliveryId: 'd-2', payload: fixture('woocommerce', 'customer-updated.json') });
		assert.deepEqual(applyProductCategoriesToEvents(events, new Map([['204', 'Coffee']])), events);
		assert.deepEqual(uncategorizedProductIds(events), []);
	});

	const line = fc.record(
		{
			productId: fc.constantFrom('1', '2', '3', '4', '5'),
			category: fc.constantFrom('Coffee', 'Tea'),
			sku: fc.string({ maxLength: 8 }),
			quantity: fc.integer({ min: 1, max: 1000 }),
			unitPriceMinor: fc.nat({ max: 1_000_000 }),
			totalMinor: fc.nat({ max: 100_000_000 }),
		},
		{ requiredKeys: ['quantity', 'totalMinor'] },
	);
	const order = fc.record({
		lines: fc.array(line, { maxLength: 12 }),
		totalMinor: fc.nat({ max: 100_000_000 }),
		discountMinor: fc.option(fc.nat({ max: 1_000_000 }), { nil: undefined }),
	});
	const categories = fc.array(fc.tuple(fc.constantFrom<string>('1', '2', '3', '4', '5', '6'), fc.string({ minLength: 1, maxLength: 12 }))).map((pairs) => new Map(pairs));

	test('property: enrichment never changes totals, quantities, prices or the number of lines, and only ever fills a missing category from the map', () => {
		fc.assert(
			fc.property(order, categories, (generated, map) => {
				const before: Order = orderSchema.parse({
					source: 'woocommerce',
					id: '1',
					status: 'paid',
					placedAt: '2026-03-02T10:15:40Z',
					currency: 'EUR',
					customer: { identities: { email: 'a@example.com' } },
					...generated,
				});
				const after = applyProductCategories(before, map);
				assert.equal(after.lines.length, before.lines.length);
				assert.equal(after.totalMinor, before.totalMinor);
				assert.equal(after.discountMinor, before.discountMinor);
				after.lines.forEach((enriched, index) => {
					const { category: categoryAfter, ...restAfter } = enriched;
					const { category: categoryBefore, ...restBefore } = before.lines[index];
					assert.deepEqual(restAfter, restBefore, 'everything but the category is untouched');
					if (categoryBefore !== undefined) assert.equal(categoryAfter, categoryBefore);
					else assert.equal(categoryAfter, enriched.productId === undefined ? undefined : map.get(enriched.productId));
				});
				assert.doesNotThrow(() => orderSchema.parse(after), 'the enriched order is still a valid order');
			}),
		);
	});
});

describe('WooCommerce primary product category', () => {
	test('no categories, or only the default "Uncategorized", is no category', () => {
		assert.equal(primaryProductCategory(undefined), undefined);
		assert.equal(primaryProductCategory([]), undefined);
		assert.equal(primaryProductCategory([{ id: 15, name: 'Uncategorized', slug: 'uncategorized' }]), undefined);
	});

	test('several categories: the name that sorts first, whatever order they are listed in', () => {
		const listed = [
			{ id: 31, name: 'Tea', slug: 'tea' },
			{ id: 15, name: 'Uncategorized', slug: 'uncategorized' },
			{ id: 30, name: 'coffee', slug: 'coffee' },
			{ id: 32, name: 'Beans', slug: 'beans' },
		];
		assert.equal(primaryProductCategory(listed), 'Beans');
		assert.equal(primaryProductCategory([...listed].reverse()), 'Beans');
		assert.equal(primaryProductCategory([{ id: 9, name: 'Tea' }, { id: 3, name: 'tea' }]), 'tea', 'same name: the lower id');
	});

	test('WordPress escapes names; the category is the readable name, or the slug when the name is empty', () => {
		assert.equal(primaryProductCategory([{ id: 1, name: 'Coffee &amp; Tea', slug: 'coffee-tea' }]), 'Coffee & Tea');
		assert.equal(primaryProductCategory([{ id: 1, name: '', slug: 'pastries' }]), 'pastries');
	});

	test('property: the choice does not depend on the order WooCommerce lists the categories in', () => {
		const category = fc.record({ id: fc.integer({ min: 1, max: 50 }), name: fc.constantFrom('Coffee', 'coffee', 'Tea', 'Beans', 'Uncategorized', ''), slug: fc.constantFrom('a', 'b', 'uncategorized') });
		fc.assert(
			fc.property(fc.uniqueArray(category, { selector: (c) => c.id, maxLength: 6 }), fc.infiniteStream(fc.nat()), (list, keys) => {
				const shuffled = list.map((c) => ({ c, k: keys.next().value as number })).sort((a, b) => a.k - b.k).map(({ c }) => c);
				assert.equal(primaryProductCategory(shuffled), primaryProductCategory(list));
			}),
		);
	});
});

describe('category cache', () => {
	test('one fetch for what is missing; cached answers, including "no category", are not fetched again until they expire', async () => {
		let clock = 0;
		const cache = createCategoryCache({ ttlMs: 1000, now: () => clock });
		const fetched: string[][] = [];
		const fetch = async (ids: string[]) => {
			fetched.push(ids);
			return new Map<string, string | undefined>([['1', 'Coffee']]);
		};
		assert.deepEqual(await cache.resolve('shop-a', ['1', '2', '1'], fetch), new Map([['1', 'Coffee']]));
		assert.deepEqual(await cache.resolve('shop-a', ['1', '2'], fetch), new Map([['1', 'Coffee']]));
		assert.deepEqual(fetched, [['1', '2']], 'product 2 has no category; that answer is cached too');
		await cache.resolve('shop-b', ['1'], fetch);
		assert.deepEqual(fetched.at(-1), ['1'], 'another shop has its own entries');
		clock = 1000;
		await cache.resolve('shop-a', ['1', '2'], fetch);
		assert.deepEqual(fetched.at(-1), ['1', '2'], 'expired entries are fetched again');
	});

	test('a failed fetch rejects and caches nothing', async () => {
		const cache = createCategoryCache();
		await assert.rejects(cache.resolve('shop', ['1'], async () => Promise.reject(new Error('down'))), /down/);
		assert.equal(cache.size, 0);
		assert.deepEqual(await cache.resolve('shop', ['1'], async () => new Map([['1', 'Tea']])), new Map([['1', 'Tea']]));
	});

	test('property: the cache never holds more than its bound, and keeps the most recently used products', async () => {
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(fc.array(fc.integer({ min: 1, max: 30 }).map(String), { minLength: 1, maxLength: 5 }), { maxLength: 20 }), async (maxEntries, batches) => {
				const cache = createCategoryCache({ maxEntries });
				for (const batch of batches) {
					await cache.resolve('shop', batch, async (ids) => new Map(ids.map((id) => [id, `c${id}`])));
					assert.ok(cache.size <= maxEntries);
				}
				const lastDelivery = [...new Set(batches.at(-1) ?? [])];
				if (lastDelivery.length > 0 && lastDelivery.length <= maxEntries) {
					let asked = false;
					await cache.resolve('shop', lastDelivery, async (ids) => {
						asked = true;
						return new Map(ids.map((id) => [id, `c${id}`]));
					});
					assert.equal(asked, false, 'the products of the last delivery are still cached when they fit');
				}
			}),
		);
	});
});

describe('WooCommerce category lookup', () => {
	test('asks WooCommerce once for the uncached products, with ids as a comma-separated list, and picks one category per product', async () => {
		const { http, requests } = cannedHttp({
			body: [
				{ id: 204, categories: [{ id: 30, name: 'Coffee', slug: 'coffee' }, { id: 31, name: 'Beans', slug: 'beans' }] },
				{ id: 219, categories: [{ id: 15, name: 'Uncategorized', slug: 'uncategorized' }] },
			],
		});
		const client = createWooCommerceClient(http, { baseUrl: 'https://shop.example.com', consumerKey: 'ck', consumerSecret: 'cs' });
		const lookup = createWooCommerceCategoryLookup();
		assert.deepEqual(await lookup.categoriesFor(client, 'shop.example.com', ['204', '219', '0', 'abc']), new Map([['204', 'Beans']]));
		assert.equal(requests.length, 1);
		assert.equal(requests[0].url, 'https://shop.example.com/wp-json/wc/v3/products');
		assert.equal(requests[0].query?.include, '204,219', 'ids that cannot be WooCommerce products are not sent');
		assert.equal(requests[0].query?.per_page, 100);
		// Cached: no second request (cannedHttp has no reply left and would throw).
		assert.deepEqual(await lookup.categoriesFor(client, 'shop.example.com', ['219', '204']), new Map([['204', 'Beans']]));
	});

	test('more than 100 products are asked for in pages of 100', async () => {
		const { http, requests } = cannedHttp({ body: [] }, { body: [{ id: 150, categories: [{ id: 1, name: 'Tea', slug: 'tea' }] }] });
		const client = createWooCommerceClient(http, { baseUrl: 'https://shop.example.com', consumerKey: 'ck', consumerSecret: 'cs' });
		const listed = await client.listProductCategories(Array.from({ length: 150 }, (_, i) => i + 1));
		assert.deepEqual(
			requests.map((r) => String(r.query?.include).split(',').length),
			[100, 50],
		);
		assert.deepEqual(listed.get(150), [{ id: 1, name: 'Tea', slug: 'tea' }]);
	});

	test('a refused lookup is a VendorApiError and leaves the cache empty', async () => {
		const { http } = cannedHttp({ status: 401, body: fixture('woocommerce', 'error-unauthorized.json') });
		const client = createWooCommerceClient(http, { baseUrl: 'https://shop.example.com', consumerKey: 'ck', consumerSecret: 'cs' });
		const lookup = createWooCommerceCategoryLookup();
		await assertVendorError(lookup.categoriesFor(client, 'shop', ['204']), { vendor: 'woocommerce', status: 401, retryable: false });
		assert.equal(lookup.cache.size, 0);
	});

	test('the shop key ignores scheme, trailing slashes and a pasted API suffix', () => {
		for (const url of ['https://Shop.example.com/', 'http://shop.example.com', 'https://shop.example.com/wp-json/wc/v3/']) {
			assert.equal(wooCommerceShopKey(url), 'shop.example.com');
		}
		assert.notEqual(wooCommerceShopKey('https://shop.example.com/store'), wooCommerceShopKey('https://shop.example.com'));
	});
});
