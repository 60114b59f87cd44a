import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, earnRequestJson } from '../../../engine/ledger/fingerprint';

/** The definition, kept plain: a sorted copy without undefined values, then JSON.stringify. */
function reference(value: unknown): string {
	const sorted = (v: unknown): unknown => {
		if (Array.isArray(v)) return v.map(sorted);
		if (v === null || typeof v !== 'object') return v;
		return Object.fromEntries(
			Object.keys(v as Record<string, unknown>)
				.filter((k) => (v as Record<string, unknown>)[k] !== undefined)
				.sort()
				.map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
		);
	};
	return JSON.stringify(sorted(value));
}

describe('canonicalJson', () => {
	it('writes exactly the text of the sorted copy, for any JSON-like value', () => {
		const leaf = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom(Number.NaN, Infinity, -0, new Date(0)), fc.func(fc.integer()));
		const value = fc.letrec((tie) => ({
			node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
			array: fc.array(tie('node'), { maxLength: 4 }),
			object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('b', 'a', 'B', 'é', '10', '9', '__proto__x')), tie('node'), { maxKeys: 5 }),
		})).node;
		fc.assert(fc.property(value, (v) => assert.equal(canonicalJson(v), reference(v))), { numRuns: 3000 });
	});

	it('writes an award request with its keys sorted at every level', () => {
		const request = { operation: 'earn', order: { source: 'woocommerce', id: 'o-1', currency: 'USD', amountMinor: 1250 }, customer: { identities: { woocommerce: '7', email: 'jo@example.com', phone: undefined } } };
		assert.equal(canonicalJson(request), '{"customer":{"identities":{"email":"jo@example.com","woocommerce":"7"}},"operation":"earn","order":{"amountMinor":1250,"currency":"USD","id":"o-1","source":"woocommerce"}}');
	});
});

describe('earnRequestJson', () => {
	it('writes the same text as canonicalJson for any earn request', () => {
		const text = fc.oneof(fc.string(), fc.constantFrom('"', '\\', 'é', '\u2028', 'a"b'));
		const identities = fc.record({ email: text, phone: text, square: text, woocommerce: text, loyalty: text, other: fc.oneof(text, fc.integer()) }, { requiredKeys: [] });
		const withUndefined = fc.tuple(identities, fc.constantFrom(undefined, 'email', 'phone')).map(([ids, gone]) => (gone ? { ...ids, [gone]: undefined } : ids));
		const request = fc.record({
			operation: fc.constantFrom('earn', 'x"y'),
			customer: fc.record({ identities: withUndefined }),
			order: fc.record({ source: text, id: text, currency: text, amountMinor: fc.oneof(fc.integer(), fc.double()) }),
		});
		fc.assert(fc.property(request, (r) => assert.equal(earnRequestJson(r), canonicalJson(r))), { numRuns: 3000 });
	});
});
