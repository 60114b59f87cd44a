import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, mock, test } from 'node:test';
import { NodeApiError, NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { closeSharedStores } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { RECENT_CREDENTIALS_MS } from '../../../nodes/shared/recentCredentials';
import { hookContext, webhookContext, type Credentials, type FakeServer } from './fakes';

const trigger = new LoyaltyTrigger();
const description = trigger.description;
const URL = 'https://n8n.example.com/webhook/hook-id/webhook';
const GENERIC_SECRET = 'a-generic-shared-secret-of-some-length';
const WOO_SECRET = 'woo-webhook-secret-0123456789';
const SQUARE_KEY = 'square-signature-key-0123';
let dir: string;
let store: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-trigger-'));
	store = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

const fixture = (vendor: string, name: string): unknown =>
	JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', vendor, name), 'utf8'));

function genericDelivery(body: unknown, signature?: string) {
	const raw = Buffer.from(JSON.stringify(body));
	const header = signature ?? `sha256=${createHmac('sha256', GENERIC_SECRET).update(raw).digest('hex')}`;
	return webhookContext({
		description,
		parameters: { source: 'generic' },
		credentials: { ...store, loyaltyGenericWebhookApi: { secret: GENERIC_SECRET } },
		body: raw,
		headers: { 'content-type': 'application/json', 'x-loyalty-signature': header },
		webhookUrl: URL,
	});
}

const purchase = (id: string) => ({
	id,
	type: 'purchase',
	customer: { identities: { email: 'dora@example.com' } },
	order: { id: `order-${id}`, placedAt: '2026-03-03T17:45:00Z', currency: 'USD', totalMinor: 1000, lines: [] },
});

describe('Loyalty Trigger webhook: generic signed JSON', () => {
	test('a signed event is recorded and starts one run with the canonical event', async () => {
		const { context } = genericDelivery(purchase('pos-1'));
		const result = await trigger.webhook.call(context);
		assert.equal(result.workflowData?.length, 1);
		const [item] = result.workflowData![0];
		assert.equal(item.json.id, 'generic:pos-1');
		assert.equal(item.json.type, 'purchase');
		assert.equal((item.json.order as IDataObject).totalMinor, 1000);
	});

	test('the same delivery again is a duplicate: 200 and no run', async () => {
		const { context } = genericDelivery(purchase('pos-1'));
		const result = await trigger.webhook.call(context);
		assert.equal(result.workflowData, undefined);
		assert.equal((result.webhookResponse as IDataObject).duplicate, true);
	});

	test('a bad signature is answered 401 by the node and nothing is recorded', async () => {
		const { context, response } = genericDelivery(purchase('pos-2'), `sha256=${'0'.repeat(64)}`);
		const result = await trigger.webhook.call(context);
		assert.deepEqual(result, { noWebhookResponse: true });
		assert.equal(response.status, 401);
		assert.match(String((response.body as IDataObject).reason), /does not match/);
		// Not recorded: the correctly signed delivery still starts a run.
		const retry = await trigger.webhook.call(genericDelivery(purchase('pos-2')).context);
		assert.equal(retry.workflowData?.[0].length, 1);
	});

	test('a missing signature is 401 too', async () => {
		const { context, response } = genericDelivery(purchase('pos-3'), '');
		await trigger.webhook.call(context);
		assert.equal(response.status, 401);
	});

	test('a signed but malformed payload is acknowledged and quarantined, naming the field', async () => {
		const { context } = genericDelivery({ id: 'pos-4', type: 'purchase', customer: { identities: { email: 'x@example.com' } } });
		const result = await trigger.webhook.call(context);
		const reply = result.webhookResponse as IDataObject;
		assert.equal(reply.quarantined, true);
		assert.equal(reply.field, 'order');
	});
});

describe('Loyalty Trigger webhook: the store credential', () => {
	test('a burst of deliveries reads the Loyalty Store credential once; after the window it is read again', async () => {
		let reads = 0;
		const credentials: Credentials = { loyaltyGenericWebhookApi: { secret: GENERIC_SECRET } };
		Object.defineProperty(credentials, 'loyaltyStoreApi', {
			enumerable: true,
			get: () => {
				reads++;
				return store.loyaltyStoreApi;
			},
		});
		const deliver = async (id: string, keepRecentCredentials = true) => {
			const raw = Buffer.from(JSON.stringify(purchase(id)));
			const signature = `sha256=${createHmac('sha256', GENERIC_SECRET).update(raw).digest('hex')}`;
			const { context } = webhookContext({ description, parameters: { source: 'generic' }, credentials, body: raw, headers: { 'content-type': 'application/json', 'x-loyalty-signature': signature }, webhookUrl: URL, keepRecentCredentials, mode: 'webhook' });
			return (await trigger.webhook.call(context)).webhookResponse as IDataObject;
		};
		mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-03-03T18:00:00Z') });
		try {
			assert.equal((await deliver('burst-1', false)).new, 1);
			assert.equal((await deliver('burst-2')).new, 1);
			assert.equal((await deliver('burst-3')).new, 1);
			assert.equal(reads, 1);
			mock.timers.tick(RECENT_CREDENTIALS_MS);
			assert.equal((await deliver('burst-4')).new, 1);
			assert.equal(reads, 2);
		} finally {
			mock.timers.reset();
		}
	});
});

const wooParameters: INodeParameters = { source: 'woocommerce', wooCommerceEvents: ['order.created', 'order.updated'] };
const wooCredentials = (): Credentials => ({
	...store,
	loyaltyWooCommerceApi: { shopUrl: 'https://shop.example.com/', consumerKey: 'ck_1', consumerSecret: 'cs_1', webhookSecret: WOO_SECRET },
});

describe('Loyalty Trigger webhook: WooCommerce', () => {
	test('the unsigned creation ping is acknowledged without a run', async () => {
		const { context, response } = webhookContext({
			description,
			parameters: wooParameters,
			credentials: wooCredentials(),
			body: Buffer.from('webhook_id=17'),
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-wc-webhook-id': '17' },
		});
		const result = await trigger.webhook.call(context);
		assert.equal(result.workflowData, undefined);
		assert.equal(response.status, undefined);
		assert.equal((result.webhookResponse as IDataObject).received, true);
	});

	test('a signed order delivery becomes a purchase event', async () => {
		const raw = Buffer.from(JSON.stringify(fixture('woocommerce', 'order-processing.json')));
		const { context } = webhookContext({
			description,
			parameters: wooParameters,
			credentials: wooCredentials(),
			body: raw,
			headers: {
				'x-wc-webhook-topic': 'order.updated',
				'x-wc-webhook-delivery-id': 'd-900',
				'x-wc-webhook-signature': createHmac('sha256', WOO_SECRET).update(raw).digest('base64'),
			},
		});
		const result = await trigger.webhook.call(context);
		const events = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.equal(events.length, 1);
		assert.equal(events[0].type, 'purchase');
		assert.equal(events[0].id, 'woocommerce:d-900');
	});

	test('a topic not selected on the trigger is acknowledged without a run', async () => {
		const raw = Buffer.from('{}');
		const { context } = webhookContext({
			description,
			parameters: wooParameters,
			credentials: wooCredentials(),
			body: raw,
			headers: {
				'x-wc-webhook-topic': 'customer.updated',
				'x-wc-webhook-delivery-id': 'd-901',
				'x-wc-webhook-signature': createHmac('sha256', WOO_SECRET).update(raw).digest('base64'),
			},
		});
		const result = await trigger.webhook.call(context);
		assert.equal(result.workflowData, undefined);
		assert.match(String((result.webhookResponse as IDataObject).ignored), /customer.updated/);
	});
});

describe('Loyalty Trigger webhook: WooCommerce birthdays (Birthday Meta Keys)', () => {
	let change = 0;
	/** Each delivery is a new change of the customer (a new modification time), so none is a duplicate of another. */
	const customerDelivery = (meta: Array<{ key: string; value: string }>, parameters: INodeParameters) => {
		change++;
		const raw = Buffer.from(JSON.stringify({ ...(fixture('woocommerce', 'customer-updated.json') as IDataObject), date_modified_gmt: `2026-04-0${change}T10:00:00`, meta_data: meta.map((m, i) => ({ id: i + 1, ...m })) }));
		return webhookContext({
			description,
			parameters: { source: 'woocommerce', wooCommerceEvents: ['order.created', 'customer.updated'], ...parameters },
			credentials: wooCredentials(),
			body: raw,
			headers: {
				'x-wc-webhook-topic': 'customer.updated',
				'x-wc-webhook-delivery-id': `d-birthday-${change}`,
				'x-wc-webhook-signature': createHmac('sha256', WOO_SECRET).update(raw).digest('base64'),
			},
		}).context;
	};
	const birthdayOf = async (context: ReturnType<typeof customerDelivery>) => ((await trigger.webhook.call(context)).workflowData?.[0][0].json.customer as IDataObject | undefined)?.birthday;

	test("as it comes, the trigger reads the common plugins' keys", async () => {
		assert.deepEqual(await birthdayOf(customerDelivery([{ key: '_automatewoo_birthday_md', value: '12-02' }], {})), { month: 12, day: 2 });
	});

	test("the shop's own key replaces the list; empty reads none", async () => {
		assert.deepEqual(await birthdayOf(customerDelivery([{ key: 'dob', value: '1979-05-04' }, { key: 'birthday', value: '1990-01-01' }], { wooCommerceBirthdayMetaKeys: ' dob , ' })), { month: 5, day: 4, year: 1979 });
		assert.equal(await birthdayOf(customerDelivery([{ key: 'birthday', value: '1990-01-01' }, { key: 'x', value: '' }], { wooCommerceBirthdayMetaKeys: '' })), undefined);
	});
});

describe('Loyalty Trigger lifecycle: WooCommerce', () => {
	const existing = [
		{ id: 7, topic: 'order.created', delivery_url: URL, status: 'active' },
		{ id: 8, topic: 'order.updated', delivery_url: 'https://elsewhere.example.com/hook', status: 'active' },
	];
	const server: FakeServer = (request) => {
		if (request.method === 'GET') return { statusCode: 200, body: existing, headers: { 'x-wp-totalpages': '1' } };
		if (request.method === 'POST') return { statusCode: 201, body: { id: 99, ...(request.body as IDataObject) } };
		if (request.method === 'DELETE') return { statusCode: request.url.endsWith('/99') ? 200 : 404, body: {} };
		return { statusCode: 500 };
	};

	test('checkExists adopts a matching webhook, create registers only the missing topic with the secret, delete removes both', async () => {
		const { context, staticData, recorded } = hookContext({ description, parameters: wooParameters, credentials: wooCredentials(), server, webhookUrl: URL });
		assert.equal(await trigger.webhookMethods.default.checkExists.call(context), false);
		assert.deepEqual(staticData.wooCommerceWebhookIds, { 'order.created': 7 });

		assert.equal(await trigger.webhookMethods.default.create.call(context), true);
		const post = recorded.requests.find((r) => r.options.method === 'POST');
		assert.match(String(post?.options.headers?.Authorization), /^Basic /, 'the client signs in with the REST API keys itself');
		assert.equal(post?.options.url, 'https://shop.example.com/wp-json/wc/v3/webhooks');
		assert.deepEqual(
			{ topic: (post?.options.body as IDataObject).topic, delivery_url: (post?.options.body as IDataObject).delivery_url, secret: (post?.options.body as IDataObject).secret },
			{ topic: 'order.updated', delivery_url: URL, secret: WOO_SECRET },
		);
		assert.deepEqual(staticData.wooCommerceWebhookIds, { 'order.created': 7, 'order.updated': 99 });

		assert.equal(await trigger.webhookMethods.default.delete.call(context), true);
		const deleted = recorded.requests.filter((r) => r.options.method === 'DELETE').map((r) => r.options.url);
		assert.deepEqual(deleted, ['https://shop.example.com/wp-json/wc/v3/webhooks/7', 'https://shop.example.com/wp-json/wc/v3/webhooks/99']);
		assert.equal(staticData.wooCommerceWebhookIds, undefined);
	});

	test('create refuses to register webhooks without a Webhook Secret', async () => {
		const credentials = wooCredentials();
		credentials.loyaltyWooCommerceApi = { ...credentials.loyaltyWooCommerceApi, webhookSecret: '' };
		const { context } = hookContext({ description, parameters: wooParameters, credentials, server, webhookUrl: URL });
		await assert.rejects(trigger.webhookMethods.default.create.call(context), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /no Webhook Secret/);
			return true;
		});
	});

	test('a vendor error during registration surfaces as a NodeApiError', async () => {
		const { context } = hookContext({
			description,
			parameters: wooParameters,
			credentials: wooCredentials(),
			server: () => ({ statusCode: 401, body: { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.' } }),
			webhookUrl: URL,
		});
		await assert.rejects(trigger.webhookMethods.default.checkExists.call(context), (error: unknown) => {
			assert.ok(error instanceof NodeApiError);
			assert.match(error.message, /cannot list resources/);
			return true;
		});
	});
});

const squareParameters: INodeParameters = { source: 'square', squareEvents: ['payment.updated', 'refund.created', 'refund.updated'] };
const squareCredentials = (signatureKey = SQUARE_KEY): Credentials => ({
	...store,
	loyaltySquareApi: { accessToken: 'EAAA-token', environment: 'sandbox', signatureKey, notificationUrl: '', baseUrl: 'http://127.0.0.1:4010' },
});

describe('Loyalty Trigger: Square', () => {
	test('create without a signature key explains how to get one and registers nothing', async () => {
		const { context, recorded } = hookContext({ description, parameters: squareParameters, credentials: squareCredentials(''), webhookUrl: URL });
		await assert.rejects(trigger.webhookMethods.default.create.call(context), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /no Webhook Signature Key/);
			assert.match(String(error.description), new RegExp(URL.replace(/[.]/g, '\\.')));
			return true;
		});
		assert.equal(recorded.requests.length, 0);
	});

	test('checkExists adopts an enabled subscription covering the events; delete keeps an adopted one', async () => {
		const server: FakeServer = () => ({
			statusCode: 200,
			body: { subscriptions: [{ id: 'wbhk_1', enabled: true, notification_url: URL, event_types: ['payment.created', 'payment.updated', 'refund.created', 'refund.updated'] }] },
		});
		const { context, staticData, recorded } = hookContext({ description, parameters: squareParameters, credentials: squareCredentials(), server, webhookUrl: URL });
		assert.equal(await trigger.webhookMethods.default.checkExists.call(context), true);
		assert.equal(staticData.squareSubscriptionId, 'wbhk_1');
		assert.equal(recorded.requests[0].options.url, 'http://127.0.0.1:4010/v2/webhooks/subscriptions');
		assert.equal(await trigger.webhookMethods.default.delete.call(context), true);
		assert.equal(recorded.requests.filter((r) => r.options.method === 'DELETE').length, 0);
		assert.equal(staticData.squareSubscriptionId, undefined);
	});

	test('create registers one subscription; a key that differs from the credential fails with instructions', async () => {
		const server: FakeServer = (request) => ({
			statusCode: 200,
			body: { subscription: { id: 'wbhk_2', signature_key: request.method === 'POST' ? 'another-key' : '', enabled: true } },
		});
		const { context, staticData } = hookContext({ description, parameters: squareParameters, credentials: squareCredentials(), server, webhookUrl: URL });
		await assert.rejects(trigger.webhookMethods.default.create.call(context), /signs with a different key/);
		assert.equal(staticData.squareSubscriptionId, 'wbhk_2');
	});

	test('a signed payment notification fetches its order, customer and item categories and becomes a purchase', async () => {
		const raw = Buffer.from(JSON.stringify(fixture('square', 'payment-updated-completed.json')));
		const signature = createHmac('sha256', SQUARE_KEY).update(URL).update(raw).digest('base64');
		// The catalogue: latte → Drinks (reporting category); croissant → Pastries (the name comes with a second request).
		const catalog = (ids: string[]) => {
			if (ids.includes('W62UWFY35CWMYGVWK6TWJDNI'))
				return {
					objects: [
						{ type: 'ITEM_VARIATION', id: 'W62UWFY35CWMYGVWK6TWJDNI', item_variation_data: { item_id: 'LATTE' } },
						{ type: 'ITEM_VARIATION', id: 'AA27W3M2GGTF3H6AVPNB77CK', item_variation_data: { item_id: 'CROISSANT' } },
					],
					related_objects: [
						{ type: 'ITEM', id: 'LATTE', item_data: { reporting_category: { id: 'DRINKS' } } },
						{ type: 'ITEM', id: 'CROISSANT', item_data: { categories: [{ id: 'PASTRY' }] } },
					],
				};
			return { objects: [{ type: 'CATEGORY', id: 'DRINKS', category_data: { name: 'Drinks' } }, { type: 'CATEGORY', id: 'PASTRY', category_data: { name: 'Pastries' } }] };
		};
		const server: FakeServer = (request) => {
			if (request.url.includes('/v2/orders/')) return { statusCode: 200, body: fixture('square', 'order-retrieved.json') };
			if (request.url.includes('/v2/customers/')) return { statusCode: 200, body: fixture('square', 'customer-retrieved.json') };
			if (request.url.endsWith('/v2/catalog/batch-retrieve')) return { statusCode: 200, body: catalog((request.body as { object_ids: string[] }).object_ids) };
			return { statusCode: 404, body: {} };
		};
		const { context, recorded } = webhookContext({
			description,
			parameters: squareParameters,
			credentials: squareCredentials(),
			server,
			webhookUrl: URL,
			body: raw,
			headers: { 'x-square-hmacsha256-signature': signature },
		});
		const result = await trigger.webhook.call(context);
		const events = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.equal(events.length, 1);
		assert.equal(events[0].type, 'purchase');
		assert.deepEqual(
			recorded.requests.map((r) => [String(r.options.headers?.Authorization).split(' ')[0], r.options.method, r.options.url.replace(/[A-Za-z0-9]+$/, ':id')]),
			[
				['Bearer', 'GET', 'http://127.0.0.1:4010/v2/orders/:id'],
				['Bearer', 'GET', 'http://127.0.0.1:4010/v2/customers/:id'],
				['Bearer', 'POST', 'http://127.0.0.1:4010/v2/catalog/batch-:id'],
				['Bearer', 'POST', 'http://127.0.0.1:4010/v2/catalog/batch-:id'],
			],
		);
		const lines = (events[0].order as { lines: Array<{ name: string; category?: string }> }).lines;
		assert.deepEqual(lines.map((l) => [l.name, l.category]), [['Oat Latte (Large)', 'Drinks'], ['Almond Croissant (Regular)', 'Pastries']]);
	});

	test('a burst of notifications reads the credential once; a rotated key is taken at once, and the old one is refused after the window', async () => {
		// Not a selected event type: once the signature passes, the delivery is acknowledged and ignored.
		const raw = Buffer.from(JSON.stringify({ merchant_id: 'M1', type: 'customer.created', event_id: 'ev-rotate', data: {} }));
		const signedWith = (key: string) => createHmac('sha256', key).update(URL).update(raw).digest('base64');
		let key = 'square-key-before-rotation';
		let reads = 0;
		const credentials = squareCredentials();
		Object.defineProperty(credentials, 'loyaltySquareApi', {
			enumerable: true,
			get: () => {
				reads++;
				return { accessToken: 'EAAA-token', environment: 'sandbox', signatureKey: key, notificationUrl: '', baseUrl: 'http://127.0.0.1:4010' };
			},
		});
		const deliver = async (signingKey: string, keepRecentCredentials = true) => {
			const { context, response } = webhookContext({ description, parameters: squareParameters, credentials, webhookUrl: URL, body: raw, headers: { 'x-square-hmacsha256-signature': signedWith(signingKey) }, keepRecentCredentials });
			const result = await trigger.webhook.call(context);
			return response.status ?? (result.webhookResponse ? 200 : undefined);
		};
		mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
		try {
			assert.equal(await deliver('square-key-before-rotation', false), 200);
			assert.equal(await deliver('square-key-before-rotation'), 200);
			assert.equal(await deliver('square-key-before-rotation'), 200);
			assert.equal(reads, 1);

			key = 'square-key-after-rotation';
			mock.timers.tick(RECENT_CREDENTIALS_MS - 1);
			// The kept copy still holds the old key: a notification Square signed just before the rotation is accepted.
			assert.equal(await deliver('square-key-before-rotation'), 200);
			assert.equal(reads, 1);
			mock.timers.tick(1);
			// After the window the credential is read again: the old key is refused, the new one accepted.
			assert.equal(await deliver('square-key-before-rotation'), 401);
			assert.equal(await deliver('square-key-after-rotation'), 200);
			const readsAfterWindow = reads;

			// Within a window, a notification signed with a key newer than the kept copy reads the credential at once.
			key = 'square-key-rotated-again';
			assert.equal(await deliver('square-key-rotated-again'), 200);
			assert.equal(reads, readsAfterWindow + 1);
		} finally {
			mock.timers.reset();
		}
	});

	test('a Square notification signed for another URL is refused', async () => {
		const raw = Buffer.from(JSON.stringify(fixture('square', 'payment-updated-completed.json')));
		const signature = createHmac('sha256', SQUARE_KEY).update('https://other.example.com/hook').update(raw).digest('base64');
		const { context, response } = webhookContext({
			description,
			parameters: squareParameters,
			credentials: squareCredentials(),
			webhookUrl: URL,
			body: raw,
			headers: { 'x-square-hmacsha256-signature': signature },
		});
		assert.deepEqual(await trigger.webhook.call(context), { noWebhookResponse: true });
		assert.equal(response.status, 401);
	});
});
