import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
	KLAVIYO_STARTED_CHECKOUT_TEMPLATE,
	KLAVIYO_TOKEN_HEADER,
	normalizeKlaviyoStartedCheckout,
	verifyKlaviyoToken,
} from '../../../connectors/klaviyo';
import { SignatureRejection } from '../../../connectors/shared/hmac';
import { assertLoyaltyError } from './helpers';

const SECRET = 'klaviyo-flow-shared-secret-42';
const RECEIVED_AT = '2026-03-04T09:30:00.000Z';

/** What Klaviyo renders from the documented template for a WooCommerce shop's Started Checkout. */
const rendered = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
	event_id: '1709544600_a1b2c3',
	cart_id: 'wck_cart_7f3e',
	email: 'Dora@Example.com',
	phone: '+14155550123',
	first_name: 'Dora',
	last_name: 'Reyes',
	value: '84.5',
	currency: 'USD',
	checkout_url: 'https://shop.example.com/cart?wck_rebuild_cart=wck_cart_7f3e',
	item_names: 'Cold Brew Kit | Filter Papers (100)',
	...overrides,
});

function normalize(payload: unknown, defaultCurrency?: string) {
	return normalizeKlaviyoStartedCheckout({ payload, receivedAt: RECEIVED_AT, defaultCurrency });
}

describe('Klaviyo Started Checkout header token', () => {
	test('the shared secret in the header verifies, whatever the header name case', () => {
		assert.deepEqual(verifyKlaviyoToken({ 'x-loyalty-token': SECRET }, SECRET), { valid: true });
		assert.deepEqual(verifyKlaviyoToken({ [KLAVIYO_TOKEN_HEADER]: SECRET }, SECRET), { valid: true });
		assert.deepEqual(verifyKlaviyoToken({ 'x-loyalty-token': [SECRET, 'x'] }, SECRET), { valid: true });
	});

	test('a missing header is refused and the reason names it', () => {
		for (const headers of [{}, { 'x-loyalty-token': '' }, { 'x-loyalty-signature': SECRET }]) {
			const check = verifyKlaviyoToken(headers, SECRET);
			assert.equal(check.valid, false);
			assert.match(!check.valid ? check.reason : '', /missing \(header X-Loyalty-Token\)/);
		}
	});

	test('a wrong token is refused; no secret configured refuses everything', () => {
		const check = verifyKlaviyoToken({ 'x-loyalty-token': SECRET.slice(0, -1) }, SECRET);
		assert.equal(check.valid, false);
		assert.match(!check.valid ? check.reason : '', /does not match/);
		assert.deepEqual(verifyKlaviyoToken({ 'x-loyalty-token': '' }, ''), { valid: false, reason: SignatureRejection.MissingSecret });
	});

	test('property: only the exact secret verifies', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 16, maxLength: 64 }), fc.string({ maxLength: 64 }), (secret, other) => {
				assert.equal(verifyKlaviyoToken({ 'x-loyalty-token': secret }, secret).valid, true);
				if (other !== secret) assert.equal(verifyKlaviyoToken({ 'x-loyalty-token': other }, secret).valid, false);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('Klaviyo Started Checkout normalizer', () => {
	test('a rendered Started Checkout becomes an open cart keyed on cart and Klaviyo event', () => {
		assert.deepEqual(normalize(rendered()), [
			{
				id: 'klaviyo:1709544600_a1b2c3',
				type: 'cart_updated',
				source: 'klaviyo',
				occurredAt: RECEIVED_AT,
				idempotencyKey: 'klaviyo:cart:wck_cart_7f3e:1709544600_a1b2c3',
				customer: { identities: { email: 'dora@example.com', phone: '+14155550123' }, firstName: 'Dora', lastName: 'Reyes' },
				cart: {
					id: 'wck_cart_7f3e',
					status: 'open',
					currency: 'USD',
					totalMinor: 8450,
					updatedAt: RECEIVED_AT,
					checkoutUrl: 'https://shop.example.com/cart?wck_rebuild_cart=wck_cart_7f3e',
					lines: [
						{ name: 'Cold Brew Kit', quantity: 1 },
						{ name: 'Filter Papers (100)', quantity: 1 },
					],
				},
			},
		]);
	});

	test('the documented template, filled in, is valid JSON with exactly the fields the normalizer reads', () => {
		const samples: Record<string, string> = {
			"event|lookup:'$event_id'": 'evt-1',
			"event.extra.CartRebuildKey|default:''": 'rebuild-9',
			"person.email|default:''": 'eli@example.com',
			"person.phone_number|default:''": '',
			"person.first_name|default:''": 'Eli',
			"person.last_name|default:''": '',
			"event|lookup:'$value'": '1234.5',
			"event.Currency|default:''": 'CAD',
			'organization.url|trim_slash': 'https://shop.example.com',
			"event.ItemNames|join:' | '": 'Kettle | Scale',
		};
		const body = KLAVIYO_STARTED_CHECKOUT_TEMPLATE.replace(/\{\{ (.+?) \}\}/g, (_, tag: string) => {
			assert.ok(tag in samples, `template tag ${tag} has no sample`);
			return samples[tag];
		});
		const [event] = normalize(JSON.parse(body));
		assert.equal(event.idempotencyKey, 'klaviyo:cart:rebuild-9:evt-1');
		assert.deepEqual(event.customer, { identities: { email: 'eli@example.com' }, firstName: 'Eli' });
		assert.equal(event.cart?.totalMinor, 123450);
		assert.equal(event.cart?.currency, 'CAD');
		assert.equal(event.cart?.checkoutUrl, 'https://shop.example.com/cart?wck_rebuild_cart=rebuild-9');
		assert.deepEqual(event.cart?.lines.map((line) => line.name), ['Kettle', 'Scale']);
	});

	test('empty and "None" (Klaviyo\'s rendering of a missing property) count as absent', () => {
		const [event] = normalize(rendered({ cart_id: 'None', phone: '', last_name: 'None', checkout_url: '', item_names: 'None' }));
		assert.equal(event.cart?.id, '1709544600_a1b2c3');
		assert.deepEqual(event.customer, { identities: { email: 'dora@example.com' }, firstName: 'Dora' });
		assert.equal(event.cart?.checkoutUrl, undefined);
		assert.deepEqual(event.cart?.lines, []);
	});

	test('values are parsed exactly: grouped thousands, numbers, 0 and 3 decimal currencies', () => {
		const cases: Array<[unknown, string, number]> = [
			['1,234.50', 'USD', 123450],
			[1234.5, 'USD', 123450],
			[0.1, 'EUR', 10],
			['12000', 'JPY', 12000],
			['12,000.0', 'KRW', 12000],
			['3.125', 'KWD', 3125],
			[3.125, 'OMR', 3125],
			// Above 10^9 a float's binary noise shows at the sixth decimal; the sender's spelling is what counts.
			[8590121138.53, 'USD', 859012113853],
		];
		for (const [value, currency, minor] of cases) assert.equal(normalize(rendered({ value, currency }))[0].cart?.totalMinor, minor, `${String(value)} ${currency}`);
		for (const value of ['1.234,50', '-1.00', '$84.50', 'None', '', 84.555, -2]) assertLoyaltyError(() => normalize(rendered({ value })), 'value');
	});

	test('property: a value Klaviyo prints in any of its formats parses to exactly its minor units', () => {
		const currencies = fc.constantFrom(['USD', 2], ['GBP', 2], ['JPY', 0], ['KWD', 3]) as fc.Arbitrary<[string, number]>;
		fc.assert(
			fc.property(currencies, fc.integer({ min: 0, max: 10 ** 12 }), fc.constantFrom('plain', 'grouped', 'number'), ([currency, exponent], minor, style) => {
				const decimal = exponent === 0 ? String(minor) : `${Math.floor(minor / 10 ** exponent)}.${String(minor % 10 ** exponent).padStart(exponent, '0')}`;
				const value = style === 'number' ? Number(decimal) : style === 'grouped' ? decimal.replace(/^\d+/, (whole) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')) : decimal;
				assert.equal(normalize(rendered({ value, currency }))[0].cart?.totalMinor, minor, String(value));
			}),
			{ numRuns: 400 },
		);
	});

	test('the currency falls back to the trigger default; without either the field is named', () => {
		assert.equal(normalize(rendered({ currency: '' }), 'eur')[0].cart?.currency, 'EUR');
		assert.equal(normalize(rendered({ currency: 'gbp' }), 'EUR')[0].cart?.currency, 'GBP');
		assertLoyaltyError(() => normalize(rendered({ currency: 'None' })), 'currency', /no default currency/);
		assertLoyaltyError(() => normalize(rendered({ currency: 'US$' })), 'currency', /unknown currency/);
	});

	test('missing email and phone is refused naming email', () => {
		assertLoyaltyError(() => normalize(rendered({ email: '', phone: '' })), 'email', /neither an email nor an international phone/);
		assertLoyaltyError(() => normalize(rendered({ email: 'None', phone: '415-555-0123' })), 'email');
		assert.deepEqual(normalize(rendered({ email: '' }))[0].customer.identities, { phone: '+14155550123' });
		assertLoyaltyError(() => normalize(rendered({ email: 'dora-at-example' })), 'email');
	});

	test('other invalid bodies are refused naming the field', () => {
		const cases: Array<[unknown, string]> = [
			['a string', 'body'],
			[[rendered()], 'body'],
			[rendered({ event_id: '' }), 'event_id'],
			[rendered({ event_id: 'None' }), 'event_id'],
			[rendered({ value: undefined }), 'value'],
			[rendered({ email: 42 }), 'email'],
			[rendered({ checkout_url: '/cart?x=1' }), 'checkout_url'],
			[rendered({ checkout_url: 'ftp://shop.example.com/cart' }), 'checkout_url'],
			[rendered({ item_names: ['Kettle', 7] }), 'item_names.1'],
			[rendered({ item_names: { name: 'Kettle' } }), 'item_names'],
		];
		for (const [payload, field] of cases) assertLoyaltyError(() => normalize(payload), field);
	});

	test('a JSON list of item names is accepted too; a numeric event id becomes text', () => {
		const [event] = normalize(rendered({ item_names: [' Kettle ', '', 'Scale'], event_id: 991, cart_id: '' }));
		assert.deepEqual(event.cart?.lines.map((line) => line.name), ['Kettle', 'Scale']);
		assert.equal(event.id, 'klaviyo:991');
		assert.equal(event.cart?.id, '991');
	});
});
