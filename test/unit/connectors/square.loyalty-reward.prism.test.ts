import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction } from '../../../connectors/http';
import { type SquareClient, createSquareClient, squareMirrorKey } from '../../../connectors/square';
import { alteringHttp, fetchHttp, recordingHttp, withoutHeader } from '../../support/http';
import { type PrismServer, specOrSkip, startPrism } from '../../support/prism';
import { assertVendorError } from './helpers';

/*
 * Square's path for a personal offer: a reward on the customer's Square Loyalty account, which
 * the cashier sees at checkout and which is used once. Served by Prism from Square's document.
 */
const spec = specOrSkip('square-api.prism.json');

/**
 * The contract of a valid request: the client sent exactly one call, to this method and path, and
 * Prism answered 2xx, which it does only for a request its validation of Square's document passed.
 */
function assertAcceptedBySquare(calls: ReturnType<typeof recordingHttp>['calls'], method: string, path: string): void {
	assert.equal(calls.length, 1, 'one request');
	const [{ request, response }] = calls;
	assert.equal(request.method, method);
	assert.equal(new URL(request.url).pathname, path);
	assert.ok(response.status >= 200 && response.status < 300, `Prism refused the request (${response.status}): ${response.headers['sl-violations'] ?? JSON.stringify(response.body)}`);
}

describe('Square Loyalty (rewards, mirror) against Prism', { skip: spec.skip }, () => {
	let prism: PrismServer;
	let client: (http?: HttpFunction) => SquareClient;
	before(async () => {
		prism = await startPrism({ spec: spec.path as string });
		client = (http = fetchHttp) => createSquareClient(http, { accessToken: 'EAAAl-prism-test', environment: 'sandbox', baseUrl: prism.baseUrl });
	});
	after(async () => prism?.stop());

	test('findLoyaltyAccount: a valid search by customer returns the account', async () => {
		const recorder = recordingHttp(fetchHttp);
		const account = await client(recorder.http).findLoyaltyAccount('Q8002FAM9V1EZ0ADB2T5609X6NET1H0');
		assertAcceptedBySquare(recorder.calls, 'POST', '/v2/loyalty/accounts/search');
		assert.deepEqual(recorder.calls[0].request.json, { query: { customer_ids: ['Q8002FAM9V1EZ0ADB2T5609X6NET1H0'] }, limit: 1 });
		const answered = (recorder.calls[0].response.body as { loyalty_accounts: Array<{ id: string; balance?: number }> }).loyalty_accounts[0];
		assert.deepEqual(account, { id: answered.id, balance: answered.balance ?? 0 }, "the account as Square's answer gives it");
	});

	test('findLoyaltyAccount: a query of the wrong shape is refused by validation', async () => {
		const broken = alteringHttp(fetchHttp, (r) => ({ ...r, json: { query: { customer_ids: 'not-a-list' } } }));
		await assertVendorError(client(broken).findLoyaltyAccount('Q8002FAM9V1EZ0ADB2T5609X6NET1H0'), { vendor: 'square', retryable: false });
	});

	test('createLoyaltyReward: a valid request returns the reward, keyed by the decision', async () => {
		const recorder = recordingHttp(fetchHttp);
		const reward = await client(recorder.http).createLoyaltyReward({ loyaltyAccountId: '5adcb100-07f1-4ee7-b8c6-6bb9ebc474bd', rewardTierId: 'e1b39225-9da5-43d1-a5db-782cdd8ad94f', idempotencyKey: 'loyalty:offer:dec-2026-06-10-c1' });
		assertAcceptedBySquare(recorder.calls, 'POST', '/v2/loyalty/rewards');
		assert.deepEqual(recorder.calls[0].request.json, { idempotency_key: 'loyalty:offer:dec-2026-06-10-c1', reward: { loyalty_account_id: '5adcb100-07f1-4ee7-b8c6-6bb9ebc474bd', reward_tier_id: 'e1b39225-9da5-43d1-a5db-782cdd8ad94f' } });
		assert.equal(reward.id, (recorder.calls[0].response.body as { reward: { id: string } }).reward.id, "the reward id is Square's");
	});

	test('createLoyaltyReward: a request without idempotency_key is refused by validation', async () => {
		const broken = alteringHttp(fetchHttp, (r) => ({ ...r, json: { reward: (r.json as { reward: unknown }).reward } }));
		await assertVendorError(client(broken).createLoyaltyReward({ loyaltyAccountId: '5adcb100-07f1-4ee7-b8c6-6bb9ebc474bd', rewardTierId: 'e1b39225-9da5-43d1-a5db-782cdd8ad94f', idempotencyKey: 'k' }), { vendor: 'square', retryable: false });
	});

	const ACCOUNT = '5adcb100-07f1-4ee7-b8c6-6bb9ebc474bd';

	test('retrieveLoyaltyAccount: a valid request returns the balance', async () => {
		const recorder = recordingHttp(fetchHttp);
		const account = await client(recorder.http).retrieveLoyaltyAccount(ACCOUNT);
		assertAcceptedBySquare(recorder.calls, 'GET', `/v2/loyalty/accounts/${ACCOUNT}`);
		const answered = (recorder.calls[0].response.body as { loyalty_account: { balance?: number; lifetime_points?: number } }).loyalty_account;
		assert.equal(account.balance, answered.balance ?? 0);
		assert.equal(account.lifetimePoints, answered.lifetime_points ?? 0);
	});

	test('retrieveLoyaltyAccount: a request without credentials is refused', async () => {
		await assertVendorError(client(withoutHeader(fetchHttp, 'Authorization')).retrieveLoyaltyAccount(ACCOUNT), { vendor: 'square', status: 401, retryable: false });
	});

	test('adjustLoyaltyPoints: a mirrored redemption (negative points) with a key from the ledger is accepted', async () => {
		const recorder = recordingHttp(fetchHttp);
		await client(recorder.http).adjustLoyaltyPoints({ loyaltyAccountId: ACCOUNT, points: -120, reason: 'Redeemed in n8n loyalty', idempotencyKey: squareMirrorKey('woocommerce:order:1042:redeem') });
		assertAcceptedBySquare(recorder.calls, 'POST', `/v2/loyalty/accounts/${ACCOUNT}/adjust`);
		assert.deepEqual(recorder.calls[0].request.json, { idempotency_key: 'loyalty:mirror:woocommerce:order:1042:redeem', adjust_points: { points: -120, reason: 'Redeemed in n8n loyalty' } });
	});

	test('adjustLoyaltyPoints: a request without adjust_points is refused by validation', async () => {
		const broken = alteringHttp(fetchHttp, (r) => ({ ...r, json: { idempotency_key: 'k' } }));
		await assertVendorError(client(broken).adjustLoyaltyPoints({ loyaltyAccountId: ACCOUNT, points: 5, reason: 'x', idempotencyKey: 'k' }), { vendor: 'square', retryable: false });
	});

	test('accumulateLoyaltyPoints: exact points at a location are accepted', async () => {
		const recorder = recordingHttp(fetchHttp);
		await client(recorder.http).accumulateLoyaltyPoints({ loyaltyAccountId: ACCOUNT, locationId: 'P034NEENMD09F', points: 25, idempotencyKey: squareMirrorKey('square:payment:P1:paid') });
		assertAcceptedBySquare(recorder.calls, 'POST', `/v2/loyalty/accounts/${ACCOUNT}/accumulate`);
		assert.deepEqual(recorder.calls[0].request.json, { idempotency_key: 'loyalty:mirror:square:payment:P1:paid', location_id: 'P034NEENMD09F', accumulate_points: { points: 25 } });
	});

	test('accumulateLoyaltyPoints: a request without location_id is refused by validation', async () => {
		const broken = alteringHttp(fetchHttp, (r) => ({ ...r, json: { ...(r.json as object), location_id: undefined } }));
		await assertVendorError(client(broken).accumulateLoyaltyPoints({ loyaltyAccountId: ACCOUNT, locationId: 'L', points: 25, idempotencyKey: 'k' }), { vendor: 'square', retryable: false });
	});

	test('createLoyaltyReward: a key over 128 characters is refused before anything is sent', async () => {
		const recorder = recordingHttp(fetchHttp);
		await assertVendorError(client(recorder.http).createLoyaltyReward({ loyaltyAccountId: 'a', rewardTierId: 'b', idempotencyKey: 'k'.repeat(129) }), { vendor: 'square', retryable: false, message: /128/ });
		assert.equal(recorder.calls.length, 0);
	});
});
