import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SignatureRejection } from '../../../connectors/shared/hmac';
import {
	type SquareCustomer,
	type SquareOrder,
	createSquareClient,
	normalizeSquareNotification,
	squareLookups,
	squareRefundTarget,
	subscriptionIdempotencyKey,
	verifySquareSignature,
} from '../../../connectors/square';
import { assertLoyaltyError, assertVendorError, cannedHttp, fixture, hmac, mutateChar } from './helpers';

const KEY = 'asdf1234signaturekey';
const URL = 'https://n8n.example/webhook/7c1e/loyalty';

const paymentNotification = () => fixture('square', 'payment-updated-completed.json');
const retrievedOrder = () => fixture<{ order: SquareOrder }>('square', 'order-retrieved.json').order;
const retrievedCustomer = () => fixture<{ customer: SquareCustomer }>('square', 'customer-retrieved.json').customer;

function withPayment(changes: Record<string, unknown>) {
	const notification = paymentNotification() as { data: { object: { payment: Record<string, unknown> } } };
	Object.assign(notification.data.object.payment, changes);
	return notification;
}

describe('Square webhook signature', () => {
	const body = Buffer.from(JSON.stringify(paymentNotification()));
	const signature = hmac(KEY, URL, body).toString('base64');

	test('a notification signed over URL + body verifies', () => {
		assert.deepEqual(verifySquareSignature(body, signature, KEY, URL), { valid: true });
	});

	test('rejects when no signature key is configured', () => {
		assert.deepEqual(verifySquareSignature(body, signature, '', URL), { valid: false, reason: SignatureRejection.MissingSecret });
	});

	test('rejects when the notification URL is not configured', () => {
		const check = verifySquareSignature(body, signature, KEY, '');
		assert.equal(check.valid, false);
		assert.match(!check.valid ? check.reason : '', /notification URL/);
	});

	test('rejects when the signature header is missing', () => {
		for (const header of [undefined, '']) {
			const check = verifySquareSignature(body, header, KEY, URL);
			assert.equal(check.valid, false);
			assert.match(!check.valid ? check.reason : '', /missing.*x-square-hmacsha256-signature/);
		}
	});

	test('rejects a malformed signature header', () => {
		for (const header of ['sha256=abc', hmac(KEY, URL, body).toString('hex'), Buffer.alloc(20).toString('base64')]) {
			const check = verifySquareSignature(body, header, KEY, URL);
			assert.equal(check.valid, false);
			assert.match(!check.valid ? check.reason : '', /not in the expected format/);
		}
	});

	test('rejects a signature that does not match (wrong key, or a URL rewritten by a proxy)', () => {
		assert.deepEqual(verifySquareSignature(body, hmac('other', URL, body).toString('base64'), KEY, URL), { valid: false, reason: SignatureRejection.Mismatch });
		assert.deepEqual(verifySquareSignature(body, signature, KEY, 'http://n8n.example/webhook/7c1e/loyalty'), { valid: false, reason: SignatureRejection.Mismatch });
		assert.deepEqual(verifySquareSignature(body, hmac(KEY, body).toString('base64'), KEY, URL), { valid: false, reason: SignatureRejection.Mismatch }, 'body alone is not what Square signs');
	});

	test('property: a correct signature verifies; any single-byte change to body, URL or signature fails', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ minLength: 1, maxLength: 2048 }),
				fc.string({ minLength: 1, maxLength: 64 }),
				fc.webUrl(),
				fc.nat(),
				fc.integer({ min: 1, max: 255 }),
				(bytes, key, url, at, delta) => {
					const raw = Buffer.from(bytes);
					const header = hmac(key, url, raw).toString('base64');
					assert.equal(verifySquareSignature(raw, header, key, url).valid, true);

					const changedBody = Buffer.from(raw);
					changedBody[at % raw.length] = (changedBody[at % raw.length] + delta) % 256;
					assert.equal(verifySquareSignature(changedBody, header, key, url).valid, false);

					assert.equal(verifySquareSignature(raw, mutateChar(header, at % header.length, delta % 94 || 1), key, url).valid, false);
					assert.equal(verifySquareSignature(raw, header, key, mutateChar(url, at % url.length, delta % 94 || 1)).valid, false);
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('Square normalizer', () => {
	test('a completed payment with its order and customer is a purchase keyed on the order', () => {
		const [event, ...rest] = normalizeSquareNotification(paymentNotification(), { order: retrievedOrder(), customer: retrievedCustomer() });
		assert.equal(rest.length, 0);
		assert.equal(event.id, 'square:6a1f3c2e-8d4b-3f57-9b0e-2c7d51e9a4f8');
		assert.equal(event.type, 'purchase');
		assert.equal(event.idempotencyKey, 'square:order:CAISEM82RcpmcFBM0TfOyiHV3es:paid');
		assert.equal(event.occurredAt, '2026-03-02T14:05:10.986Z');
		assert.deepEqual(event.customer, {
			identities: { square: 'JDKYHBWT1D4F8MFH63DBMEN8Y4', email: 'maya.chen@example.com', phone: '+14155550172' },
			firstName: 'Maya',
			lastName: 'Chen',
			birthday: { month: 7, day: 19 },
		});
		assert.deepEqual(event.order, {
			source: 'square',
			id: 'CAISEM82RcpmcFBM0TfOyiHV3es',
			status: 'paid',
			placedAt: '2026-03-02T14:04:31.215Z',
			currency: 'USD',
			totalMinor: 1450,
			discountMinor: 100,
			channel: 'in_store',
			location: 'L88917AVBK2S5',
			lines: [
				{ productId: 'W62UWFY35CWMYGVWK6TWJDNI', name: 'Oat Latte (Large)', quantity: 2, unitPriceMinor: 550, totalMinor: 1100 },
				{ productId: 'AA27W3M2GGTF3H6AVPNB77CK', name: 'Almond Croissant (Regular)', quantity: 1, unitPriceMinor: 450, totalMinor: 350 },
			],
			customer: event.customer,
			// The card's fingerprint, only ever compared (hashed) to spot a self-referral (engine/referral).
			paymentFingerprint: 'sq-1-Hxim77tbdcbGejOejnoAklBVJed2YFLTmirfl8Q5XZzObTc8qY_U8RkwzoNL8dCEcQ',
		});
	});

	test('without context the purchase still records, with the identities the payment carries', () => {
		const [event] = normalizeSquareNotification(paymentNotification());
		assert.deepEqual(event.customer.identities, { square: 'JDKYHBWT1D4F8MFH63DBMEN8Y4', email: 'maya.chen@example.com' });
		assert.deepEqual(event.order?.lines, []);
		assert.equal(event.order?.placedAt, '2026-03-02T14:05:02.718Z');
	});

	test('where it was bought: the location of the order (else of the payment); in store unless Square says online', () => {
		const place = (notification: unknown, order?: SquareOrder) => {
			const [event] = normalizeSquareNotification(notification, order ? { order } : {});
			return [event.order?.channel, event.order?.location];
		};
		assert.deepEqual(place(paymentNotification(), retrievedOrder()), ['in_store', 'L88917AVBK2S5'], 'Square Point of Sale at the counter');
		assert.deepEqual(place(withPayment({ location_id: 'LPAYMENT' })), ['in_store', 'LPAYMENT'], 'no order retrieved: the payment names the location');
		assert.deepEqual(place(paymentNotification(), { ...retrievedOrder(), location_id: 'LSECOND' }), ['in_store', 'LSECOND'], 'the order’s location wins');
		for (const product of ['ONLINE_STORE', 'INVOICES', 'ECOMMERCE_API']) {
			assert.deepEqual(place(withPayment({ application_details: { square_product: product } }))[0], 'online', product);
		}
		for (const product of ['SQUARE_POS', 'RETAIL', 'RESTAURANTS', 'TERMINAL_API', 'OTHER', null]) {
			assert.deepEqual(place(withPayment({ application_details: { square_product: product } }))[0], 'in_store', String(product));
		}
		for (const type of ['PICKUP', 'SHIPMENT', 'DELIVERY']) {
			assert.equal(place(paymentNotification(), { ...retrievedOrder(), fulfillments: [{ uid: 'f1', type, state: 'PROPOSED' }] })[0], 'online', `an order to ${type.toLowerCase()} was placed ahead`);
		}
		assert.equal(place(paymentNotification(), { ...retrievedOrder(), fulfillments: null })[0], 'in_store');
	});

	test('a payment without an order is keyed on the payment', () => {
		const [event] = normalizeSquareNotification(withPayment({ order_id: undefined }));
		assert.equal(event.idempotencyKey, 'square:payment:bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY:paid');
		assert.equal(event.order?.id, 'bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY');
	});

	test('payment.created that is already COMPLETED is a purchase with the same key', () => {
		const created = { ...paymentNotification(), type: 'payment.created', event_id: 'e-created' };
		const [a] = normalizeSquareNotification(created);
		const [b] = normalizeSquareNotification(paymentNotification());
		assert.equal(a.idempotencyKey, b.idempotencyKey);
	});

	test('payments that are not COMPLETED yield nothing', () => {
		for (const status of ['APPROVED', 'PENDING', 'CANCELED', 'FAILED']) {
			assert.deepEqual(normalizeSquareNotification(withPayment({ status })), [], status);
		}
	});

	test('a completed refund is a refund event linked to its order and customer', () => {
		const [event] = normalizeSquareNotification(fixture('square', 'refund-updated-completed.json'), { order: retrievedOrder() });
		assert.equal(event.id, 'square:d1e95b74-3c0a-3a6f-8f2e-5b0c4f7d9e21');
		assert.equal(event.type, 'refund');
		assert.equal(event.idempotencyKey, 'square:refund:bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY_ptZLqmGR0Fq4cWgYcNmGe8zSkWBo5H8yK9L2f3V');
		assert.deepEqual(event.refund, {
			source: 'square',
			id: 'bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY_ptZLqmGR0Fq4cWgYcNmGe8zSkWBo5H8yK9L2f3V',
			orderId: 'CAISEM82RcpmcFBM0TfOyiHV3es',
			amountMinor: 350,
			currency: 'USD',
			createdAt: '2026-03-04T09:12:30.554Z',
			reason: 'Croissant was stale',
		});
		assert.deepEqual(event.customer.identities, { square: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' });
	});

	test('an itemized return points the refund at the sale order, not the return order', () => {
		const returnOrder = fixture<{ order: SquareOrder }>('square', 'return-order-retrieved.json').order;
		const [event] = normalizeSquareNotification(fixture('square', 'refund-itemized-return.json'), { order: returnOrder });
		assert.equal(event.refund?.orderId, 'CAISEM82RcpmcFBM0TfOyiHV3es');
		assert.equal(event.refund?.amountMinor, 550);
	});

	test('a refund whose order names no customer is charged to the purchaser the store recorded', () => {
		const notification = fixture('square', 'refund-updated-completed.json');
		const anonymousOrder = { ...retrievedOrder(), customer_id: undefined };
		assert.equal(squareRefundTarget(notification, { order: anonymousOrder }), 'CAISEM82RcpmcFBM0TfOyiHV3es');
		assert.throws(() => normalizeSquareNotification(notification, { order: anonymousOrder }), (error: { field?: string }) => error.field === 'event.customer.identities');
		const [event] = normalizeSquareNotification(notification, { order: anonymousOrder, purchaser: { email: 'ana@example.com', square: 'SQ-ANA' } });
		assert.deepEqual(event.customer.identities, { email: 'ana@example.com', square: 'SQ-ANA' });
		assert.equal(event.refund?.orderId, 'CAISEM82RcpmcFBM0TfOyiHV3es');
	});

	test('refunds that are not COMPLETED yield nothing', () => {
		assert.deepEqual(normalizeSquareNotification(fixture('square', 'refund-created-pending.json'), { order: retrievedOrder() }), []);
		for (const status of ['REJECTED', 'FAILED']) {
			const notification = fixture('square', 'refund-updated-completed.json') as { data: { object: { refund: Record<string, unknown> } } };
			notification.data.object.refund.status = status;
			assert.deepEqual(normalizeSquareNotification(notification, { order: retrievedOrder() }), [], status);
		}
	});

	test('a customer update carries the profile; a phone without country code is dropped', () => {
		const [event] = normalizeSquareNotification(fixture('square', 'customer-updated.json'));
		assert.deepEqual(event, {
			id: 'square:4c8e2a1d-6b7f-3c90-8e5d-1a2b3c4d5e6f',
			type: 'customer_updated',
			source: 'square',
			occurredAt: '2026-03-06T08:15:19Z',
			idempotencyKey: 'square:customer:JDKYHBWT1D4F8MFH63DBMEN8Y4:v7',
			customer: {
				identities: { square: 'JDKYHBWT1D4F8MFH63DBMEN8Y4', email: 'maya.chenortiz@example.com' },
				firstName: 'Maya',
				lastName: 'Chen-Ortiz',
				birthday: { month: 7, day: 19, year: 1991 },
			},
		});
	});

	test('other notification types yield nothing', () => {
		assert.deepEqual(normalizeSquareNotification({ ...paymentNotification(), type: 'inventory.count.updated' }), []);
	});

	test('lookups say what to retrieve before normalizing', () => {
		assert.deepEqual(squareLookups(paymentNotification()), { orderId: 'CAISEM82RcpmcFBM0TfOyiHV3es', customerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' });
		assert.deepEqual(squareLookups(paymentNotification(), { order: retrievedOrder(), customer: retrievedCustomer() }), {});
		const refund = fixture('square', 'refund-updated-completed.json');
		assert.deepEqual(squareLookups(refund), { orderId: 'CAISEM82RcpmcFBM0TfOyiHV3es' });
		assert.deepEqual(squareLookups(refund, { order: retrievedOrder() }), { customerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' });
		assert.deepEqual(squareLookups(withPayment({ status: 'APPROVED' })), {});
		assert.deepEqual(squareLookups(fixture('square', 'customer-updated.json')), {});
	});

	test('a fractional quantity (sold by weight) counts as one unit; the total stays exact', () => {
		const order = retrievedOrder();
		order.line_items = [{ ...order.line_items![0], quantity: '1.25', total_money: { amount: 688, currency: 'USD' } }];
		const [event] = normalizeSquareNotification(paymentNotification(), { order });
		assert.deepEqual([event.order?.lines[0].quantity, event.order?.lines[0].totalMinor], [1, 688]);
	});

	test('malformed payloads and mismatched context throw a LoyaltyError naming the field', () => {
		const order = retrievedOrder();
		assertLoyaltyError(() => normalizeSquareNotification(withPayment({ amount_money: { amount: 14.5, currency: 'USD' } })), 'data.object.payment.amount_money.amount');
		assertLoyaltyError(() => normalizeSquareNotification(withPayment({ amount_money: { amount: 1450, currency: 'ABC' } })), 'data.object.payment.amount_money.currency');
		assertLoyaltyError(() => normalizeSquareNotification(withPayment({ customer_id: undefined, buyer_email_address: undefined })), 'event.customer.identities');
		assertLoyaltyError(() => normalizeSquareNotification(paymentNotification(), { order: { ...order, id: 'OTHER' } }), 'context.order.id');
		assertLoyaltyError(() => normalizeSquareNotification(paymentNotification(), { customer: { ...retrievedCustomer(), id: 'OTHER' } }), 'context.customer.id');
		assertLoyaltyError(
			() => normalizeSquareNotification(paymentNotification(), { order: { ...order, line_items: [{ ...order.line_items![0], quantity: 'two' }] } }),
			'context.order.line_items.0.quantity',
		);
		assertLoyaltyError(() => normalizeSquareNotification({ ...paymentNotification(), event_id: undefined }), 'event_id');
		assertLoyaltyError(() => normalizeSquareNotification({ ...paymentNotification(), data: null }), 'data');
		assertLoyaltyError(() => normalizeSquareNotification(fixture('square', 'refund-updated-completed.json')), 'event.customer.identities');
	});

	test('the normalizer is pure: same input, same output, input untouched', () => {
		const notification = paymentNotification();
		const context = { order: retrievedOrder(), customer: retrievedCustomer() };
		const before = structuredClone({ notification, context });
		assert.deepEqual(normalizeSquareNotification(notification, context), normalizeSquareNotification(notification, context));
		assert.deepEqual({ notification, context }, before);
	});

	test('property: integer minor units pass through unchanged', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.constantFrom('USD', 'JPY', 'KWD'), (amount, refunded, currency) => {
				const [purchase] = normalizeSquareNotification(withPayment({ amount_money: { amount, currency } }));
				assert.equal(purchase.order?.totalMinor, amount);
				assert.equal(purchase.order?.currency, currency);
				const refund = fixture('square', 'refund-updated-completed.json') as { data: { object: { refund: Record<string, unknown> } } };
				refund.data.object.refund.amount_money = { amount: refunded, currency };
				const [event] = normalizeSquareNotification(refund, { order: retrievedOrder() });
				assert.equal(event.refund?.amountMinor, refunded);
			}),
			{ numRuns: 200 },
		);
	});
});

describe('Square client (canned replies: error bodies the spec does not describe)', () => {
	const options = { accessToken: 'EAAAl-test-token', environment: 'sandbox' as const };

	test('picks the host by environment and sends the bearer token and Square-Version', async () => {
		const { http, requests } = cannedHttp({ body: { locations: [] } }, { body: { locations: [] } }, { body: { locations: [] } });
		await createSquareClient(http, options).listLocations();
		await createSquareClient(http, { ...options, environment: 'production' }).listLocations();
		await createSquareClient(http, { ...options, baseUrl: 'http://127.0.0.1:4010/', squareVersion: '2024-01-18' }).listLocations();
		assert.deepEqual(
			requests.map((r) => [r.url, r.headers?.['Square-Version']]),
			[
				['https://connect.squareupsandbox.com/v2/locations', '2025-08-20'],
				['https://connect.squareup.com/v2/locations', '2025-08-20'],
				['http://127.0.0.1:4010/v2/locations', '2024-01-18'],
			],
		);
		assert.equal(requests[0].headers?.Authorization, 'Bearer EAAAl-test-token');
	});

	test('Square errors become a VendorApiError with detail and field', async () => {
		const { http } = cannedHttp({ status: 404, body: fixture('square', 'error-not-found.json') });
		await assertVendorError(createSquareClient(http, options).retrieveOrder('CAISEM82RcpmcFBM0TfOyiHV3eX'), {
			vendor: 'square',
			status: 404,
			retryable: false,
			message: /^Square: Could not find order with id `CAISEM82RcpmcFBM0TfOyiHV3eX`\. \(field: order_id\)$/,
		});
	});

	test('an id with no URL form (a lone surrogate from a signed payload) is a non-retryable error, and nothing is sent', async () => {
		const { http, requests } = cannedHttp();
		const client = createSquareClient(http, options);
		await assertVendorError(client.retrieveOrder('CAISEM\ud800'), { vendor: 'square', retryable: false, message: /is not a valid Square id/ });
		await assertVendorError(client.retrieveCustomer('\udfff'), { vendor: 'square', retryable: false, message: /is not a valid Square id/ });
		assert.equal(requests.length, 0);
	});

	test('429 and 5xx are retryable; an unreachable host is retryable', async () => {
		const { http } = cannedHttp({ status: 429, body: fixture('square', 'error-rate-limited.json') }, { status: 502, body: undefined }, new Error('socket hang up'));
		const client = createSquareClient(http, options);
		await assertVendorError(client.listLocations(), { vendor: 'square', status: 429, retryable: true, message: /Too many requests/ });
		await assertVendorError(client.listLocations(), { vendor: 'square', status: 502, retryable: true });
		await assertVendorError(client.listLocations(), { vendor: 'square', retryable: true, message: /Could not reach Square: socket hang up/ });
	});

	test('401 explains the token and environment', async () => {
		const { http } = cannedHttp({ status: 401, body: { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] } });
		await assertVendorError(createSquareClient(http, options).listLocations(), { vendor: 'square', status: 401, retryable: false, message: /production or sandbox/ });
	});

	test('listing follows the cursor', async () => {
		const { http, requests } = cannedHttp({ body: { subscriptions: [{ id: 'a' }], cursor: 'c1' } }, { body: { subscriptions: [{ id: 'b' }] } });
		const subscriptions = await createSquareClient(http, options).listWebhookSubscriptions();
		assert.deepEqual(subscriptions.map((s) => s.id), ['a', 'b']);
		assert.deepEqual(requests.map((r) => r.query?.cursor), [undefined, 'c1']);
	});

	test('the subscription idempotency key is deterministic, fits Square’s 45 characters, and changes with the request', () => {
		const input = { name: 'Loyalty', eventTypes: ['payment.updated', 'refund.updated'], notificationUrl: URL };
		const key = subscriptionIdempotencyKey(input);
		assert.equal(key, subscriptionIdempotencyKey({ ...input, eventTypes: ['refund.updated', 'payment.updated'] }));
		assert.ok(key.length <= 45);
		assert.notEqual(key, subscriptionIdempotencyKey({ ...input, notificationUrl: `${URL}2` }));
	});
});
