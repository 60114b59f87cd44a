import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { squareDrift, squareMirrorKey } from '../../../connectors/square';

describe('Square Loyalty mirror keys and drift', () => {
	test('keys come from the ledger key, stay within 128 characters and stay distinct', () => {
		assert.equal(squareMirrorKey('woocommerce:order:1042:paid'), 'loyalty:mirror:woocommerce:order:1042:paid');
		fc.assert(
			fc.property(fc.string({ minLength: 1, maxLength: 400 }), fc.string({ minLength: 1, maxLength: 400 }), (a, b) => {
				const ka = squareMirrorKey(a);
				assert.ok(ka.length <= 128);
				assert.equal(squareMirrorKey(a), ka);
				if (a !== b) assert.notEqual(squareMirrorKey(b), ka);
			}),
		);
	});

	test('drift: nothing when balances agree; else the adjustment that makes them agree, keyed by both balances', () => {
		assert.equal(squareDrift('c1', 450, 450), undefined);
		assert.deepEqual(squareDrift('c1', 450, 500), { ours: 450, square: 500, adjustment: -50, idempotencyKey: 'loyalty:reconcile:c1:450:500' });
		assert.equal(squareDrift('c1', 450, 400)?.adjustment, 50);
	});
});
