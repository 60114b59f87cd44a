import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isCartFlowsSample, normalizeCartFlowsDelivery, splitProductNames, verifyCartFlowsToken } from '../../../connectors/cartflows';
import { shopAmountToMinor } from '../../../connectors/shared/amount';
import { SignatureRejection } from '../../../connectors/shared/hmac';
import { assertLoyaltyError } from './helpers';

const SECRET = 'cartflows-shared-token-0123456789';
const RECEIVED_AT = '2026-03-04T09:30:00.000Z';
const SESSION_ID = '8d1f0b3c5e7a4f2d9b6c1e0a3f5d7b9c';

/** The plugin's recovery token: urlencode(base64("wcf_session_id=<id>")), newer versions add "|<signature>". */
function recoveryToken(sessionId: string, signature?: string): string {
	const payload = `wcf_session_id=${sessionId}${signature === undefined ? '' : `|${signature}`}`;
	return encodeURIComponent(Buffer.from(payload, 'utf8').toString('base64'));
}

/** The plugin posts PHP http_build_query() output; URLSearchParams writes the same encoding. */
function formBody(fields: Record<string, string>): Buffer {
	return Buffer.from(new URLSearchParams(fields).toString(), 'utf8');
}

const abandoned = (overrides: Record<string, string> = {}): Record<string, string> => ({
	first_name: 'Ana',
	last_name: 'Silva',
	phone_number: '+351 912 345 678',
	billing_address: 'Rua Augusta 10, Lisboa, PT, 1100-053',
	shipping_address: '',
	email: 'Ana.Silva@Example.com',
	checkout_url: `https://shop.example.com/checkout/?wcf_ac_token=${recoveryToken(SESSION_ID)}`,
	product_names: 'Sencha 100 g, Matcha Whisk & Tea Bowl',
	coupon_code: '',
	order_status: 'abandoned',
	cart_total: '59.50',
	product_table: '<table><tr><td>Sencha 100 g</td></tr></table>',
	...overrides,
});

function normalize(fields: Record<string, string>, defaultCurrency: string | undefined = 'EUR') {
	return normalizeCartFlowsDelivery({ body: formBody(fields), receivedAt: RECEIVED_AT, defaultCurrency });
}

describe('CartFlows webhook token', () => {
	test('the shared secret in ?token= verifies', () => {
		assert.deepEqual(verifyCartFlowsToken({ token: SECRET }, SECRET), { valid: true });
	});

	test('a repeated token parameter counts by its first value', () => {
		assert.deepEqual(verifyCartFlowsToken({ token: [SECRET, 'other'] }, SECRET), { valid: true });
		assert.equal(verifyCartFlowsToken({ token: ['other', SECRET] }, SECRET).valid, false);
	});

	test('a missing token is refused and the reason says where it belongs', () => {
		for (const query of [{}, { token: '' }, undefined, null, { token: 42 }, { Token: SECRET }]) {
			const check = verifyCartFlowsToken(query, SECRET);
			assert.equal(check.valid, false);
			assert.match(!check.valid ? check.reason : '', /token is missing \(\?token= in the webhook URL\)/);
		}
	});

	test('a wrong token is refused', () => {
		const check = verifyCartFlowsToken({ token: `${SECRET}x` }, SECRET);
		assert.equal(check.valid, false);
		assert.match(!check.valid ? check.reason : '', /does not match/);
	});

	test('without a secret, or with a guessable one, every delivery is refused (fails closed)', () => {
		assert.deepEqual(verifyCartFlowsToken({ token: '' }, ''), { valid: false, reason: SignatureRejection.MissingSecret });
		assert.deepEqual(verifyCartFlowsToken({ token: 'anything' }, ''), { valid: false, reason: SignatureRejection.MissingSecret });
		const short = verifyCartFlowsToken({ token: 'short' }, 'short');
		assert.equal(short.valid, false);
		assert.match(!short.valid ? short.reason : '', /shorter than 16/);
	});

	test('property: only the exact secret verifies', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 16, maxLength: 80 }), fc.string({ maxLength: 80 }), (secret, other) => {
				assert.equal(verifyCartFlowsToken({ token: secret }, secret).valid, true);
				if (other !== secret) assert.equal(verifyCartFlowsToken({ token: other }, secret).valid, false);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('CartFlows normalizer', () => {
	test('an abandoned cart becomes an open cart_updated event keyed on the plugin session and state', () => {
		const body = formBody(abandoned());
		const events = normalizeCartFlowsDelivery({ body, receivedAt: RECEIVED_AT, defaultCurrency: 'eur' });
		assert.deepEqual(events, [
			{
				id: `woocommerce:cartflows:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`,
				type: 'cart_updated',
				source: 'woocommerce',
				occurredAt: RECEIVED_AT,
				idempotencyKey: `woocommerce:cart:${SESSION_ID}:abandoned`,
				customer: { identities: { email: 'ana.silva@example.com', phone: '+351912345678' }, firstName: 'Ana', lastName: 'Silva' },
				cart: {
					id: SESSION_ID,
					status: 'open',
					currency: 'EUR',
					totalMinor: 5950,
					updatedAt: RECEIVED_AT,
					checkoutUrl: `https://shop.example.com/checkout/?wcf_ac_token=${recoveryToken(SESSION_ID)}`,
					lines: [
						{ name: 'Sencha 100 g', quantity: 1 },
						{ name: 'Matcha Whisk', quantity: 1 },
						{ name: 'Tea Bowl', quantity: 1 },
					],
				},
			},
		]);
	});

	test('the completed delivery of the same cart is recovered, with its own key', () => {
		const [open] = normalize(abandoned());
		const [recovered] = normalize(abandoned({ order_status: 'completed' }));
		assert.equal(recovered.cart?.id, open.cart?.id);
		assert.equal(recovered.cart?.status, 'recovered');
		assert.equal(recovered.idempotencyKey, `woocommerce:cart:${SESSION_ID}:completed`);
		assert.notEqual(recovered.id, open.id);
		for (const status of ['lost', 'normal', 'failed', 'Abandoned']) assert.equal(normalize(abandoned({ order_status: status }))[0].cart?.status, 'open', status);
	});

	test('a byte-identical resend has the same delivery id and key (so it is recorded once)', () => {
		const [first] = normalize(abandoned());
		const [again] = normalizeCartFlowsDelivery({ body: formBody(abandoned()), receivedAt: '2026-03-04T09:31:00.000Z', defaultCurrency: 'EUR' });
		assert.equal(again.id, first.id);
		assert.equal(again.idempotencyKey, first.idempotencyKey);
	});

	test('newer plugin versions sign the recovery token; the session id is read all the same', () => {
		const signed = `https://shop.example.com/checkout/?wcf_ac_token=${recoveryToken(SESSION_ID, 'a'.repeat(64))}`;
		assert.equal(normalize(abandoned({ checkout_url: signed }))[0].cart?.id, SESSION_ID);
	});

	test('the HTML-escaped "&" of WordPress URLs is undone before reading the URL', () => {
		const url = `https://shop.example.com/checkout/?wcf_ac_token=${recoveryToken(SESSION_ID)}&#038;utm_source=recovery`;
		const [event] = normalize(abandoned({ checkout_url: url }));
		assert.equal(event.cart?.id, SESSION_ID);
		assert.equal(event.cart?.checkoutUrl, `https://shop.example.com/checkout/?wcf_ac_token=${recoveryToken(SESSION_ID)}&utm_source=recovery`);
	});

	test('without a recovery token the cart id is derived from the shopper and the cart contents, stably', () => {
		const noToken = { checkout_url: 'https://shop.example.com/checkout/' };
		const [first] = normalize(abandoned(noToken));
		const [completed] = normalize(abandoned({ ...noToken, order_status: 'completed' }));
		const [otherCart] = normalize(abandoned({ ...noToken, cart_total: '61.00' }));
		const [otherShopper] = normalize(abandoned({ ...noToken, email: 'bruno@example.com' }));
		const [noUrl] = normalize(abandoned({ checkout_url: '' }));
		assert.match(first.cart?.id ?? '', /^derived-[0-9a-f]{32}$/);
		assert.equal(completed.cart?.id, first.cart?.id);
		assert.equal(noUrl.cart?.id, first.cart?.id);
		assert.notEqual(otherCart.cart?.id, first.cart?.id);
		assert.notEqual(otherShopper.cart?.id, first.cart?.id);
		assert.equal(noUrl.cart?.checkoutUrl, undefined);
		// A token that does not decode to a session id is no id either.
		assert.equal(normalize(abandoned({ checkout_url: 'https://shop.example.com/checkout/?wcf_ac_token=%21%21' }))[0].cart?.id, first.cart?.id);
	});

	test('a currency in the payload wins over the default; without either the field is named', () => {
		assert.equal(normalize(abandoned({ currency: 'gbp' }), 'EUR')[0].cart?.currency, 'GBP');
		assertLoyaltyError(() => normalizeCartFlowsDelivery({ body: formBody(abandoned()), receivedAt: RECEIVED_AT }), 'currency', /no default currency/);
		assertLoyaltyError(() => normalize(abandoned(), '  '), 'currency');
		assertLoyaltyError(() => normalize(abandoned(), 'EURO'), 'currency', /unknown currency/);
		assertLoyaltyError(() => normalize(abandoned({ currency: 'XYZ' })), 'currency');
	});

	test('money strings are parsed exactly, with thousands separators and 0 or 3 decimal currencies', () => {
		const cases: Array<[string, string, number]> = [
			['1,234.50', 'USD', 123450],
			['1234.5', 'USD', 123450],
			['0.10', 'USD', 10],
			['0.29', 'USD', 29],
			['1,000,000.01', 'EUR', 100000001],
			['5000', 'JPY', 5000],
			['5,000.00', 'JPY', 5000],
			['12.345', 'KWD', 12345],
			['12.3', 'BHD', 12300],
			['7', 'KWD', 7000],
		];
		for (const [text, currency, minor] of cases) {
			assert.equal(normalize(abandoned({ cart_total: text }), currency)[0].cart?.totalMinor, minor, `${text} ${currency}`);
		}
	});

	test('ambiguous, negative, over-precise or decorated totals are refused naming cart_total', () => {
		const cases: Array<[string, string]> = [
			['1.234,50', 'EUR'],
			['12,5', 'EUR'],
			['1,23,456.00', 'INR'],
			['1234,567.00', 'USD'],
			['-5.00', 'USD'],
			['£20', 'GBP'],
			['12.505', 'USD'],
			['10.5', 'JPY'],
			['1e3', 'USD'],
			['', 'USD'],
			['12.', 'USD'],
		];
		for (const [text, currency] of cases) assertLoyaltyError(() => normalize(abandoned({ cart_total: text }), currency), 'cart_total');
		assertLoyaltyError(() => normalize({ ...abandoned(), cart_total: undefined as unknown as string }), 'cart_total');
	});

	test('property: any total the shop can print parses to exactly its minor units', () => {
		const currencies = fc.constantFrom(['USD', 2], ['EUR', 2], ['JPY', 0], ['KRW', 0], ['KWD', 3], ['BHD', 3]) as fc.Arbitrary<[string, number]>;
		fc.assert(
			fc.property(currencies, fc.integer({ min: 0, max: 10 ** 14 }), fc.boolean(), fc.boolean(), ([currency, exponent], minor, grouped, padZeroDecimals) => {
				const whole = String(Math.floor(minor / 10 ** exponent));
				const fraction = exponent === 0 ? (padZeroDecimals ? '.00' : '') : `.${String(minor % 10 ** exponent).padStart(exponent, '0')}`;
				const text = `${grouped ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole}${fraction}`;
				assert.equal(shopAmountToMinor(text, currency, 'cart_total'), minor, text);
			}),
			{ numRuns: 500 },
		);
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (minor) => {
				const text = `${Math.floor(minor / 100).toLocaleString('en-US')}.${String(minor % 100).padStart(2, '0')}`;
				assert.equal(normalize(abandoned({ cart_total: text }), 'USD')[0].cart?.totalMinor, minor, text);
			}),
			{ numRuns: 100 },
		);
	});

	test('missing email and phone is refused naming email; a local phone number does not count', () => {
		assertLoyaltyError(() => normalize(abandoned({ email: '', phone_number: '' })), 'email', /neither an email nor an international phone_number/);
		assertLoyaltyError(() => normalize(abandoned({ email: '', phone_number: '0912 345 678' })), 'email');
		const [phoneOnly] = normalize(abandoned({ email: '' }));
		assert.deepEqual(phoneOnly.customer.identities, { phone: '+351912345678' });
		const [emailOnly] = normalize(abandoned({ phone_number: '0912 345 678' }));
		assert.deepEqual(emailOnly.customer.identities, { email: 'ana.silva@example.com' });
		assertLoyaltyError(() => normalize(abandoned({ email: 'not-an-email' })), 'email');
	});

	test('a missing or unknown order_status and a broken checkout_url are refused naming the field', () => {
		assertLoyaltyError(() => normalize(abandoned({ order_status: '' })), 'order_status', /required/);
		assertLoyaltyError(() => normalize(abandoned({ order_status: 'paid' })), 'order_status', /abandoned, lost, normal, failed, completed/);
		assertLoyaltyError(() => normalize(abandoned({ checkout_url: '/checkout/?wcf_ac_token=x' })), 'checkout_url');
		assertLoyaltyError(() => normalize(abandoned({ checkout_url: 'javascript:alert(1)' })), 'checkout_url');
	});

	test('product names are split the way the plugin joins them', () => {
		assert.deepEqual(splitProductNames('Solo'), ['Solo']);
		assert.deepEqual(splitProductNames('A & B'), ['A', 'B']);
		assert.deepEqual(splitProductNames('A, B, C & D'), ['A', 'B', 'C', 'D']);
		// A product that no longer exists leaves its separator behind.
		assert.deepEqual(splitProductNames('A, B, '), ['A', 'B']);
		assert.deepEqual(splitProductNames('A & '), ['A']);
		assert.deepEqual(splitProductNames(' '), []);
		assert.deepEqual(normalize(abandoned({ product_names: '' }))[0].cart?.lines, []);
	});

	test('the "Trigger Sample" button delivery is recognised; a real cart is not', () => {
		const sample = formBody({
			first_name: 'Admin',
			last_name: 'User',
			email: 'admin@shop.example.com',
			phone: '',
			order_status: 'abandoned',
			checkout_url: 'https://shop.example.com/checkout/?wcf_ac_token=something',
			coupon_code: 'abcgefgh',
			product_names: 'Product1, Product2 & Product3',
			cart_total: '£20',
			product_table: '<table></table>',
		});
		assert.equal(isCartFlowsSample(sample), true);
		assert.equal(isCartFlowsSample(formBody(abandoned())), false);
		assert.equal(isCartFlowsSample(formBody(abandoned({ product_names: 'Product1, Product2 & Product3' }))), false);
	});
});
