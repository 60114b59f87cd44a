import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction } from '../../../connectors/http';
import { type WooCommerceClient, createWooCommerceClient } from '../../../connectors/woocommerce';
import { createWooCommerceCategoryLookup } from '../../../connectors/woocommerce/productCategories';
import { alteringHttp, fetchHttp, recordingHttp } from '../../support/http';
import { type PrismServer, prefixSpecPaths, specOrSkip, startPrism } from '../../support/prism';
import { withProductCategoryExamples } from '../../support/wooProductsSpec';
import { assertVendorError } from './helpers';

/*
 * GET /products (the category lookup) against Prism, on the WooCommerce document with example
 * products written in by `withProductCategoryExamples`, composed with `prefixSpecPaths` in the
 * order the end-to-end suite uses (prefix first) and the other way round.
 */
const spec = specOrSkip('woocommerce-openapi-unofficial.yml');

const PRODUCTS = [
	{ id: 204, name: 'Ethiopia Guji, 250 g', categories: ['Coffee', 'Beans'] },
	{ id: 219, name: 'Paper filters #4 (100)', categories: ['Brewing & Filters'] },
	{ id: 230, name: 'Gift wrap', categories: [] },
];

async function served(order: 'prefix first' | 'examples first'): Promise<{ path: string; cleanup(): Promise<void> }> {
	if (order === 'prefix first') {
		const prefixed = await prefixSpecPaths(spec.path as string, '/wp-json/wc/v3');
		const withExamples = await withProductCategoryExamples(prefixed.path, PRODUCTS);
		return { path: withExamples.path, cleanup: async () => (await withExamples.cleanup(), await prefixed.cleanup()) };
	}
	const withExamples = await withProductCategoryExamples(spec.path as string, PRODUCTS);
	const prefixed = await prefixSpecPaths(withExamples.path, '/wp-json/wc/v3');
	return { path: prefixed.path, cleanup: async () => (await prefixed.cleanup(), await withExamples.cleanup()) };
}

for (const order of ['prefix first', 'examples first'] as const) {
	describe(`WooCommerce product categories against Prism (${order})`, { skip: spec.skip }, () => {
		let prism: PrismServer;
		let cleanup: () => Promise<void> = async () => {};
		let client: (http?: HttpFunction) => WooCommerceClient;

		before(async () => {
			const document = await served(order);
			cleanup = document.cleanup;
			prism = await startPrism({ spec: document.path });
			client = (http = fetchHttp) => createWooCommerceClient(http, { baseUrl: prism.baseUrl, consumerKey: 'ck_prism', consumerSecret: 'cs_prism' });
		});
		after(async () => {
			await prism?.stop();
			await cleanup();
		});

		test('listProductCategories: a valid request returns the example products with their categories', async () => {
			const recorder = recordingHttp(fetchHttp);
			const listed = await client(recorder.http).listProductCategories([204, 219, 230]);
			assert.deepEqual(
				listed.get(204)?.map((c) => c.name),
				['Coffee', 'Beans'],
			);
			assert.deepEqual(listed.get(230), []);
			assert.match(recorder.calls[0].request.url, /\/wp-json\/wc\/v3\/products$/);
			assert.equal(recorder.calls[0].response.status, 200);
		});

		test('the cached lookup gives each order line product one category; a product without one gets none', async () => {
			const lookup = createWooCommerceCategoryLookup();
			assert.deepEqual(
				await lookup.categoriesFor(client(), 'prism', ['204', '219', '230']),
				new Map([
					['204', 'Beans'],
					['219', 'Brewing & Filters'],
				]),
			);
		});

		test('listProductCategories: an id that is not an integer is refused, so validation is on', async () => {
			const recorder = recordingHttp(alteringHttp(fetchHttp, (request) => ({ ...request, query: { ...request.query, include: '204,two-hundred' } })));
			await assertVendorError(client(recorder.http).listProductCategories([204]), { vendor: 'woocommerce', status: 400, retryable: false });
			const header = recorder.calls.at(-1)?.response.headers['sl-violations'];
			assert.ok(header, 'Prism names the violation');
			assert.deepEqual(
				(JSON.parse(header) as Array<{ location: string[] }>).map((v) => v.location.join('.')),
				['request.query.include.1'],
			);
		});
	});
}
