import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';

import { hasControlCharacter, LoyaltyError, loyaltyEventSchema, parseOrThrow, type LoyaltyEventInput } from '../../../engine';

const event: LoyaltyEventInput = {
	id: 'generic:e-1',
	type: 'customer_updated',
	source: 'generic',
	occurredAt: '2026-03-01T10:00:00Z',
	idempotencyKey: 'generic:customer:1',
	customer: { identities: { email: 'ana@example.com' } },
};

const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
const withControl = fc.tuple(fc.string({ maxLength: 20 }), control, fc.string({ maxLength: 20 })).map(([a, c, b]) => `id${a}${c}${b}`);
const tooLong = fc.integer({ min: 256, max: 1000 }).map((n) => 'x'.repeat(n));
// Built from code points, not with hasControlCharacter, so the test does not trust the code under test.
const fine = fc.string({ minLength: 1, maxLength: 255 }).filter((s) => [...s].every((ch) => { const c = ch.codePointAt(0) as number; return c >= 0x20 && (c < 0x7f || c > 0x9f); }));

function fieldOf(input: unknown): string | undefined {
	try {
		parseOrThrow(loyaltyEventSchema, input, 'event');
		return undefined;
	} catch (error) {
		assert.ok(error instanceof LoyaltyError);
		assert.match(error.message, /control characters|at most 255 characters/);
		return error.field;
	}
}

describe('ids: one refinement for every id, key and identity', () => {
	const places: Array<[string, (value: string) => unknown]> = [
		['event.id', (id) => ({ ...event, id })],
		['event.idempotencyKey', (idempotencyKey) => ({ ...event, idempotencyKey })],
		['event.customer.identities.loyalty', (loyalty) => ({ ...event, customer: { identities: { loyalty } } })],
		['event.customer.identities.square', (square) => ({ ...event, customer: { identities: { square } } })],
		['event.customer.identities.woocommerce', (woocommerce) => ({ ...event, customer: { identities: { woocommerce } } })],
	];

	test('property: a control character or more than 255 characters is refused, naming the field', () => {
		fc.assert(
			fc.property(fc.oneof(withControl, tooLong), fc.constantFrom(...places), (value, [field, build]) => {
				assert.equal(fieldOf(build(value)), field);
			}),
			{ numRuns: 300 },
		);
	});

	test('property: any other id of 1 to 255 characters is accepted', () => {
		fc.assert(
			fc.property(fine, fc.constantFrom(...places.slice(0, 2)), (value, [, build]) => {
				assert.equal(fieldOf(build(value)), undefined);
			}),
			{ numRuns: 300 },
		);
	});

	test('the NUL identity measured in the issue is refused', () => {
		assert.equal(hasControlCharacter('\u0000'), true);
		assert.equal(fieldOf({ ...event, customer: { identities: { loyalty: '\u0000' } } }), 'event.customer.identities.loyalty');
		assert.equal(fieldOf({ ...event, customer: { identities: { email: `${'a'.repeat(250)}@example.com` } } }), 'event.customer.identities.email');
	});
});
