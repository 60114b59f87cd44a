import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeHelpers, type IDataObject, type INodeParameters, type INodePropertyOptions, type IWebhookFunctions } from 'n8n-workflow';

import { closeSharedStores, getQuarantined, openSharedStore, replayQuarantined } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { hookContext, webhookContext, type Credentials } from './fakes';

const trigger = new LoyaltyTrigger();
const description = trigger.description;
const URL = 'https://n8n.example.com/webhook/hook-id/webhook';
const SECRET = 'cart-shared-secret-0123456789';
let dir: string;
let store: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-trigger-carts-'));
	store = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

const credentials = (secret = SECRET): Credentials => ({ ...store, loyaltyGenericWebhookApi: { secret } });

interface Delivery {
	parameters: INodeParameters;
	body: Buffer;
	headers?: Record<string, string>;
	query?: IDataObject;
	secret?: string;
	mode?: 'manual' | 'webhook';
}

/** The shared fakes have no query string; CartFlows' token travels in it. */
function deliver({ parameters, body, headers, query = {}, secret, mode }: Delivery) {
	const { context, response } = webhookContext({ description, parameters, credentials: credentials(secret), body, headers, webhookUrl: URL, mode });
	const withQuery = { ...(context as unknown as Record<string, unknown>), getQueryData: () => query } as unknown as IWebhookFunctions;
	return { context: withQuery, response };
}

const sessionToken = (sessionId: string) => encodeURIComponent(Buffer.from(`wcf_session_id=${sessionId}`).toString('base64'));

const cartFlowsBody = (sessionId: string, overrides: Record<string, string> = {}) =>
	Buffer.from(
		new URLSearchParams({
			first_name: 'Ana',
			last_name: 'Silva',
			phone_number: '',
			email: 'ana@example.com',
			checkout_url: `https://shop.example.com/checkout/?wcf_ac_token=${sessionToken(sessionId)}`,
			product_names: 'Sencha 100 g & Tea Bowl',
			coupon_code: '',
			order_status: 'abandoned',
			cart_total: '1,059.50',
			product_table: '<table></table>',
			...overrides,
		}).toString(),
	);

const cartFlowsParameters: INodeParameters = { source: 'cartflows', defaultCurrency: 'EUR' };

describe('Loyalty Trigger webhook: CartFlows (WooCommerce carts)', () => {
	test('a delivery with the right ?token= records the cart and starts one run with the canonical event', async () => {
		const { context } = deliver({ parameters: cartFlowsParameters, body: cartFlowsBody('sess-1'), query: { token: SECRET }, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		const result = await trigger.webhook.call(context);
		const events = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.equal(events.length, 1);
		assert.equal(events[0].type, 'cart_updated');
		assert.equal(events[0].source, 'woocommerce');
		assert.equal(events[0].idempotencyKey, 'woocommerce:cart:sess-1:abandoned');
		assert.deepEqual(
			{ ...(events[0].cart as IDataObject), updatedAt: undefined },
			{
				id: 'sess-1',
				status: 'open',
				currency: 'EUR',
				totalMinor: 105950,
				updatedAt: undefined,
				checkoutUrl: `https://shop.example.com/checkout/?wcf_ac_token=${sessionToken('sess-1')}`,
				lines: [
					{ name: 'Sencha 100 g', quantity: 1 },
					{ name: 'Tea Bowl', quantity: 1 },
				],
			},
		);
	});

	test('the same cart reported again is a duplicate; its recovery is new', async () => {
		const again = await trigger.webhook.call(deliver({ parameters: cartFlowsParameters, body: cartFlowsBody('sess-1'), query: { token: SECRET } }).context);
		assert.equal((again.webhookResponse as IDataObject).duplicate, true);
		const recovered = await trigger.webhook.call(deliver({ parameters: cartFlowsParameters, body: cartFlowsBody('sess-1', { order_status: 'completed' }), query: { token: SECRET } }).context);
		assert.equal((recovered.workflowData?.[0][0].json.cart as IDataObject).status, 'recovered');
	});

	test('a wrong or missing token is answered 401 and nothing is recorded', async () => {
		for (const query of [{ token: 'not-the-secret-at-all' }, {}]) {
			const { context, response } = deliver({ parameters: cartFlowsParameters, body: cartFlowsBody('sess-2'), query });
			assert.deepEqual(await trigger.webhook.call(context), { noWebhookResponse: true });
			assert.equal(response.status, 401);
			assert.match(String((response.body as IDataObject).reason), /token/);
		}
		// Not recorded: the same cart with the right token still starts a run.
		const retry = await trigger.webhook.call(deliver({ parameters: cartFlowsParameters, body: cartFlowsBody('sess-2'), query: { token: SECRET } }).context);
		assert.equal(retry.workflowData?.[0].length, 1);
	});

	test('without a shared secret on the credential every delivery is refused', async () => {
		const { context, response } = deliver({ parameters: cartFlowsParameters, body: cartFlowsBody('sess-3'), query: { token: '' }, secret: '' });
		await trigger.webhook.call(context);
		assert.equal(response.status, 401);
	});

	test('a cart without currency and no Default Currency is quarantined naming currency; set the currency and a replay records it, once', async () => {
		const { context } = deliver({ parameters: { source: 'cartflows' }, body: cartFlowsBody('sess-4'), query: { token: SECRET } });
		const reply = (await trigger.webhook.call(context)).webhookResponse as IDataObject;
		assert.equal(reply.quarantined, true);
		assert.equal(reply.field, 'currency');
		// The owner sets Default Currency on the node, then replays: the same bytes take the same path again.
		const kept = await openSharedStore({ kind: 'sqlite', path: String(store.loyaltyStoreApi!.sqlitePath) });
		const post = async (request: { url: string; headers: Record<string, string>; body: Buffer }) => {
			const replay = deliver({ parameters: { source: 'cartflows', defaultCurrency: 'EUR' }, body: request.body, headers: request.headers, query: { token: SECRET }, mode: 'webhook' });
			const result = await trigger.webhook.call(replay.context);
			return { status: replay.response.status ?? 200, body: JSON.stringify(result.webhookResponse ?? replay.response.body) };
		};
		const first = await replayQuarantined(kept, String(reply.id), post);
		assert.deepEqual([first.outcome, first.new], ['replayed', 1]);
		assert.equal((await getQuarantined(kept, String(reply.id))).status, 'replayed');
		assert.deepEqual((await replayQuarantined(kept, String(reply.id), post)).outcome, 'not_quarantined', 'a second replay changes nothing');
	});

	test('the plugin\'s "Trigger Sample" button is acknowledged without a run', async () => {
		const sample = Buffer.from(
			new URLSearchParams({
				first_name: 'Admin',
				email: 'admin@shop.example.com',
				order_status: 'abandoned',
				checkout_url: 'https://shop.example.com/checkout/?wcf_ac_token=something',
				coupon_code: 'abcgefgh',
				product_names: 'Product1, Product2 & Product3',
				cart_total: '£20',
			}).toString(),
		);
		const { context, response } = deliver({ parameters: cartFlowsParameters, body: sample, query: { token: SECRET } });
		const result = await trigger.webhook.call(context);
		assert.equal(result.workflowData, undefined);
		assert.equal(response.status, undefined);
		assert.match(String((result.webhookResponse as IDataObject).ignored), /Trigger Sample/);
	});
});

const klaviyoParameters: INodeParameters = { source: 'klaviyo', defaultCurrency: 'USD' };
const startedCheckout = (eventId: string, overrides: IDataObject = {}) =>
	Buffer.from(
		JSON.stringify({
			event_id: eventId,
			cart_id: 'rebuild-1',
			email: 'dora@example.com',
			phone: '',
			first_name: 'Dora',
			last_name: '',
			value: '84.50',
			currency: '',
			checkout_url: 'https://shop.example.com/cart?wck_rebuild_cart=rebuild-1',
			item_names: 'Cold Brew Kit',
			...overrides,
		}),
	);

describe('Loyalty Trigger webhook: Klaviyo Started Checkout', () => {
	test('a delivery with the right header starts one run with the cart; a retry is a duplicate', async () => {
		const headers = { 'content-type': 'application/json', 'x-loyalty-token': SECRET };
		const result = await trigger.webhook.call(deliver({ parameters: klaviyoParameters, body: startedCheckout('evt-1'), headers }).context);
		const [event] = result.workflowData?.[0].map((item) => item.json) ?? [];
		assert.equal(event.source, 'klaviyo');
		assert.equal(event.idempotencyKey, 'klaviyo:cart:rebuild-1:evt-1');
		assert.equal((event.cart as IDataObject).currency, 'USD');
		assert.equal((event.cart as IDataObject).totalMinor, 8450);
		const retry = await trigger.webhook.call(deliver({ parameters: klaviyoParameters, body: startedCheckout('evt-1'), headers }).context);
		assert.equal((retry.webhookResponse as IDataObject).duplicate, true);
	});

	test('a wrong or missing header is answered 401; the secret in the query does not count', async () => {
		const deliveries: Array<Pick<Delivery, 'headers' | 'query'>> = [{ headers: { 'x-loyalty-token': 'wrong-secret-0123456789' } }, { headers: {} }, { headers: {}, query: { token: SECRET } }];
		for (const delivery of deliveries) {
			const { context, response } = deliver({ parameters: klaviyoParameters, body: startedCheckout('evt-2'), ...delivery });
			assert.deepEqual(await trigger.webhook.call(context), { noWebhookResponse: true });
			assert.equal(response.status, 401);
		}
	});

	test('a body that is not JSON, or lacks email and phone, is quarantined naming the field', async () => {
		const headers = { 'x-loyalty-token': SECRET };
		const notJson = deliver({ parameters: klaviyoParameters, body: Buffer.from('event_id=1'), headers });
		const notJsonReply = (await trigger.webhook.call(notJson.context)).webhookResponse as IDataObject;
		assert.equal(notJsonReply.quarantined, true);
		assert.equal(notJsonReply.field, 'body');
		const anonymous = deliver({ parameters: klaviyoParameters, body: startedCheckout('evt-3', { email: '' }), headers });
		const anonymousReply = (await trigger.webhook.call(anonymous.context)).webhookResponse as IDataObject;
		assert.equal(anonymousReply.quarantined, true);
		assert.equal(anonymousReply.field, 'email');
	});
});

describe('Loyalty Trigger description and lifecycle for cart sources', () => {
	const property = (name: string) => description.properties.find((p) => p.name === name);

	test('both sources are offered under names a shop owner recognises, with the shared-secret credential', () => {
		const options = property('source')?.options as INodePropertyOptions[];
		assert.deepEqual(
			options.filter((o) => o.value === 'cartflows' || o.value === 'klaviyo').map((o) => [o.value, o.name]),
			[
				['klaviyo', 'Klaviyo Flows (Started Checkout, Viewed Product)'],
				['cartflows', 'WooCommerce Carts (CartFlows Abandonment Plugin)'],
			],
		);
		const credential = description.credentials?.find((c) => c.name === 'loyaltyGenericWebhookApi');
		const shownFor = ['generic', 'cartflows', 'klaviyo', 'square', 'twilio', 'woocommerce'].filter((source) => NodeHelpers.displayParameter({ source }, credential!, null, description));
		assert.deepEqual(shownFor, ['generic', 'cartflows', 'klaviyo']);
		assert.deepEqual(property('defaultCurrency')?.displayOptions?.show?.source, ['cartflows', 'klaviyo', 'woocommerce']);
	});

	test('each notice says what to paste where', () => {
		assert.match(property('cartFlowsNotice')?.displayName ?? '', /\?token=.*Shared Secret/);
		const klaviyoNotice = property('klaviyoNotice')?.displayName ?? '';
		assert.match(klaviyoNotice, /X-Loyalty-Token/);
		assert.match(klaviyoNotice, /"event_id": "\{\{ event\|lookup:'\$event_id' \}\}"/);
	});

	test('nothing is registered remotely: checkExists, create and delete succeed without requests', async () => {
		for (const source of ['cartflows', 'klaviyo']) {
			const { context, recorded } = hookContext({ description, parameters: { source }, credentials: credentials(), webhookUrl: URL });
			assert.equal(await trigger.webhookMethods.default.checkExists.call(context), true);
			assert.equal(await trigger.webhookMethods.default.create.call(context), true);
			assert.equal(await trigger.webhookMethods.default.delete.call(context), true);
			assert.equal(recorded.requests.length, 0);
		}
	});
});
