import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IWebhookFunctions } from 'n8n-workflow';
import { RECENT_CREDENTIALS_MS, recentCredentials } from '../../../nodes/shared/recentCredentials';

/** A webhook context whose credential store counts its reads and can be changed between calls. */
function contextWith(id: string | undefined, store: { secret: string; reads: number }): IWebhookFunctions {
	return {
		getNode: () => ({ credentials: id ? { loyaltyWooCommerceApi: { id, name: 'Woo' } } : {} }),
		getCredentials: async () => {
			store.reads++;
			return { webhookSecret: store.secret };
		},
	} as unknown as IWebhookFunctions;
}

test('credentials read a moment ago are used again; after the window, or when asked fresh, they are read again', async () => {
	const store = { secret: 'first', reads: 0 };
	const context = contextWith('cred-recent-1', store);
	let now = 1_000_000;
	const read = (fresh = false) => recentCredentials(context, 'loyaltyWooCommerceApi', { fresh, now: () => now });
	assert.equal((await read()).webhookSecret, 'first');
	store.secret = 'second';
	now += RECENT_CREDENTIALS_MS - 1;
	assert.equal((await read()).webhookSecret, 'first');
	assert.equal(store.reads, 1);
	// A signature check that failed asks again at once: the changed secret is seen without waiting.
	assert.equal((await read(true)).webhookSecret, 'second');
	store.secret = 'third';
	now += RECENT_CREDENTIALS_MS;
	assert.equal((await read()).webhookSecret, 'third');
	assert.equal(store.reads, 3);
});

test('a node without a credential id reads its credentials every time', async () => {
	const store = { secret: 's', reads: 0 };
	const context = contextWith(undefined, store);
	await recentCredentials(context, 'loyaltyWooCommerceApi');
	await recentCredentials(context, 'loyaltyWooCommerceApi');
	assert.equal(store.reads, 2);
});
