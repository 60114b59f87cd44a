import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { normalizeGenericEvent, signGenericBody, verifyGenericSignature } from '../../../connectors/generic';
import { SignatureRejection } from '../../../connectors/shared/hmac';
import { assertLoyaltyError, hmac, mutateChar } from './helpers';

const SECRET = 'generic-shared-secret';

const purchase = () => ({
	id: 'pos-7781',
	type: 'purchase',
	customer: { identities: { email: 'Ana.Silva@Example.com', phone: '+351912345678' }, firstName: 'Ana' },
	order: {
		id: 'T-2026-0042',
		placedAt: '2026-03-03T17:45:00+01:00',
		currency: 'eur',
		totalMinor: 2590,
		lines: [{ sku: 'TEA-SENCHA', name: 'Sencha 100 g', category: 'tea', quantity: 2, unitPriceMinor: 1295, totalMinor: 2590 }],
	},
});

describe('generic webhook signature', () => {
	const body = Buffer.from(JSON.stringify(purchase()));
	const header = `sha256=${hmac(SECRET, body).toString('hex')}`;

	test('a body signed with the secret verifies; signGenericBody produces the header', () => {
		assert.equal(signGenericBody(body, SECRET), header);
		assert.deepEqual(verifyGenericSignature(body, header, SECRET), { valid: true });
	});

	test('rejects when no secret is configured', () => {
		assert.deepEqual(verifyGenericSignature(body, header, ''), { valid: false, reason: SignatureRejection.MissingSecret });
	});

	test('rejects when the signature header is missing', () => {
		for (const value of [undefined, '']) {
			const check = verifyGenericSignature(body, value, SECRET);
			assert.equal(check.valid, false);
			assert.match(!check.valid ? check.reason : '', /missing.*X-Loyalty-Signature/);
		}
	});

	test('rejects a malformed signature header', () => {
		const hex = hmac(SECRET, body).toString('hex');
		for (const value of [hex, `sha1=${hex}`, `sha256=${hex.toUpperCase()}`, `sha256=${hex.slice(1)}`, `t=1700000000,sha256=${hex}`, `sha256=${hmac(SECRET, body).toString('base64')}`]) {
			const check = verifyGenericSignature(body, value, SECRET);
			assert.equal(check.valid, false, value);
			assert.match(!check.valid ? check.reason : '', /not in the expected format/);
		}
	});

	test('rejects a well-formed signature that does not match', () => {
		assert.deepEqual(verifyGenericSignature(body, signGenericBody(body, 'other'), SECRET), { valid: false, reason: SignatureRejection.Mismatch });
	});

	test('property: a correct signature verifies; any single-byte change to body or signature fails', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.string({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, secret, at, delta) => {
				const raw = Buffer.from(bytes);
				const signature = `sha256=${hmac(secret, raw).toString('hex')}`;
				assert.equal(verifyGenericSignature(raw, signature, secret).valid, true);
				const changed = Buffer.from(raw);
				changed[at % raw.length] = (changed[at % raw.length] + delta) % 256;
				assert.equal(verifyGenericSignature(changed, signature, secret).valid, false);
				assert.equal(verifyGenericSignature(raw, mutateChar(signature, at % signature.length, delta % 94 || 1), secret).valid, false);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('generic normalizer', () => {
	test('a purchase gets its derived fields: sources, paid status, order customer, key and time', () => {
		const [event] = normalizeGenericEvent(purchase());
		assert.equal(event.id, 'generic:pos-7781');
		assert.equal(event.source, 'generic');
		assert.equal(event.idempotencyKey, 'generic:order:T-2026-0042:paid');
		assert.equal(event.occurredAt, '2026-03-03T17:45:00+01:00');
		assert.equal(event.customer.identities.email, 'ana.silva@example.com');
		assert.equal(event.order?.source, 'generic');
		assert.equal(event.order?.status, 'paid');
		assert.equal(event.order?.currency, 'EUR');
		assert.deepEqual(event.order?.customer, event.customer);
		assert.equal(event.order?.lines[0].category, 'tea');
	});

	test('a refund is keyed on the refund id; numeric ids become text', () => {
		const [event] = normalizeGenericEvent({
			id: 991,
			type: 'refund',
			customer: { identities: { loyalty: 'L-55' } },
			refund: { id: 12, orderId: 4410, amountMinor: 500, currency: 'GBP', createdAt: '2026-03-05T09:00:00Z', reason: 'damaged' },
		});
		assert.equal(event.id, 'generic:991');
		assert.equal(event.idempotencyKey, 'generic:refund:12');
		assert.deepEqual(event.refund, { source: 'generic', id: '12', orderId: '4410', amountMinor: 500, currency: 'GBP', createdAt: '2026-03-05T09:00:00Z', reason: 'damaged' });
		assert.equal(event.occurredAt, '2026-03-05T09:00:00Z');
	});

	test('an order update is keyed on order id and status; a given idempotency key is kept', () => {
		const update = { ...purchase(), type: 'order_updated', order: { ...purchase().order, status: 'cancelled' } };
		assert.equal(normalizeGenericEvent(update)[0].idempotencyKey, 'generic:order:T-2026-0042:cancelled');
		assert.equal(normalizeGenericEvent({ ...update, idempotencyKey: 'pos:void:42' })[0].idempotencyKey, 'pos:void:42');
	});

	test('a timestamp whose offset no clock has (+99:00) is refused naming the field, not thrown as a RangeError', () => {
		const cart = { id: 'cart-1', type: 'cart_updated', customer: { identities: { email: 'a@example.com' } }, cart: { id: 'c-1', currency: 'EUR', totalMinor: 4200, updatedAt: '2026-03-02T14:05:11.412+99:00', lines: [] } };
		assertLoyaltyError(() => normalizeGenericEvent(cart), 'cart.updatedAt');
		assertLoyaltyError(() => normalizeGenericEvent({ ...purchase(), order: { ...purchase().order, placedAt: '2026-03-03T17:45:00+24:00' } }), 'order.placedAt');
		assertLoyaltyError(() => normalizeGenericEvent({ id: 'crm-3', type: 'customer_updated', occurredAt: '2026-03-01T08:00:00-25:30', customer: { identities: { email: 'a@example.com' } } }), 'occurredAt');
	});

	test('a customer update needs occurredAt and is keyed on the event id', () => {
		const [event] = normalizeGenericEvent({ id: 'crm-1', type: 'customer_updated', occurredAt: '2026-03-01T08:00:00Z', customer: { identities: { email: 'a@example.com' }, birthday: { month: 2, day: 29 } } });
		assert.equal(event.idempotencyKey, 'generic:event:crm-1');
		assertLoyaltyError(() => normalizeGenericEvent({ id: 'crm-2', type: 'customer_updated', customer: { identities: { email: 'a@example.com' } } }), 'occurredAt');
	});

	test("a shop's sign-up form (docs/templates/birthday.md) records email, consent and birthday", () => {
		const signUp = {
			id: 'signup-7f3a9c',
			type: 'customer_updated',
			occurredAt: '2026-12-01T15:00:00Z',
			customer: {
				identities: { email: 'Ana@Example.com' },
				firstName: 'Ana',
				birthday: { month: 12, day: 2 },
				consent: { email_marketing: { granted: true, at: '2026-12-01T15:00:00Z', source: 'signup_form', wordingVersion: 'v1' } },
			},
		};
		const [event] = normalizeGenericEvent(signUp);
		assert.deepEqual(event.customer, {
			identities: { email: 'ana@example.com' },
			firstName: 'Ana',
			birthday: { month: 12, day: 2 },
			consent: { email_marketing: { granted: true, at: '2026-12-01T15:00:00Z', source: 'signup_form', wordingVersion: 'v1' } },
		});
		assertLoyaltyError(() => normalizeGenericEvent({ ...signUp, customer: { ...signUp.customer, birthday: { month: 2, day: 30 } } }), 'customer.birthday.day');
	});

	test('an order may say where it was placed: in_store or online, and the store', () => {
		const [event] = normalizeGenericEvent({ ...purchase(), order: { ...purchase().order, channel: 'in_store', location: ' Harbour St ' } });
		assert.deepEqual([event.order?.channel, event.order?.location], ['in_store', 'Harbour St']);
		assertLoyaltyError(() => normalizeGenericEvent({ ...purchase(), order: { ...purchase().order, channel: 'kiosk' } }), 'order.channel');
	});

	test('a list of events is normalized in order, and errors name the index', () => {
		const events = normalizeGenericEvent([purchase(), { ...purchase(), id: 'pos-7782' }]);
		assert.deepEqual(events.map((e) => e.id), ['generic:pos-7781', 'generic:pos-7782']);
		assertLoyaltyError(() => normalizeGenericEvent([purchase(), { ...purchase(), order: { ...purchase().order, totalMinor: -1 } }]), '1.order.totalMinor');
	});

	test('invalid events throw a LoyaltyError naming the field', () => {
		const base = purchase();
		const cases: Array<[unknown, string]> = [
			[{ ...base, type: 'sale' }, 'type'],
			[{ ...base, id: '' }, 'id'],
			[{ ...base, order: undefined }, 'order'],
			[{ ...base, type: 'refund' }, 'refund'],
			[{ ...base, order: { ...base.order, status: 'pending' } }, 'order.status'],
			[{ ...base, order: { ...base.order, totalMinor: 25.9 } }, 'order.totalMinor'],
			[{ ...base, order: { ...base.order, currency: 'EURO' } }, 'order.currency'],
			[{ ...base, order: { ...base.order, placedAt: 'yesterday' } }, 'order.placedAt'],
			[{ ...base, order: { ...base.order, lines: [{ quantity: 0, totalMinor: 1 }] } }, 'order.lines.0.quantity'],
			[{ ...base, customer: { identities: {} } }, 'customer.identities'],
			[{ ...base, customer: { identities: { phone: '0912345678' } } }, 'customer.identities.phone'],
			[{ ...base, source: 'square' }, 'source'],
			[{ ...base, order: { ...base.order, source: 'woocommerce' } }, 'order.source'],
			['a string', 'body'],
		];
		for (const [payload, field] of cases) assertLoyaltyError(() => normalizeGenericEvent(payload), field);
	});

	const cartUpdate = () => ({
		id: 'web-cart-77',
		type: 'cart_updated',
		customer: { identities: { email: 'Ana.Silva@Example.com' } },
		cart: {
			id: 5501,
			currency: 'eur',
			totalMinor: 4200,
			updatedAt: '2026-03-03T17:45:00+01:00',
			checkoutUrl: 'https://shop.example.com/checkout?cart=5501',
			lines: [{ sku: 'TEA-SENCHA', name: 'Sencha 100 g', quantity: 2, totalMinor: 4200 }],
		},
	});

	test('a cart update is keyed on the cart and when it changed (in UTC); defaults are filled in', () => {
		const [event] = normalizeGenericEvent(cartUpdate());
		// Compared as recorded (JSON): the envelope's absent order and refund are undefined keys.
		assert.deepEqual(JSON.parse(JSON.stringify(event)), {
			id: 'generic:web-cart-77',
			type: 'cart_updated',
			source: 'generic',
			occurredAt: '2026-03-03T17:45:00+01:00',
			idempotencyKey: 'generic:cart:5501:2026-03-03T16:45:00.000Z',
			customer: { identities: { email: 'ana.silva@example.com' } },
			cart: {
				id: '5501',
				status: 'open',
				currency: 'EUR',
				totalMinor: 4200,
				updatedAt: '2026-03-03T17:45:00+01:00',
				checkoutUrl: 'https://shop.example.com/checkout?cart=5501',
				lines: [{ sku: 'TEA-SENCHA', name: 'Sencha 100 g', quantity: 2, totalMinor: 4200 }],
			},
		});
		// The same instant written in UTC is the same fact.
		const utc = { ...cartUpdate(), id: 'web-cart-78', cart: { ...cartUpdate().cart, updatedAt: '2026-03-03T16:45:00Z' } };
		assert.equal(normalizeGenericEvent(utc)[0].idempotencyKey, event.idempotencyKey);
		const recovered = { ...cartUpdate(), cart: { ...cartUpdate().cart, status: 'recovered', lines: undefined } };
		assert.equal(normalizeGenericEvent(recovered)[0].cart?.status, 'recovered');
		assert.deepEqual(normalizeGenericEvent(recovered)[0].cart?.lines, []);
		assert.equal(normalizeGenericEvent({ ...cartUpdate(), idempotencyKey: 'shop:cart:5501:v3' })[0].idempotencyKey, 'shop:cart:5501:v3');
		assert.equal(normalizeGenericEvent({ ...cartUpdate(), occurredAt: '2026-03-03T18:00:00Z' })[0].occurredAt, '2026-03-03T18:00:00Z');
	});

	test('an invalid cart update throws a LoyaltyError naming the cart field', () => {
		const base = cartUpdate();
		const cases: Array<[unknown, string]> = [
			[{ ...base, cart: undefined }, 'cart'],
			[{ ...base, cart: 'cart-5501' }, 'cart'],
			[{ ...base, cart: { ...base.cart, id: '' } }, 'cart.id'],
			[{ ...base, cart: { ...base.cart, totalMinor: 42.5 } }, 'cart.totalMinor'],
			[{ ...base, cart: { ...base.cart, totalMinor: -1 } }, 'cart.totalMinor'],
			[{ ...base, cart: { ...base.cart, totalMinor: '4200' } }, 'cart.totalMinor'],
			[{ ...base, cart: { ...base.cart, currency: 'EURO' } }, 'cart.currency'],
			[{ ...base, cart: { ...base.cart, status: 'abandoned' } }, 'cart.status'],
			[{ ...base, cart: { ...base.cart, updatedAt: 'an hour ago' } }, 'cart.updatedAt'],
			[{ ...base, cart: { ...base.cart, updatedAt: undefined } }, 'cart.updatedAt'],
			[{ ...base, cart: { ...base.cart, checkoutUrl: '/checkout' } }, 'cart.checkoutUrl'],
			[{ ...base, cart: { ...base.cart, lines: [{ name: 'Tea', quantity: 0 }] } }, 'cart.lines.0.quantity'],
			[[cartUpdate(), { ...base, cart: { ...base.cart, totalMinor: 1.5 } }], '1.cart.totalMinor'],
		];
		for (const [payload, field] of cases) assertLoyaltyError(() => normalizeGenericEvent(payload), field);
	});

	test('property: integer minor units pass through; fractional amounts are refused', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 0.001, max: 1e9, noNaN: true }), (minor, fractional) => {
				const [event] = normalizeGenericEvent({ ...purchase(), order: { ...purchase().order, totalMinor: minor, lines: [] } });
				assert.equal(event.order?.totalMinor, minor);
				if (!Number.isInteger(fractional)) {
					assertLoyaltyError(() => normalizeGenericEvent({ ...purchase(), order: { ...purchase().order, totalMinor: fractional } }), 'order.totalMinor');
				}
			}),
			{ numRuns: 200 },
		);
	});
});
