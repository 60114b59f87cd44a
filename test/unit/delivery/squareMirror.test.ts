import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { closeSharedStores, openSharedStore } from '../../../engine';
import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { storeConfigFromCredentials } from '../../../nodes/shared/store';
import { paidOrder } from '../../support/fixtures';
import { executeContext, type Credentials } from '../nodes/fakes';

/*
 * Award Points with "Mirror to Square Loyalty": a fake Square behind n8n's request helper keeps
 * the account balance, honours idempotency keys like Square does, and records every request.
 */
class FakeSquareLoyalty {
	balance = 0;
	readonly requests: IHttpRequestOptions[] = [];
	private readonly seenKeys = new Set<string>();
	answer = async (_type: string, options: IHttpRequestOptions) => {
		this.requests.push(options);
		const path = new URL(options.url).pathname;
		const body = (options.body ?? {}) as IDataObject;
		if (path === '/v2/loyalty/accounts/search') return { statusCode: 200, headers: {}, body: { loyalty_accounts: [{ id: 'LA1', balance: this.balance }] } };
		if (path === '/v2/loyalty/accounts/LA1') return { statusCode: 200, headers: {}, body: { loyalty_account: { id: 'LA1', balance: this.balance, lifetime_points: 0 } } };
		if (path === '/v2/loyalty/accounts/LA1/adjust') {
			const key = String(body.idempotency_key);
			if (!this.seenKeys.has(key)) this.balance += Number((body.adjust_points as IDataObject).points);
			this.seenKeys.add(key);
			return { statusCode: 200, headers: {}, body: { event: { id: 'E1' } } };
		}
		return { statusCode: 404, headers: {}, body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND' }] } };
	};
}

describe('Award Points: Square Loyalty mirror and reconcile', () => {
	const node = new AwardPoints();
	const square = new FakeSquareLoyalty();
	let dir: string;
	let credentials: Credentials;
	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'loyalty-square-mirror-'));
		credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') }, loyaltySquareApi: { accessToken: 't', environment: 'sandbox', baseUrl: 'https://square.mock' } };
		const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
		await store.upsertCustomer({ identities: { email: 'ana@example.com', square: 'SQ-CUST-1' } });
	});
	after(async () => {
		await closeSharedStores();
		rmSync(dir, { recursive: true, force: true });
	});

	async function run(parameters: IDataObject) {
		const context = executeContext({ description: node.description, parameters: parameters as never, credentials });
		Object.assign(context.helpers, { httpRequest: (options: IHttpRequestOptions) => square.answer('', options) });
		const [[item]] = await node.execute.call(context);
		return item.json;
	}

	test('an earn is mirrored as an exact adjustment keyed by the ledger key; the replay does not mirror twice', async () => {
		const order = paidOrder('ana@example.com', 4500, { id: 'mirror-1', customer: { identities: { email: 'ana@example.com', square: 'SQ-CUST-1' } } });
		const params = { resource: 'points', operation: 'applyEvent', event: JSON.stringify({ id: 'evt-m1', type: 'purchase', source: 'woocommerce', idempotencyKey: 'woocommerce:order:mirror-1:paid', occurredAt: order.placedAt, customer: order.customer, order }), squareMirror: true };
		const first = await run(params);
		assert.equal((first.squareMirror as IDataObject).mirrored, true, JSON.stringify(first));
		assert.equal(square.balance, 45);
		const adjust = square.requests.find((r) => r.url.endsWith('/adjust'))!;
		assert.equal((adjust.body as IDataObject).idempotency_key, `loyalty:mirror:${first.idempotencyKey as string}`);
		const again = await run(params);
		assert.equal(again.replay, true);
		assert.equal(square.balance, 45, 'Square kept the first adjustment only');
	});

	test('reconcile reports drift, and with Repair makes Square match', async () => {
		square.balance = 60;
		const report = await run({ resource: 'customer', operation: 'reconcileSquare', identifyBy: 'email', customerValue: 'ana@example.com', squareMirror: true });
		assert.deepEqual([report.ours, report.square, report.drift, report.repaired], [45, 60, -15, false]);
		assert.equal(square.balance, 60);
		const repaired = await run({ resource: 'customer', operation: 'reconcileSquare', identifyBy: 'email', customerValue: 'ana@example.com', squareMirror: true, repair: true });
		assert.equal(repaired.repaired, true);
		assert.equal(square.balance, 45);
		const clean = await run({ resource: 'customer', operation: 'reconcileSquare', identifyBy: 'email', customerValue: 'ana@example.com', squareMirror: true });
		assert.equal(clean.drift, 0);
	});

	test('without the mirror switched on, nothing goes to Square', async () => {
		const before = square.requests.length;
		await run({ resource: 'points', operation: 'adjust', identifyBy: 'email', customerValue: 'ana@example.com', points: 5, idempotencyKey: 'manual-1', reason: 'goodwill' });
		assert.equal(square.requests.length, before);
	});
});
