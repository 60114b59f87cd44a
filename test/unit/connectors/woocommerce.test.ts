import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SignatureRejection } from '../../../connectors/shared/hmac';
import {
	createWooCommerceClient,
	isWooCommercePing,
	normalizeWooCommerceDelivery,
	readWooCommerceHeaders,
	verifyWooCommerceSignature,
} from '../../../connectors/woocommerce';
import { LoyaltyError } from '../../../engine/model';
import { assertLoyaltyError, assertVendorError, cannedHttp, decimalAmount, fixture, hmac, mutateChar } from './helpers';

const SECRET = 'wc-webhook-secret-9f2c';

describe('WooCommerce webhook signature', () => {
	const body = Buffer.from(JSON.stringify(fixture('woocommerce', 'order-processing.json')));
	const signature = hmac(SECRET, body).toString('base64');

	test('a delivery signed with the secret verifies', () => {
		assert.deepEqual(verifyWooCommerceSignature(body, signature, SECRET), { valid: true });
		assert.deepEqual(verifyWooCommerceSignature(body, ` ${signature} `, SECRET), { valid: true }, 'surrounding whitespace is not part of the value');
	});

	test('rejects when no secret is configured', () => {
		assert.deepEqual(verifyWooCommerceSignature(body, signature, ''), { valid: false, reason: SignatureRejection.MissingSecret });
	});

	test('rejects when the signature header is missing', () => {
		for (const header of [undefined, '', '   ']) {
			const check = verifyWooCommerceSignature(body, header, SECRET);
			assert.equal(check.valid, false);
			assert.match(!check.valid ? check.reason : '', /missing.*X-WC-Webhook-Signature/);
		}
	});

	test('rejects a malformed signature header', () => {
		for (const header of ['not base64!', hmac(SECRET, body).toString('hex'), Buffer.alloc(20).toString('base64'), signature.replace(/=$/, '')]) {
			const check = verifyWooCommerceSignature(body, header, SECRET);
			assert.equal(check.valid, false, header);
			assert.match(!check.valid ? check.reason : '', /not in the expected format/);
		}
	});

	test('rejects a well-formed signature that does not match', () => {
		const other = hmac('another-secret', body).toString('base64');
		assert.deepEqual(verifyWooCommerceSignature(body, other, SECRET), { valid: false, reason: SignatureRejection.Mismatch });
	});

	test('property: a correct signature verifies; any single-byte change to body or signature fails', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 1, maxLength: 2048 }),
				fc.string({ minLength: 1, maxLength: 64 }),
				fc.nat(),
				fc.integer({ min: 1, max: 255 }),
				(bytes, secret, at, delta) => {
					const raw = Buffer.from(bytes);
					const header = hmac(secret, raw).toString('base64');
					assert.equal(verifyWooCommerceSignature(raw, header, secret).valid, true);

					const changedBody = Buffer.from(raw);
					changedBody[at % raw.length] = (changedBody[at % raw.length] + delta) % 256;
					assert.equal(verifyWooCommerceSignature(changedBody, header, secret).valid, false);

					const changedHeader = mutateChar(header, at % header.length, delta % 94 || 1);
					assert.equal(verifyWooCommerceSignature(raw, changedHeader, secret).valid, false, changedHeader);
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('WooCommerce creation ping', () => {
	test('the unsigned form-encoded webhook_id body without a topic is a ping', () => {
		assert.equal(isWooCommercePing({ 'content-type': 'application/x-www-form-urlencoded', 'x-wc-webhook-id': '42' }, Buffer.from('webhook_id=42')), true);
		assert.equal(isWooCommercePing({}, Buffer.from('webhook_id=7\n')), true);
	});

	test('a real delivery is not a ping', () => {
		const headers = { 'X-WC-Webhook-Topic': 'order.created' };
		assert.equal(isWooCommercePing(headers, Buffer.from('webhook_id=42')), false, 'has a topic');
		assert.equal(isWooCommercePing({}, Buffer.from('{"id":5127}')), false, 'JSON body');
		assert.equal(isWooCommercePing({}, Buffer.from('webhook_id=abc')), false, 'id is not a number');
		assert.equal(isWooCommercePing({}, Buffer.from('webhook_id=42&topic=x')), false, 'more fields');
		assert.equal(isWooCommercePing({}, Buffer.alloc(0)), false, 'empty body');
	});

	test('delivery headers are read case-insensitively', () => {
		const headers = readWooCommerceHeaders({ 'x-wc-webhook-topic': 'order.updated', 'X-WC-WEBHOOK-DELIVERY-ID': ['d1', 'd2'], 'x-wc-webhook-signature': 'abc' });
		assert.deepEqual(headers, { topic: 'order.updated', deliveryId: 'd1', signature: 'abc', webhookId: undefined, source: undefined });
	});
});

describe('WooCommerce normalizer', () => {
	const order = (name: string) => fixture('woocommerce', name);

	test('a processing order is a purchase keyed on the paid order', () => {
		const events = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: '8a1c2f', payload: order('order-processing.json') });
		assert.equal(events.length, 1);
		const [event] = events;
		assert.equal(event.id, 'woocommerce:8a1c2f');
		assert.equal(event.type, 'purchase');
		assert.equal(event.source, 'woocommerce');
		assert.equal(event.idempotencyKey, 'woocommerce:order:5127:paid');
		assert.equal(event.occurredAt, '2026-03-02T10:15:40Z');
		assert.deepEqual(event.customer, {
			identities: { email: 'lena.vogt@example.org', phone: '+493415550198', woocommerce: '311' },
			firstName: 'Lena',
			lastName: 'Vogt',
		});
		assert.deepEqual(event.order, {
			source: 'woocommerce',
			id: '5127',
			status: 'paid',
			placedAt: '2026-03-02T10:15:40Z',
			currency: 'EUR',
			totalMinor: 3850,
			discountMinor: 420,
			couponCodes: ['welcome10'],
			channel: 'online',
			lines: [
				{ sku: 'COF-GUJI-250', productId: '204', name: 'Ethiopia Guji, 250 g', quantity: 2, unitPriceMinor: 1290, totalMinor: 2160 },
				{ productId: '219', name: 'Paper filters #4 (100)', quantity: 3, unitPriceMinor: 400, totalMinor: 1200 },
				{ name: 'Sample sachet', quantity: 1, unitPriceMinor: 0, totalMinor: 0 },
			],
			customer: event.customer,
			// Only ever compared, hashed, to spot a self-referral (engine/referral).
			shippingAddress: 'Gartenstraße 14, 04109, Leipzig, DE',
		});
		assert.equal(event.order?.lines[0].category, undefined, 'category is not in the webhook payload');
	});

	test('processing and completed deliveries of one order share the idempotency key', () => {
		const processing = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'a', payload: order('order-processing.json') });
		const completed = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: 'b', payload: { ...order('order-processing.json'), status: 'completed' } });
		assert.equal(processing[0].idempotencyKey, completed[0].idempotencyKey);
		assert.notEqual(processing[0].id, completed[0].id);
	});

	test('a completed order with a partial refund yields the purchase and the refund', () => {
		const events = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: '77', payload: order('order-completed-partial-refund.json') });
		assert.deepEqual(
			events.map((e) => [e.id, e.type, e.idempotencyKey]),
			[
				['woocommerce:77:paid', 'purchase', 'woocommerce:order:5127:paid'],
				['woocommerce:77:refund:5190', 'refund', 'woocommerce:refund:5190'],
			],
		);
		assert.deepEqual(events[1].refund, {
			source: 'woocommerce',
			id: '5190',
			orderId: '5127',
			amountMinor: 1080,
			currency: 'EUR',
			createdAt: '2026-03-06T15:02:12Z',
			reason: 'Bag arrived torn',
		});
		assert.equal(events[1].occurredAt, '2026-03-06T15:02:12Z');
		assert.equal(events[1].customer.identities.email, 'lena.vogt@example.org');
	});

	test('a refunded order still emits each of its refunds, and no purchase', () => {
		const events = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: '78', payload: order('order-refunded.json') });
		assert.deepEqual(
			events.map((e) => [e.type, e.refund?.id, e.refund?.amountMinor, e.refund?.reason]),
			[
				['refund', '5190', 1080, 'Bag arrived torn'],
				['refund', '5214', 2770, undefined],
			],
		);
	});

	test('on-hold is a pending order update; a local phone number is dropped and a guest has no WooCommerce id', () => {
		const [event, ...rest] = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'oh', payload: order('order-on-hold-guest.json') });
		assert.equal(rest.length, 0);
		assert.equal(event.type, 'order_updated');
		assert.equal(event.order?.status, 'pending');
		assert.equal(event.idempotencyKey, 'woocommerce:order:5133:pending');
		assert.equal(event.order?.placedAt, '2026-03-04T18:02:55Z', 'unpaid: placedAt falls back to date_created_gmt');
		assert.equal(event.occurredAt, '2026-03-04T18:02:57Z');
		assert.deepEqual(event.customer.identities, { email: 'jonas.brandt@example.net' });
	});

	test('pending, cancelled and failed map to order updates with the canonical status', () => {
		for (const [status, expected] of [['pending', 'pending'], ['cancelled', 'cancelled'], ['failed', 'failed']] as const) {
			const [event] = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: status, payload: { ...order('order-on-hold-guest.json'), status } });
			assert.equal(event.type, 'order_updated');
			assert.equal(event.order?.status, expected);
			assert.equal(event.idempotencyKey, `woocommerce:order:5133:${expected}`);
		}
	});

	test('statuses that say nothing about money yield nothing', () => {
		for (const status of ['checkout-draft', 'trash']) {
			assert.deepEqual(normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: 'x', payload: { ...order('order-processing.json'), status } }), []);
		}
	});

	test('a customer update carries the profile and its identities', () => {
		const [event] = normalizeWooCommerceDelivery({ topic: 'customer.updated', deliveryId: 'c1', payload: fixture('woocommerce', 'customer-updated.json') });
		assert.deepEqual(event, {
			id: 'woocommerce:c1',
			type: 'customer_updated',
			source: 'woocommerce',
			occurredAt: '2026-03-07T11:03:44Z',
			idempotencyKey: 'woocommerce:customer:311:2026-03-07T11:03:44Z',
			customer: { identities: { email: 'lena.vogt@example.org', phone: '+493415550198', woocommerce: '311' }, firstName: 'Lena', lastName: 'Vogt' },
		});
	});

	test('an order is online, unless a point-of-sale app rang it up (created_via)', () => {
		const channelOf = (createdVia: unknown) => normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'v', payload: { ...order('order-processing.json'), created_via: createdVia } })[0].order?.channel;
		for (const via of ['checkout', 'store-api', 'admin', 'rest-api', 'subscription', 'position-import', undefined, null, 7]) assert.equal(channelOf(via), 'online', String(via));
		for (const via of ['pos-rest-api', 'woocommerce-pos', 'POS', 'square_pos']) assert.equal(channelOf(via), 'in_store', String(via));
		assert.equal(normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'v', payload: order('order-processing.json') })[0].order?.location, undefined, 'a web shop has no store location');
	});

	describe('birthdays from meta data (a plugin keeps them; WooCommerce has none)', () => {
		const customer = (meta: Array<{ key: string; value: unknown }>) => ({ ...(fixture('woocommerce', 'customer-updated.json') as Record<string, unknown>), meta_data: meta.map((m, i) => ({ id: i + 1, ...m })) });
		const birthdayOf = (meta: Array<{ key: string; value: unknown }>, keys?: string[]) => {
			const [event] = normalizeWooCommerceDelivery({ topic: 'customer.updated', deliveryId: 'b', payload: customer(meta) }, keys ? { birthdayMetaKeys: keys } : {});
			return { birthday: event.customer.birthday, warnings: event.warnings };
		};

		test("the common plugins' keys are read without any setting, in their formats", () => {
			assert.deepEqual(birthdayOf([{ key: 'yith_birthday', value: '1990-12-02' }]).birthday, { month: 12, day: 2, year: 1990 });
			assert.deepEqual(birthdayOf([{ key: '_automatewoo_birthday_md', value: '07-19' }]).birthday, { month: 7, day: 19 });
			assert.deepEqual(birthdayOf([{ key: 'billing_birth_date', value: '1985-02-28 00:00:00' }]).birthday, { month: 2, day: 28, year: 1985 });
			assert.deepEqual(birthdayOf([{ key: 'birthday', value: '0000-03-15' }]).birthday, { month: 3, day: 15 }, 'year 0000: not known');
			assert.deepEqual(birthdayOf([{ key: 'birthday', value: '--03-15' }]).birthday, { month: 3, day: 15 });
			assert.deepEqual(birthdayOf([{ key: 'favourite_colour', value: '1990-12-02' }]), { birthday: undefined, warnings: undefined }, 'another key says nothing');
		});

		test('the setting names the keys, in order; the first one holding a date wins', () => {
			const meta = [
				{ key: 'dob', value: '1970-01-05' },
				{ key: 'birthday', value: '1990-12-02' },
			];
			assert.deepEqual(birthdayOf(meta, ['dob']).birthday, { month: 1, day: 5, year: 1970 });
			assert.deepEqual(birthdayOf(meta, ['nothing_here', 'birthday', 'dob']).birthday, { month: 12, day: 2, year: 1990 });
			assert.deepEqual(birthdayOf(meta, []).birthday, undefined, 'no keys: no birthdays read');
		});

		test('a value that is not a date is left out with a warning naming its key; the next key is tried and the customer still recorded', () => {
			for (const value of ['02/12/1990', 'soon', '1990-02-30', '13-01', 19901202]) {
				const { birthday, warnings } = birthdayOf([{ key: 'birthday', value }]);
				assert.equal(birthday, undefined, String(value));
				assert.match(warnings?.[0] ?? '', /^meta_data\[birthday\]: ".*" is not a birthday/, String(value));
			}
			assert.deepEqual(birthdayOf([{ key: 'birthday', value: 'soon' }, { key: 'yith_birthday', value: '1990-12-02' }]).birthday, { month: 12, day: 2, year: 1990 });
		});

		test("an order's meta data gives its customer the birthday a checkout field saved", () => {
			const payload = { ...order('order-processing.json'), meta_data: [{ id: 9, key: 'billing_birth_date', value: '1992-06-30' }] };
			const [event] = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'o', payload });
			assert.deepEqual(event.customer.birthday, { month: 6, day: 30, year: 1992 });
			assert.deepEqual(event.order?.customer.birthday, { month: 6, day: 30, year: 1992 });
		});
	});

	test('topics the package does not handle yield nothing', () => {
		assert.deepEqual(normalizeWooCommerceDelivery({ topic: 'product.updated', deliveryId: 'p', payload: { id: 1 } }), []);
	});

	test('the normalizer is pure: same input, same output, input untouched', () => {
		const payload = order('order-completed-partial-refund.json');
		const before = structuredClone(payload);
		const first = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: 'p1', payload });
		const second = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: 'p1', payload });
		assert.deepEqual(first, second);
		assert.deepEqual(payload, before);
	});

	test('malformed payloads throw a LoyaltyError naming the field', () => {
		const base = order('order-processing.json');
		const lines = base.line_items as Array<Record<string, unknown>>;
		const cases: Array<[unknown, string, string?]> = [
			[{ ...base, line_items: [{ ...lines[0], total: 'twelve' }] }, 'line_items.0.total'],
			[{ ...base, total: '38.505' }, 'total'],
			[{ ...base, currency: 'XYZ' }, 'currency'],
			[{ ...base, refunds: [{ id: 9, total: 'abc' }] }, 'refunds.0.total'],
			[{ ...base, line_items: [{ ...lines[0], quantity: 0 }] }, 'event.order.lines.0.quantity'],
			[{ ...base, customer_id: 0, billing: { ...(base.billing as object), email: '', phone: '' } }, 'event.customer.identities'],
			[{ ...base, date_paid_gmt: null, date_created_gmt: null }, 'event.occurredAt'],
			[{ ...base, line_items: 'none' }, 'line_items'],
			['not an object', 'payload'],
		];
		for (const [payload, field] of cases) {
			assertLoyaltyError(() => normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'bad', payload }), field);
		}
		assertLoyaltyError(() => normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: undefined, payload: base }), 'deliveryId');
		assertLoyaltyError(() => normalizeWooCommerceDelivery({ topic: undefined, deliveryId: 'd', payload: base }), 'topic');
	});

	test('property: decimal amounts become exact minor units (2- and 3-decimal and whole-unit currencies)', () => {
		for (const [currency, exponent] of [['EUR', 2], ['KWD', 3], ['JPY', 0]] as const) {
			fc.assert(
				fc.property(decimalAmount(exponent), decimalAmount(exponent, { min: 1 }), (total, refund) => {
					const payload = {
						...order('order-processing.json'),
						currency,
						total: total.text,
						discount_total: '0',
						coupon_lines: [],
						line_items: [{ id: 1, name: 'Beans', product_id: 204, quantity: 1, subtotal: total.text, total: total.text, sku: 'B' }],
						refunds: [{ id: 31, reason: '', total: `-${refund.text}` }],
					};
					const [purchase, refundEvent] = normalizeWooCommerceDelivery({ topic: 'order.updated', deliveryId: 'd', payload });
					assert.equal(purchase.order?.totalMinor, total.minor);
					assert.equal(purchase.order?.lines[0].totalMinor, total.minor);
					assert.equal(purchase.order?.lines[0].unitPriceMinor, total.minor);
					assert.equal(refundEvent.refund?.amountMinor, refund.minor);
				}),
				{ numRuns: 200 },
			);
		}
		// The classic float traps, spelled out.
		const [event] = normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'f', payload: { ...order('order-processing.json'), total: '0.29', discount_total: '19.99' } });
		assert.equal(event.order?.totalMinor, 29);
		assert.equal(event.order?.discountMinor, 1999);
	});
});

describe('WooCommerce client (canned replies: error bodies and paging headers)', () => {
	const options = { baseUrl: 'https://shop.example/', consumerKey: 'ck_1f2e', consumerSecret: 'cs_9a8b' };

	test('sends Basic auth to /wp-json/wc/v3 and tolerates a pasted API suffix', async () => {
		const { http, requests } = cannedHttp({ body: { id: 5127, status: 'processing' } }, { body: { id: 5127 } });
		await createWooCommerceClient(http, options).getOrder(5127);
		await createWooCommerceClient(http, { ...options, baseUrl: 'https://shop.example/wp-json/wc/v3/' }).getOrder(5127);
		assert.equal(requests[0].url, 'https://shop.example/wp-json/wc/v3/orders/5127');
		assert.equal(requests[1].url, 'https://shop.example/wp-json/wc/v3/orders/5127');
		assert.equal(requests[0].headers?.Authorization, `Basic ${Buffer.from('ck_1f2e:cs_9a8b').toString('base64')}`);
	});

	test('lists every page of webhooks', async () => {
		const page = (ids: number[]) => ids.map((id) => ({ id, topic: 'order.updated' }));
		const { http, requests } = cannedHttp(
			{ headers: { 'X-WP-TotalPages': '2' }, body: page([1, 2]) },
			{ headers: { 'X-WP-TotalPages': '2' }, body: page([3]) },
		);
		const webhooks = await createWooCommerceClient(http, options).listWebhooks({ perPage: 2 });
		assert.deepEqual(webhooks.map((w) => w.id), [1, 2, 3]);
		assert.deepEqual(requests.map((r) => r.query?.page), [1, 2]);
	});

	test('a vendor error becomes a VendorApiError with a plain message', async () => {
		const { http } = cannedHttp({ status: 404, body: fixture('woocommerce', 'error-invalid-id.json') });
		await assertVendorError(createWooCommerceClient(http, options).getOrder(999), {
			vendor: 'woocommerce',
			status: 404,
			retryable: false,
			message: /^WooCommerce: Invalid ID\. \(woocommerce_rest_shop_order_invalid_id\)$/,
		});
	});

	test('401 says which credential to check', async () => {
		const { http } = cannedHttp({ status: 401, body: fixture('woocommerce', 'error-unauthorized.json') });
		await assertVendorError(createWooCommerceClient(http, options).testCredentials(), { vendor: 'woocommerce', status: 401, message: /consumer key and secret/ });
	});

	test('429 and 5xx are retryable; an unreachable shop is retryable', async () => {
		const { http } = cannedHttp({ status: 503, body: '<html>Service Unavailable</html>' }, { status: 429, body: undefined }, new Error('ECONNREFUSED'));
		const client = createWooCommerceClient(http, options);
		await assertVendorError(client.listWebhooks(), { vendor: 'woocommerce', status: 503, retryable: true });
		await assertVendorError(client.listWebhooks(), { vendor: 'woocommerce', status: 429, retryable: true });
		await assertVendorError(client.listWebhooks(), { vendor: 'woocommerce', retryable: true, message: /Could not reach WooCommerce: ECONNREFUSED/ });
	});

	test('an HTML answer instead of JSON is explained', async () => {
		const { http } = cannedHttp({ status: 200, body: '<!doctype html><html>Shop</html>' });
		await assertVendorError(createWooCommerceClient(http, options).getOrder(1), { vendor: 'woocommerce', retryable: false, message: /permalinks/ });
	});

	test('deleting a webhook that is already gone succeeds; other failures throw', async () => {
		const { http } = cannedHttp({ status: 404, body: { code: 'woocommerce_rest_webhook_invalid_id', message: 'Invalid ID.' } }, { status: 500, body: {} });
		const client = createWooCommerceClient(http, options);
		await client.deleteWebhook(12);
		await assertVendorError(client.deleteWebhook(12), { vendor: 'woocommerce', status: 500, retryable: true });
	});

	test('a created webhook without an id is refused', async () => {
		const { http } = cannedHttp({ body: { name: 'x' } });
		await assertVendorError(
			createWooCommerceClient(http, options).createWebhook({ name: 'x', topic: 'order.updated', deliveryUrl: 'https://n8n.example/webhook/1', secret: SECRET }),
			{ vendor: 'woocommerce', retryable: false, message: /did not return its id/ },
		);
	});
});

test('LoyaltyError is the only error type a normalizer throws for bad input', () => {
	assert.throws(() => normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'x', payload: [] }), LoyaltyError);
});
