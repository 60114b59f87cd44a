/**
 * The shop sandbox on its own: stateful, signs what it sends so the project's own verifiers
 * accept it, fails on demand, and checks requests and answers against the vendors' documents
 * when they are present. The connectors are the clients, so these tests are also what the nodes send.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VendorApiError } from '../../connectors/http';
import { createKlaviyoClient } from '../../connectors/klaviyo';
import { createSquareClient, normalizeSquareNotification, verifySquareSignature } from '../../connectors/square';
import { variationCategories } from '../../connectors/square/productCategories';
import { createTwilioClient, TwilioApiError, verifyTwilioSignature } from '../../connectors/twilio';
import { createWooCommerceClient, isWooCommercePing, verifyWooCommerceSignature } from '../../connectors/woocommerce';
import { startShopSandbox, SQUARE_SANDBOX_LOCATION, SANDBOX_TWILIO_ACCOUNT_SID, SANDBOX_TWILIO_AUTH_TOKEN, type ShopSandbox } from '../../sandbox';
import { documentStatus } from '../../sandbox/validation';
import { createFetchHttp } from '../support/http';
import { header, startReceiver, type Receiver } from './receiver';

const http = createFetchHttp({ timeoutMs: 5_000 });
const noRetry = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
const WOO_SECRET = 'sandbox-test-woo-secret';

describe('shop sandbox', () => {
	let sandbox: ShopSandbox;
	let receiver: Receiver;
	const woo = () => createWooCommerceClient(http, { baseUrl: sandbox.baseUrl, consumerKey: 'ck_test', consumerSecret: 'cs_test' });
	const square = () => createSquareClient(http, { accessToken: 'EAAA-test', environment: 'sandbox', baseUrl: sandbox.baseUrl });
	const klaviyo = () => createKlaviyoClient(http, { apiKey: 'pk_test', baseUrl: sandbox.baseUrl, retry: noRetry });
	const twilio = () => createTwilioClient(http, { auth: { kind: 'authToken', accountSid: SANDBOX_TWILIO_ACCOUNT_SID, authToken: SANDBOX_TWILIO_AUTH_TOKEN }, baseUrl: sandbox.baseUrl, retry: noRetry });

	before(async () => {
		sandbox = await startShopSandbox();
		receiver = await startReceiver();
	});
	after(async () => {
		await sandbox?.stop();
		await receiver?.stop();
	});

	test('every answer says it is a stand-in', async () => {
		const response = await fetch(`${sandbox.baseUrl}/v2/locations`, { headers: { authorization: 'Bearer x', 'square-version': '2025-08-20' } });
		assert.equal(response.headers.get('x-sandbox'), 'n8n-nodes-loyalty shop sandbox');
		assert.equal((await fetch(`${sandbox.baseUrl}/v2/locations`)).status, 401, 'no token, no answer');
	});

	test('WooCommerce: a registered webhook gets the unsigned ping, then signed orders the connector verifies; a coupon used by an order moves its usage count', async () => {
		const client = woo();
		const hook = await client.createWebhook({ name: 'test', topic: 'order.created', deliveryUrl: `${receiver.url}/woo`, secret: WOO_SECRET });
		assert.deepEqual((await client.listWebhooks()).map((w) => w.id), [hook.id]);
		await receiver.waitFor('the ping', (all) => all.some((r) => r.path === '/woo'));
		const ping = receiver.received.find((r) => r.path === '/woo')!;
		assert.ok(isWooCommercePing(ping.headers as Record<string, string>, ping.body));

		const product = sandbox.woo.addProduct({ name: 'House beans', sku: 'BEANS', price: '12.50', categories: ['Coffee'] });
		const coupon = await client.createCoupon({ code: 'LOY-TEST1', discountType: 'percent', amount: '10', emailRestrictions: ['ana@example.com'] });
		assert.equal((await client.createCoupon({ code: 'LOY-TEST1', discountType: 'percent', amount: '10' })).id, coupon.id, 'the same code is the same coupon');
		const order = sandbox.woo.createOrder({ status: 'processing', billing: { email: 'ana@example.com', first_name: 'Ana' }, line_items: [{ product_id: Number(product.id), quantity: 2 }], coupon_lines: [{ code: 'LOY-TEST1' }] });
		assert.equal(order.total, '22.50');
		assert.equal(sandbox.woo.couponByCode('LOY-TEST1')!.usage_count, 1);
		assert.throws(() => sandbox.woo.createOrder({ status: 'processing', billing: { email: 'ana@example.com' }, line_items: [{ product_id: Number(product.id) }], coupon_lines: [{ code: 'LOY-TEST1' }] }), /usage limit/);

		await receiver.waitFor('the order delivery', (all) => all.some((r) => header(r, 'x-wc-webhook-topic') === 'order.created'));
		const delivery = receiver.received.find((r) => header(r, 'x-wc-webhook-topic') === 'order.created')!;
		assert.deepEqual(verifyWooCommerceSignature(delivery.body, header(delivery, 'x-wc-webhook-signature'), WOO_SECRET), { valid: true });
		assert.equal(JSON.parse(delivery.body.toString()).id, order.id);
		assert.equal(header(delivery, 'x-wc-webhook-id'), String(hook.id));
		assert.deepEqual((await client.getOrder(Number(order.id))).line_items, order.line_items, 'what was created is what is read back');

		const [sent] = sandbox.woo.deliveries;
		await sandbox.woo.redeliver(sent.deliveryId);
		const copies = receiver.received.filter((r) => header(r, 'x-wc-webhook-delivery-id') === sent.deliveryId);
		assert.equal(copies.length, 2, 'a redelivery is the same delivery');
		assert.deepEqual(await client.listProductCategories([Number(product.id)]), new Map([[Number(product.id), [{ id: 15, name: 'Coffee', slug: 'coffee' }]]]));
		await client.deleteWebhook(hook.id);
		assert.deepEqual(await client.listWebhooks(), []);
	});

	test('WooCommerce: lists page with X-WP-Total; refunds and status changes fire order.updated', async () => {
		for (let i = 0; i < 3; i++) sandbox.woo.createOrder({ status: 'processing', billing: { email: `p${i}@example.com` }, line_items: [{ name: 'Mug', total: '18.00' }] });
		const response = await fetch(`${sandbox.baseUrl}/wp-json/wc/v3/orders?per_page=2&page=2`, { headers: { authorization: `Basic ${Buffer.from('ck_a:cs_b').toString('base64')}` } });
		assert.equal(response.headers.get('x-wp-total'), String(sandbox.woo.orders.size));
		assert.equal(response.headers.get('x-wp-totalpages'), String(Math.ceil(sandbox.woo.orders.size / 2)));
		await woo().createWebhook({ name: 'updates', topic: 'order.updated', deliveryUrl: `${receiver.url}/woo-updated`, secret: WOO_SECRET });
		const order = sandbox.woo.createOrder({ status: 'processing', billing: { email: 'r@example.com' }, line_items: [{ name: 'Grinder', total: '80.00' }] });
		const refund = sandbox.woo.refundOrder(Number(order.id), { amount: '20.00', reason: 'damaged' });
		await receiver.waitFor('the refund update', (all) => all.some((r) => r.path === '/woo-updated' && header(r, 'x-wc-webhook-topic') === 'order.updated' && JSON.parse(r.body.toString()).refunds?.length === 1));
		assert.equal(refund.amount, '20.00');
		sandbox.woo.refundOrder(Number(order.id), { amount: '60.00' });
		assert.equal(sandbox.woo.orders.get(Number(order.id))!.status, 'refunded');
	});

	test('Square: a payment of an order fires signed notifications with distinct event ids, and RetrieveOrder returns that order', async () => {
		const client = square();
		const subscription = await client.createWebhookSubscription({ name: 'test', eventTypes: ['payment.created', 'payment.updated', 'refund.created', 'refund.updated'], notificationUrl: `${receiver.url}/square` });
		assert.ok(subscription.signature_key);
		assert.equal((await client.listWebhookSubscriptions())[0].signature_key, undefined, 'the key is shown once');
		const { variationIds } = sandbox.square.addCatalogItem({ name: 'Latte', category: 'Coffee drinks', variations: [{ price: 450 }] });
		const customer = sandbox.square.createCustomer({ given_name: 'Dev', email_address: 'dev@example.com', birthday: '1990-03-02' });
		const orders = [1, 2].map((n) => sandbox.square.createOrder({ customer_id: String(customer.id), line_items: [{ catalog_object_id: variationIds[0], quantity: String(n) }] }));
		const payments = orders.map((order) => sandbox.square.createPayment({ order_id: String(order.id) }));
		for (const [i, payment] of payments.entries()) {
			const order = await client.retrieveOrder(String(payment.order_id));
			assert.equal(order.id, orders[i].id);
			assert.equal((order.total_money as { amount: number }).amount, 450 * (i + 1));
		}
		assert.equal((await client.retrieveCustomer(String(customer.id))).birthday, '1990-03-02');
		assert.deepEqual(await variationCategories(client, variationIds), new Map([[variationIds[0], 'Coffee drinks']]));
		sandbox.square.refundPayment(String(payments[0].id), 200);
		await receiver.waitFor('6 notifications', (all) => all.filter((r) => r.path === '/square').length === 6);
		const notes = receiver.received.filter((r) => r.path === '/square');
		for (const note of notes) assert.deepEqual(verifySquareSignature(note.body, header(note, 'x-square-hmacsha256-signature'), subscription.signature_key!, `${receiver.url}/square`), { valid: true });
		const bodies = notes.map((n) => JSON.parse(n.body.toString()) as { type: string; event_id: string; data: { object: Record<string, { status: string }> } });
		assert.equal(new Set(bodies.map((b) => b.event_id)).size, 6);
		assert.deepEqual(bodies.map((b) => `${b.type}:${Object.values(b.data.object)[0].status}`).sort(), ['payment.created:APPROVED', 'payment.created:APPROVED', 'payment.updated:COMPLETED', 'payment.updated:COMPLETED', 'refund.created:PENDING', 'refund.updated:COMPLETED']);
	});

	test('Square: a second store, and sales that say where they were made (register, Square Online, pickup)', async () => {
		const client = square();
		const station = sandbox.square.addLocation('Station kiosk');
		assert.deepEqual((await client.listLocations()).map((l) => l.id).sort(), [SQUARE_SANDBOX_LOCATION, station].sort());
		assert.throws(() => sandbox.square.createOrder({ location_id: 'LNOWHERE', line_items: [{ name: 'Tea', base_price_money: { amount: 300, currency: 'USD' } }] }), /Location `LNOWHERE` not found/);
		const buyer = sandbox.square.createCustomer({ given_name: 'Sta', email_address: 'sta@example.com' });
		const sale = (order: Parameters<ShopSandbox['square']['createOrder']>[0], squareProduct?: string) => {
			const made = sandbox.square.createOrder({ customer_id: String(buyer.id), line_items: [{ name: 'Tea', base_price_money: { amount: 300, currency: 'USD' } }], ...order });
			const payment = sandbox.square.createPayment({ order_id: String(made.id), ...(squareProduct ? { square_product: squareProduct } : {}) });
			const notification = { type: 'payment.updated', event_id: `e-${String(payment.id)}`, data: { object: { payment } } };
			const [event] = normalizeSquareNotification(notification, { order: sandbox.square.orders.get(String(made.id)) });
			return [(payment.application_details as { square_product: string }).square_product, event.order?.channel, event.order?.location];
		};
		assert.deepEqual(sale({ location_id: station }), ['SQUARE_POS', 'in_store', station], 'a card dipped at the station’s register');
		assert.deepEqual(sale({}, 'ONLINE_STORE'), ['ONLINE_STORE', 'online', SQUARE_SANDBOX_LOCATION]);
		assert.deepEqual(sale({ fulfillments: [{ type: 'PICKUP' }] }, 'SQUARE_POS'), ['SQUARE_POS', 'online', SQUARE_SANDBOX_LOCATION], 'ordered ahead, picked up');
		const api = await fetch(`${sandbox.baseUrl}/v2/payments`, { method: 'POST', headers: { authorization: 'Bearer x', 'content-type': 'application/json', 'square-version': '2025-08-20' }, body: JSON.stringify({ idempotency_key: 'p-api-1', source_id: 'cnon:card-nonce-ok', amount_money: { amount: 300, currency: 'USD' } }) });
		assert.equal(((await api.json()) as { payment: { application_details: { square_product: string } } }).payment.application_details.square_product, 'ECOMMERCE_API', 'a payment taken over the Payments API');
	});

	test('Square Loyalty: accounts found by customer, points adjusted once per key, rewards taken from the balance', async () => {
		const client = square();
		const customer = sandbox.square.createCustomer({ given_name: 'Lo' });
		const account = sandbox.square.createLoyaltyAccount({ customer_id: String(customer.id), phone_number: '+14155550100' });
		assert.deepEqual(await client.findLoyaltyAccount(String(customer.id)), { id: account.id, balance: 0 });
		for (let i = 0; i < 2; i++) await client.adjustLoyaltyPoints({ loyaltyAccountId: String(account.id), points: 150, reason: 'test', idempotencyKey: 'k-1' });
		await client.accumulateLoyaltyPoints({ loyaltyAccountId: String(account.id), locationId: 'LSANDBOX0000001', idempotencyKey: 'k-2', points: 5 });
		assert.equal((await client.retrieveLoyaltyAccount(String(account.id))).balance, 155);
		await client.createLoyaltyReward({ loyaltyAccountId: String(account.id), rewardTierId: 'sandbox-tier-100', idempotencyKey: 'k-3' });
		assert.equal((await client.retrieveLoyaltyAccount(String(account.id))).balance, 55);
	});

	test('Klaviyo: events and profiles are kept and readable; a repeated unique_id is dropped', async () => {
		const client = klaviyo();
		const { id } = await client.upsertProfile({ email: 'ana@example.com', firstName: 'Ana', properties: { loyalty_points: 40 } });
		assert.equal((await client.upsertProfile({ email: 'ana@example.com', properties: { loyalty_points: 50 } })).id, id);
		for (let i = 0; i < 2; i++) await client.createEvent({ metricName: 'Loyalty Offer', uniqueId: 'd-1', profile: { email: 'ana@example.com' }, properties: { coupon_code: 'LOY-1' } });
		await client.subscribe({ email: 'ana@example.com', channels: { email: true }, consentedAt: '2026-01-01T00:00:00Z' });
		assert.equal(sandbox.klaviyo.events.length, 1);
		assert.equal(sandbox.klaviyo.events[0].metric, 'Loyalty Offer');
		assert.deepEqual((sandbox.klaviyo.profileByEmail('ana@example.com')!.attributes as { properties: unknown }).properties, { loyalty_points: 50 });
		assert.deepEqual(sandbox.klaviyo.consent.map((c) => [c.email, c.channel, c.consent]), [['ana@example.com', 'email', 'SUBSCRIBED']]);
		assert.equal(await client.getAccountId(), 'SbX123');
	});

	test('Twilio: a message gets its signed status callbacks; after an inbound STOP the next message is refused as opted out', async () => {
		const client = twilio();
		const callback = `${receiver.url}/twilio-status?decision=d-9&channel=sms`;
		const message = await client.sendSms({ to: '+14155550123', from: '+15005550006', body: 'hello', statusCallback: callback });
		assert.match(message.sid, /^SM[0-9a-f]{32}$/);
		await receiver.waitFor('delivered callback', (all) => all.some((r) => r.path.startsWith('/twilio-status') && new URLSearchParams(r.body.toString()).get('MessageStatus') === 'delivered'));
		const callbacks = receiver.received.filter((r) => r.path.startsWith('/twilio-status'));
		assert.deepEqual(callbacks.map((c) => new URLSearchParams(c.body.toString()).get('MessageStatus')), ['sent', 'delivered']);
		for (const c of callbacks) assert.deepEqual(verifyTwilioSignature(c.body, header(c, 'x-twilio-signature'), SANDBOX_TWILIO_AUTH_TOKEN, callback), { valid: true });

		const inbound = await sandbox.twilio.sendInbound({ url: `${receiver.url}/twilio-in`, from: '+14155550123', body: 'STOP' });
		assert.equal(inbound.status, 200);
		const received = receiver.received.find((r) => r.path === '/twilio-in')!;
		assert.deepEqual(verifyTwilioSignature(received.body, header(received, 'x-twilio-signature'), SANDBOX_TWILIO_AUTH_TOKEN, `${receiver.url}/twilio-in`), { valid: true });
		await assert.rejects(client.sendSms({ to: '+14155550123', from: '+15005550006', body: 'again' }), (e: unknown) => e instanceof TwilioApiError && e.optedOut);
		const scheduled = await client.sendSms({ to: '+14155550124', messagingServiceSid: 'MG0123456789abcdef0123456789abcdef', body: 'later', sendAt: new Date(Date.now() + 3_600_000).toISOString() });
		assert.equal(scheduled.status, 'scheduled');
	});

	test('faults: the next two Square order reads get 503, then the order; a 429 carries Retry-After; a hang times the client out; injected over HTTP too', async () => {
		const order = sandbox.square.createOrder({ line_items: [{ name: 'Tea', base_price_money: { amount: 300, currency: 'USD' } }] });
		sandbox.faults.inject({ vendor: 'square', path: /orders/, status: 503, times: 2 });
		for (let i = 0; i < 2; i++) await assert.rejects(square().retrieveOrder(String(order.id)), (e: unknown) => e instanceof VendorApiError && e.status === 503 && e.retryable);
		assert.equal((await square().retrieveOrder(String(order.id))).id, order.id);

		const injected = await fetch(`${sandbox.baseUrl}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'klaviyo', path: '/api/events', status: 429, retryAfterSeconds: 7, times: 1 }) });
		assert.equal(injected.status, 201);
		const limited = await fetch(`${sandbox.baseUrl}/api/events`, { method: 'POST', headers: { authorization: 'Klaviyo-API-Key pk', revision: '2026-07-15' }, body: '{}' });
		assert.equal(limited.status, 429);
		assert.equal(limited.headers.get('retry-after'), '7');

		sandbox.faults.inject({ vendor: 'woocommerce', hang: true, times: 1 });
		const started = Date.now();
		await assert.rejects(createWooCommerceClient(createFetchHttp({ timeoutMs: 300 }), { baseUrl: sandbox.baseUrl, consumerKey: 'ck_a', consumerSecret: 'cs_b' }).getOrder(1), (e: unknown) => e instanceof VendorApiError && e.retryable);
		assert.ok(Date.now() - started >= 300);
		sandbox.faults.inject({ vendor: 'woocommerce', delayMs: 200, times: 1 });
		const slowStart = Date.now();
		await woo().listWebhooks();
		assert.ok(Date.now() - slowStart >= 200, 'slowed, then answered');
		assert.equal((await fetch(`${sandbox.baseUrl}/__sandbox/faults`, { method: 'DELETE' })).status, 204);
	});

	const documents = documentStatus();
	test('history: WooCommerce lists orders oldest first after a date; Square searches completed orders by cursor and lists refunds on the order', async () => {
		const first = sandbox.woo.createOrder({ status: 'completed', billing: { email: 'old@example.com' }, line_items: [{ total: '3.00' }], date_paid_gmt: '2020-01-02T00:00:00' });
		const second = sandbox.woo.createOrder({ status: 'completed', billing: { email: 'old@example.com' }, line_items: [{ total: '4.00' }], date_paid_gmt: '2020-01-01T00:00:00' });
		const page = await woo().listOrders({ page: 1, perPage: 2, after: '2019-12-31T23:59:59' });
		assert.deepEqual(page.orders.map((o) => o.id), [second.id, first.id], 'by creation date, ascending');
		assert.deepEqual((await woo().listOrders({ page: 1, after: '2020-01-01T00:00:00' })).orders.map((o) => o.id).slice(0, 1), [first.id], '`after` is exclusive');

		const order = sandbox.square.createOrder({ created_at: '2020-01-01T00:00:00Z', line_items: [{ name: 'Tea', base_price_money: { amount: 300, currency: 'USD' } }] });
		const payment = sandbox.square.createPayment({ order_id: String(order.id) });
		const later = sandbox.square.createOrder({ created_at: '2020-01-01T00:01:00Z', line_items: [{ name: 'Tea', base_price_money: { amount: 300, currency: 'USD' } }] });
		sandbox.square.createPayment({ order_id: String(later.id) });
		sandbox.square.createOrder({ created_at: '2020-01-01T00:02:00Z', line_items: [{ name: 'Open', base_price_money: { amount: 300, currency: 'USD' } }] });
		const refund = sandbox.square.refundPayment(String(payment.id), 100);
		const one = await square().searchOrders({ locationIds: [SQUARE_SANDBOX_LOCATION], limit: 1, createdFrom: '2020-01-01T00:00:00Z' });
		assert.deepEqual(one.orders.map((o) => o.id), [order.id]);
		assert.deepEqual((one.orders[0].refunds as Array<{ id: string; tender_id: string }>).map((r) => [r.id, r.tender_id]), [[refund.id, payment.id]]);
		assert.ok(one.cursor);
		const two = await square().searchOrders({ locationIds: [SQUARE_SANDBOX_LOCATION], limit: 1, createdFrom: '2020-01-01T00:00:00Z', cursor: one.cursor });
		assert.equal(two.orders[0]?.id, later.id, 'the open order is not completed: the search ends here');
		await assert.rejects(square().searchOrders({ locationIds: [] }), /location_ids/);
	});

	test('validation: the connectors broke no vendor document; an invalid request is a recorded violation', { skip: documents.missing.length > 0 ? `vendor documents missing: ${documents.missing.join(', ')}` : false }, async () => {
		assert.equal(sandbox.validating, true);
		sandbox.assertNoViolations();
		const before = sandbox.violations.length;
		const bad = await fetch(`${sandbox.baseUrl}/api/events`, { method: 'POST', headers: { authorization: 'Klaviyo-API-Key pk', revision: '2026-07-15', 'content-type': 'application/vnd.api+json' }, body: JSON.stringify({ data: { type: 'event', attributes: {} } }) });
		assert.equal(bad.status, 400);
		assert.ok(bad.headers.get('x-sandbox-violations'));
		assert.equal(sandbox.violations.length, before + 1);
		assert.equal(sandbox.violations.at(-1)!.direction, 'request');
		assert.throws(() => sandbox.assertNoViolations(), /violation/);
		sandbox.violations.splice(before);
		assert.match(sandbox.validationSummary(), /validated against the vendors' documents/);
	});
});

describe('shop sandbox without the vendor documents', () => {
	test('says once that validation is off, and still works', async () => {
		const saved = process.env.LOYALTY_REFERENCE_DIR;
		process.env.LOYALTY_REFERENCE_DIR = '/nonexistent-loyalty-reference';
		const lines: string[] = [];
		try {
			const first = await startShopSandbox({ log: (line) => lines.push(line) });
			const second = await startShopSandbox({ log: (line) => lines.push(line) });
			assert.equal(first.validating, false);
			const order = first.square.createOrder({ line_items: [{ name: 'Tea', base_price_money: { amount: 300, currency: 'USD' } }] });
			assert.equal((await createSquareClient(http, { accessToken: 't', environment: 'sandbox', baseUrl: first.baseUrl }).retrieveOrder(String(order.id))).id, order.id);
			await first.stop();
			await second.stop();
		} finally {
			if (saved === undefined) delete process.env.LOYALTY_REFERENCE_DIR;
			else process.env.LOYALTY_REFERENCE_DIR = saved;
		}
		const notices = lines.filter((l) => l.startsWith('# NOTICE:'));
		assert.equal(notices.length <= 1, true, lines.join('\n'));
		// Printed once per process: by this test, or earlier by a suite that ran without documents.
		for (const line of notices) console.log(line);
		assert.ok(notices.length === 1 || documentStatus().missing.length > 0);
	});
});
