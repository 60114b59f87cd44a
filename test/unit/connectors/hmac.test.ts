import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
	constantTimeEqual,
	decodeSha256Base64,
	decodeSha256Hex,
	hmacSha256,
	hmacSha256Base64,
	hmacSha256Hex,
} from '../../../connectors/shared/hmac';
import { hmac } from './helpers';

describe('shared HMAC helpers', () => {
	test('HMAC-SHA256 in base64 and hex match node:crypto', () => {
		const body = Buffer.from('{"id":1}');
		assert.equal(hmacSha256Base64('s3cret', body), hmac('s3cret', body).toString('base64'));
		assert.equal(hmacSha256Hex('s3cret', body), hmac('s3cret', body).toString('hex'));
		assert.deepEqual(hmacSha256('k', 'https://a.example/h', body), hmac('k', 'https://a.example/h', body));
	});

	test('buffers of different length compare unequal without throwing', () => {
		assert.equal(constantTimeEqual(Buffer.alloc(32), Buffer.alloc(31)), false);
		assert.equal(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(32)), false);
		assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc')), true);
		assert.equal(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd')), false);
	});

	test('only the canonical base64 spelling of a 32-byte MAC decodes', () => {
		const mac = hmac('k', 'body');
		const canonical = mac.toString('base64');
		assert.deepEqual(decodeSha256Base64(canonical), mac);
		assert.equal(decodeSha256Base64(canonical.replace(/=$/, '')), undefined, 'missing padding');
		assert.equal(decodeSha256Base64(`${canonical.slice(0, 20)} ${canonical.slice(20)}`), undefined, 'embedded space');
		assert.equal(decodeSha256Base64(Buffer.alloc(16).toString('base64')), undefined, 'wrong length');
		assert.equal(decodeSha256Base64(mac.toString('base64url')), undefined, 'base64url has no padding');
		// The last character before "=" carries two unused bits; flipping them must not pass.
		const last = canonical.charAt(42);
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
		const sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
		assert.equal(decodeSha256Base64(`${canonical.slice(0, 42)}${sibling}=`), undefined);
	});

	test('hex MACs decode only as 64 lower-case digits', () => {
		const mac = hmac('k', 'body');
		assert.deepEqual(decodeSha256Hex(mac.toString('hex')), mac);
		assert.equal(decodeSha256Hex(mac.toString('hex').toUpperCase()), undefined);
		assert.equal(decodeSha256Hex(mac.toString('hex').slice(2)), undefined);
		assert.equal(decodeSha256Hex(`${mac.toString('hex')}00`), undefined);
	});

	test('property: equal buffers compare equal, any single-byte change compares unequal', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, delta) => {
				const a = Buffer.from(bytes);
				const b = Buffer.from(bytes);
				assert.equal(constantTimeEqual(a, b), true);
				b[at % b.length] = (b[at % b.length] + delta) % 256;
				assert.equal(constantTimeEqual(a, b), false);
			}),
		);
	});
});
