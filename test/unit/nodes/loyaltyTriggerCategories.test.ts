import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { closeSharedStores } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { withProductCategories } from '../../../nodes/LoyaltyTrigger/sources/categories';
import { webhookContext, type Credentials, type FakeServer } from './fakes';

/*
 * WooCommerce order deliveries get their lines' product categories from the shop's REST API
 * before they are recorded, and are recorded without them when that lookup fails.
 */
const trigger = new LoyaltyTrigger();
const description = trigger.description;
const WOO_SECRET = 'woo-webhook-secret-0123456789';
const parameters: INodeParameters = { source: 'woocommerce', wooCommerceEvents: ['order.created', 'order.updated'] };
let dir: string;
let store: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-trigger-categories-'));
	store = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

const order = (id: number): IDataObject => ({ ...(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'woocommerce', 'order-processing.json'), 'utf8')) as IDataObject), id });

/** Each test uses its own shop, so the trigger's category cache of one test cannot answer another. */
function delivery(shopUrl: string, deliveryId: string, body: IDataObject, server?: FakeServer) {
	const raw = Buffer.from(JSON.stringify(body));
	return webhookContext({
		description,
		parameters,
		credentials: { ...store, loyaltyWooCommerceApi: { shopUrl, consumerKey: 'ck_1', consumerSecret: 'cs_1', webhookSecret: WOO_SECRET } },
		body: raw,
		server,
		headers: {
			'x-wc-webhook-topic': 'order.updated',
			'x-wc-webhook-delivery-id': deliveryId,
			'x-wc-webhook-signature': createHmac('sha256', WOO_SECRET).update(raw).digest('base64'),
		},
	});
}

const catalogue: FakeServer = (request) => {
	if (request.method === 'GET' && request.url.endsWith('/wp-json/wc/v3/products')) {
		return {
			statusCode: 200,
			body: [
				{ id: 204, categories: [{ id: 30, name: 'Coffee', slug: 'coffee' }] },
				{ id: 219, categories: [{ id: 15, name: 'Uncategorized', slug: 'uncategorized' }] },
			],
		};
	}
	return { statusCode: 404, body: { code: 'rest_no_route', message: 'No route was found matching the URL and request method.' } };
};

const linesOf = (json: IDataObject) => ((json.order as IDataObject).lines as IDataObject[]).map((line) => [line.productId, line.category]);

describe('Loyalty Trigger: WooCommerce order lines get product categories', () => {
	test('the categories are looked up with the shop credential in one request and recorded on the lines', async () => {
		const { context, recorded } = delivery('https://coffee.example.com/', 'd-cat-1', order(6001), catalogue);
		const result = await trigger.webhook.call(context);
		const [event] = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.equal(event.type, 'purchase');
		assert.deepEqual(linesOf(event), [
			['204', 'Coffee'],
			['219', undefined],
			[undefined, undefined],
		]);
		assert.equal(recorded.requests.length, 1);
		assert.match(String(recorded.requests[0].options.headers?.Authorization), /^Basic /);
		assert.equal(recorded.requests[0].options.url, 'https://coffee.example.com/wp-json/wc/v3/products');
		assert.equal((recorded.requests[0].options.qs as IDataObject).include, '204,219');
		assert.deepEqual(recorded.logs, []);
	});

	test('the next order of the same shop uses the cached categories: no request', async () => {
		const { context, recorded } = delivery('https://coffee.example.com', 'd-cat-2', order(6002));
		const result = await trigger.webhook.call(context);
		const [event] = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.deepEqual(linesOf(event)[0], ['204', 'Coffee']);
		assert.equal(recorded.requests.length, 0);
	});

	test('a refused lookup (401) still records the purchase, without categories, and logs a warning', async () => {
		const unauthorized: FakeServer = () => ({ statusCode: 401, body: { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } } });
		const { context, recorded } = delivery('https://tea.example.com', 'd-cat-3', order(6003), unauthorized);
		const result = await trigger.webhook.call(context);
		const events = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.equal(events.length, 1);
		assert.equal(events[0].id, 'woocommerce:d-cat-3');
		assert.deepEqual(linesOf(events[0]), [
			['204', undefined],
			['219', undefined],
			[undefined, undefined],
		]);
		assert.equal(recorded.requests.length, 1);
		assert.equal(recorded.logs.length, 1);
		assert.equal(recorded.logs[0].level, 'warn');
		assert.match(recorded.logs[0].message, /WooCommerce product categories.*recorded without them.*cannot list resources/);

		// It was recorded: the same delivery again is a duplicate, even now that the lookup works.
		const again = await trigger.webhook.call(delivery('https://tea.example.com', 'd-cat-3', order(6003), catalogue).context);
		assert.equal((again.webhookResponse as { duplicate?: boolean }).duplicate, true);
	});

	test('an unreachable shop (no answer at all) is the same: recorded without categories, with a warning', async () => {
		const down: FakeServer = () => {
			throw new Error('connect ECONNREFUSED');
		};
		const { context, recorded } = delivery('https://down.example.com', 'd-cat-4', order(6004), down);
		const result = await trigger.webhook.call(context);
		assert.equal(result.workflowData?.[0].length, 1);
		assert.match(recorded.logs[0]?.message ?? '', /ECONNREFUSED/);
	});
});

describe('category lookup deadline', () => {
	test('a lookup slower than the deadline is not waited for: the events go on unchanged, with a warning', async () => {
		const { context, recorded } = delivery('https://slow.example.com', 'd-cat-5', order(6005));
		const events = [{ id: 'e-1' }] as unknown as Parameters<typeof withProductCategories>[1];
		let lateAnswer: (value: Map<string, string>) => void = () => {};
		const started = Date.now();
		const result = await withProductCategories(context, events, {
			vendor: 'WooCommerce',
			productIds: ['204'],
			lookup: () => new Promise((resolve) => (lateAnswer = resolve)),
			apply: () => assert.fail('categories that came too late are not applied'),
			deadlineMs: 50,
		});
		assert.equal(result, events);
		assert.ok(Date.now() - started < 1_000);
		assert.match(recorded.logs[0]?.message ?? '', /no answer within 50 ms/);
		lateAnswer(new Map());
	});

	test('nothing to look up: no lookup at all', async () => {
		const { context } = delivery('https://none.example.com', 'd-cat-6', order(6006));
		const events = [{ id: 'e-2' }] as unknown as Parameters<typeof withProductCategories>[1];
		const result = await withProductCategories(context, events, {
			vendor: 'WooCommerce',
			productIds: [],
			lookup: () => assert.fail('not called'),
			apply: () => assert.fail('not called'),
		});
		assert.equal(result, events);
	});
});
