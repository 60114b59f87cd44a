import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orderSchema } from '../../../engine/model/order';
import { parseOrder } from '../../../engine/model/parseOrder';
import { LoyaltyError } from '../../../engine/model/errors';

/** zod's answer: the parsed order as stored (JSON), or the error it words. */
function viaZod(input: unknown): string {
	const result = orderSchema.safeParse(input);
	return result.success ? JSON.stringify(result.data) : 'invalid';
}

function viaParseOrder(input: unknown): string {
	try {
		return JSON.stringify(parseOrder(input));
	} catch (error) {
		assert.ok(error instanceof LoyaltyError);
		return 'invalid';
	}
}

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('', ' ', '  x ', 'a\u0000b', 'x'.repeat(256), 'A@B.CO', ' Jo@Example.com ', 'jo..x@example.com', '.jo@example.com', '+14155550123', '+0123', 'usd', ' eur ', 'XXX', 'woocommerce', 'paid', '2026-03-01T10:00:00Z', '2026-02-30T10:00:00Z', '2026-03-01T10:00:00+02:00', '2026-03-01T10:00:00.123456Z', '2026-03-01 10:00:00', '2026-03-01T24:00:00Z'));
const number = fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constantFrom(0, 1.5, -0, Number.NaN, Infinity, 2 ** 60));
const value = fc.oneof(text, number, fc.constant(undefined), fc.constant(null), fc.boolean());
const identities = fc.record({ email: value, phone: value, square: value, woocommerce: value, loyalty: value, other: value }, { requiredKeys: [] });
const line = fc.record({ sku: value, productId: value, name: value, category: value, quantity: value, unitPriceMinor: value, totalMinor: value, extra: value }, { requiredKeys: [] });
const order = fc.record(
	{
		source: fc.oneof(fc.constantFrom('woocommerce', 'square', 'generic', 'shopify'), value),
		id: value,
		status: fc.oneof(fc.constantFrom('paid', 'pending', 'refunded', 'lost'), value),
		placedAt: value,
		currency: value,
		totalMinor: value,
		discountMinor: value,
		couponCodes: fc.oneof(fc.array(value, { maxLength: 2 }), value),
		channel: fc.oneof(fc.constantFrom('in_store', 'online', 'In_Store', 'web'), value),
		location: value,
		lines: fc.oneof(fc.array(line, { maxLength: 2 }), value),
		customer: fc.oneof(fc.record({ identities, firstName: value, lastName: value, tags: fc.array(text, { maxLength: 1 }) }, { requiredKeys: [] }), value),
		note: value,
		referralCode: fc.oneof(fc.constantFrom(' AB3K7MQ ', 'x'.repeat(201), '   '), value),
		paymentFingerprint: value,
		shippingAddress: fc.oneof(fc.constantFrom('1 Main St', 'y'.repeat(501)), value),
	},
	{ requiredKeys: [] },
);
const valid = fc.record({
	source: fc.constantFrom('woocommerce', 'square', 'generic'),
	id: fc.string({ minLength: 1, maxLength: 12 }),
	status: fc.constantFrom('paid', 'pending'),
	placedAt: fc.constantFrom('2026-03-01T10:00:00Z', '2024-02-29T23:59:59.5+01:00', '2026-03-01T10:00Z'),
	currency: fc.constantFrom('USD', ' eur', 'jpy'),
	totalMinor: fc.nat(),
	channel: fc.constantFrom('in_store', 'online', undefined),
	location: fc.constantFrom('LSTORE1', ' Main street ', '', 'x'.repeat(201), undefined),
	lines: fc.array(fc.record({ sku: fc.string(), quantity: fc.integer({ min: 1, max: 3 }), totalMinor: fc.nat() }, { requiredKeys: ['quantity', 'totalMinor'] }), { maxLength: 2 }),
	customer: fc.record({ identities: fc.record({ email: fc.constantFrom('a@b.co', ' X@Y.org ', 'bad'), woocommerce: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }), firstName: fc.constantFrom(' Ann ', undefined) }, { requiredKeys: ['identities'] }),
	referralCode: fc.constantFrom(' ab3-k7mq ', 'note with AB3K7MQ', '', undefined),
	paymentFingerprint: fc.constantFrom('sq-1-abc', ' ', undefined),
	shippingAddress: fc.constantFrom(' 1 Main St, Springfield ', 'z'.repeat(501), undefined),
});

describe('parseOrder (zod without zod for ordinary orders)', () => {
	it('answers exactly as orderSchema does, on random input', () => {
		fc.assert(fc.property(order, (input) => assert.equal(viaParseOrder(input), viaZod(input))), { numRuns: 5000 });
	});

	it('answers exactly as orderSchema does, on mostly valid orders', () => {
		fc.assert(fc.property(valid, (input) => assert.equal(viaParseOrder(input), viaZod(input))), { numRuns: 3000 });
	});

	it('words errors as parseOrThrow does, naming the field', () => {
		assert.throws(() => parseOrder({ source: 'woocommerce', id: 'o1', status: 'paid', placedAt: 'yesterday', currency: 'USD', totalMinor: 1, customer: { identities: { email: 'a@b.co' } } }), /order\.placedAt/);
	});
});
