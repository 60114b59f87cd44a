import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction } from '../../../connectors/http';
import { type SquareClient, createSquareClient } from '../../../connectors/square';
import { alteringHttp, fetchHttp, recordingHttp, withoutHeader } from '../../support/http';
import { type PrismServer, specOrSkip, startPrism } from '../../support/prism';
import { assertVendorError } from './helpers';

/*
 * Every request goes to a Prism mock built from Square's own OpenAPI document, which validates it
 * against Square's schema. Each endpoint also gets one deliberately invalid request that Prism
 * must refuse, which proves validation is live. Endpoints without parameters or a body can only
 * be invalid by their credentials, so theirs leave out the bearer token.
 */
const spec = specOrSkip('square-api.prism.json');

describe('Square client against Prism', { skip: spec.skip }, () => {
	let prism: PrismServer;
	let client: (http?: HttpFunction) => SquareClient;

	before(async () => {
		prism = await startPrism({ spec: spec.path as string });
		client = (http = fetchHttp) => createSquareClient(http, { accessToken: 'EAAAl-prism-test', environment: 'sandbox', baseUrl: prism.baseUrl });
	});
	after(async () => {
		await prism?.stop();
	});

	const withoutToken = withoutHeader(fetchHttp, 'Authorization');
	const alreadyGone = alteringHttp(fetchHttp, (request) => ({ ...request, headers: { ...request.headers, Prefer: 'code=404' } }));

	/** Prism's own 422 lists its violations; the test checks the one it provoked. */
	function violatedLocations(details: unknown): string[] {
		const validation = (details as { validation?: Array<{ location: string[] }> } | undefined)?.validation ?? [];
		return validation.map((v) => v.location.join('.'));
	}

	test('retrieveOrder: valid request returns the order', async () => {
		const order = await client().retrieveOrder('CAISEM82RcpmcFBM0TfOyiHV3es');
		assert.equal(typeof order.id, 'string');
		assert.ok(Array.isArray(order.line_items));
	});

	test('retrieveOrder: a request without credentials is refused', async () => {
		await assertVendorError(client(withoutToken).retrieveOrder('CAISEM82RcpmcFBM0TfOyiHV3es'), { vendor: 'square', status: 401, retryable: false });
	});

	test('batchRetrieveCatalogObjects: valid request returns catalog objects', async () => {
		const answer = await client().batchRetrieveCatalogObjects(['W62UWFY35CWMYGVWK6TWJDNI', 'AA27W3M2GGTF3H6AVPNB77CK'], true);
		assert.ok(Array.isArray(answer.objects));
		assert.ok(answer.objects.every((o) => typeof o.id === 'string'));
	});

	test('batchRetrieveCatalogObjects: a flag of the wrong type is refused', async () => {
		const error = await assertVendorError(client().batchRetrieveCatalogObjects(['W62UWFY35CWMYGVWK6TWJDNI'], 'yes' as unknown as boolean), { vendor: 'square', status: 422, retryable: false });
		assert.deepEqual(violatedLocations(error.details), ['body.include_related_objects']);
	});

	test('retrieveCustomer: valid request returns the customer', async () => {
		const customer = await client().retrieveCustomer('JDKYHBWT1D4F8MFH63DBMEN8Y4');
		assert.equal(typeof customer.id, 'string');
	});

	test('createWebhookSubscription: valid request returns id and signature key, with a deterministic idempotency key', async () => {
		const recorder = recordingHttp(fetchHttp);
		const input = { name: 'Loyalty (n8n)', eventTypes: ['payment.updated', 'refund.updated', 'customer.updated'], notificationUrl: 'https://n8n.example/webhook/7c1e/loyalty' };
		const first = await client(recorder.http).createWebhookSubscription(input);
		await client(recorder.http).createWebhookSubscription(input);
		assert.equal(typeof first.id, 'string');
		assert.equal(typeof first.signature_key, 'string');
		const keys = recorder.calls.map((c) => (c.request.json as { idempotency_key: string }).idempotency_key);
		assert.equal(keys[0], keys[1]);
		assert.deepEqual((recorder.calls[0].request.json as { subscription: unknown }).subscription, {
			name: 'Loyalty (n8n)',
			event_types: input.eventTypes,
			notification_url: input.notificationUrl,
			api_version: '2025-08-20',
		});
	});

	test('createWebhookSubscription: event types of the wrong type are refused', async () => {
		const error = await assertVendorError(
			client().createWebhookSubscription({ name: 'Loyalty', eventTypes: 'payment.updated' as unknown as string[], notificationUrl: 'https://n8n.example/h' }),
			{ vendor: 'square', status: 422, retryable: false },
		);
		assert.deepEqual(violatedLocations(error.details), ['body.subscription.event_types']);
	});

	test('createWebhookSubscription: an idempotency key over 45 characters is refused', async () => {
		const error = await assertVendorError(
			client().createWebhookSubscription({ name: 'Loyalty', eventTypes: ['payment.updated'], notificationUrl: 'https://n8n.example/h', idempotencyKey: 'k'.repeat(46) }),
			{ vendor: 'square', status: 422 },
		);
		assert.deepEqual(violatedLocations(error.details), ['body.idempotency_key']);
	});

	test('listWebhookSubscriptions: valid request returns subscriptions', async () => {
		const subscriptions = await client().listWebhookSubscriptions({ includeDisabled: true, sortOrder: 'DESC', limit: 50 });
		assert.ok(subscriptions.length > 0);
		assert.ok(subscriptions.every((s) => typeof s.id === 'string'));
	});

	test('listWebhookSubscriptions: a non-integer limit is refused', async () => {
		const error = await assertVendorError(client().listWebhookSubscriptions({ limit: 'many' as unknown as number }), { vendor: 'square', status: 422 });
		assert.deepEqual(violatedLocations(error.details), ['query.limit']);
	});

	test('deleteWebhookSubscription: valid request succeeds, and a subscription already gone (404) counts as deleted', async () => {
		await client().deleteWebhookSubscription('wbhk_b35f6b3145074cf9ad513610786c19d5');
		await client(alreadyGone).deleteWebhookSubscription('wbhk_b35f6b3145074cf9ad513610786c19d5');
	});

	test('deleteWebhookSubscription: a request without credentials is refused', async () => {
		await assertVendorError(client(withoutToken).deleteWebhookSubscription('wbhk_b35f6b3145074cf9ad513610786c19d5'), { vendor: 'square', status: 401 });
	});

	test('listLocations: valid request returns locations (the credential test)', async () => {
		const locations = await client().listLocations();
		assert.ok(locations.length > 0);
		assert.equal(typeof locations[0].id, 'string');
	});

	test('listLocations: a request without credentials is refused', async () => {
		await assertVendorError(client(withoutToken).listLocations(), { vendor: 'square', status: 401, message: /access token/ });
	});
});
