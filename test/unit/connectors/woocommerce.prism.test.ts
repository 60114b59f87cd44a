import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction } from '../../../connectors/http';
import { type WooCommerceClient, createWooCommerceClient } from '../../../connectors/woocommerce';
import { alteringHttp, fetchHttp, recordingHttp, withoutHeader } from '../../support/http';
import { type PrismServer, prefixSpecPaths, specOrSkip, startPrism } from '../../support/prism';
import { assertVendorError } from './helpers';

/*
 * Every request goes to a Prism mock built from the (unofficial) WooCommerce REST v3 document.
 * Prism ignores the base path in `servers`, so the spec is served from a temp copy whose paths
 * carry the real /wp-json/wc/v3 prefix; the client then runs with its production URL layout.
 * Each endpoint also gets one deliberately invalid request that Prism must refuse (400, with the
 * violation in the `sl-violations` header), which proves validation is live.
 */
const spec = specOrSkip('woocommerce-openapi-unofficial.yml');

describe('WooCommerce client against Prism', { skip: spec.skip }, () => {
	let prism: PrismServer;
	let cleanup: () => Promise<void> = async () => {};
	let client: (http?: HttpFunction) => WooCommerceClient;

	before(async () => {
		const served = await prefixSpecPaths(spec.path as string, '/wp-json/wc/v3');
		cleanup = served.cleanup;
		prism = await startPrism({ spec: served.path });
		client = (http = fetchHttp) => createWooCommerceClient(http, { baseUrl: prism.baseUrl, consumerKey: 'ck_prism', consumerSecret: 'cs_prism' });
	});
	after(async () => {
		await prism?.stop();
		await cleanup();
	});

	/** Runs a request that must be refused and returns the violated locations Prism reported. */
	async function refused(run: (c: WooCommerceClient) => Promise<unknown>): Promise<string[]> {
		const recorder = recordingHttp(fetchHttp);
		await assertVendorError(run(client(recorder.http)), { vendor: 'woocommerce', status: 400, retryable: false, message: /WooCommerce answered HTTP 400/ });
		const header = recorder.calls.at(-1)?.response.headers['sl-violations'];
		assert.ok(header, 'Prism names the violation');
		return (JSON.parse(header) as Array<{ location: string[] }>).map((v) => v.location.join('.'));
	}

	test('listWebhooks: valid request returns webhooks', async () => {
		const recorder = recordingHttp(fetchHttp);
		const webhooks = await client(recorder.http).listWebhooks({ status: 'active' });
		assert.ok(webhooks.length > 0);
		assert.equal(typeof webhooks[0].id, 'number');
		assert.match(recorder.calls[0].request.url, /\/wp-json\/wc\/v3\/webhooks$/);
	});

	test('listWebhooks: an unknown status is refused', async () => {
		assert.deepEqual(await refused((c) => c.listWebhooks({ status: 'everything' as 'all' })), ['request.query.status']);
	});

	test('createWebhook: valid request returns the webhook', async () => {
		const webhook = await client().createWebhook({ name: 'Loyalty: order.updated', topic: 'order.updated', deliveryUrl: 'https://n8n.example/webhook/91d2/loyalty', secret: 'wc-secret' });
		assert.equal(typeof webhook.id, 'number');
	});

	test('createWebhook: a name of the wrong type is refused', async () => {
		assert.deepEqual(
			await refused((c) => c.createWebhook({ name: 42 as unknown as string, topic: 'order.updated', deliveryUrl: 'https://n8n.example/h', secret: 's' })),
			['request.body.name'],
		);
	});

	test('deleteWebhook: valid request succeeds, and a webhook already gone (404) counts as deleted', async () => {
		await client().deleteWebhook(17);
		const alreadyGone = alteringHttp(fetchHttp, (request) => ({ ...request, headers: { ...request.headers, Prefer: 'code=404' } }));
		await client(alreadyGone).deleteWebhook(17);
	});

	test('deleteWebhook: a non-numeric id is refused', async () => {
		assert.deepEqual(await refused((c) => c.deleteWebhook('seventeen' as unknown as number)), ['request.path.id']);
	});

	test('getOrder: valid request returns the order', async () => {
		const order = await client().getOrder(5127);
		assert.equal(typeof order.id, 'number');
		assert.ok(Array.isArray(order.line_items));
	});

	test('getOrder: a non-numeric id is refused', async () => {
		assert.deepEqual(await refused((c) => c.getOrder('5127abc' as unknown as number)), ['request.path.id']);
	});

	test('testCredentials: succeeds with credentials, and a request without them is refused', async () => {
		await client().testCredentials();
		await assertVendorError(client(withoutHeader(fetchHttp, 'Authorization')).testCredentials(), { vendor: 'woocommerce', status: 401, message: /consumer key and secret/ });
	});
});
