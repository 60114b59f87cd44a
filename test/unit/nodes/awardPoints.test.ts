import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { closeSharedStores, openSharedStore, type LoyaltyEvent } from '../../../engine';
import type { SqlClient } from '../../../engine/store/db';
import { storeConfigFromCredentials } from '../../../nodes/shared/store';
import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { LoyaltyProgram } from '../../../nodes/LoyaltyProgram/LoyaltyProgram.node';
import { executeContext, type Credentials } from './fakes';

const node = new AwardPoints();
let dir: string;
let credentials: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-award-'));
	credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

async function run(parameters: INodeParameters | ((itemIndex: number) => INodeParameters), options: { items?: number; continueOnFail?: boolean } = {}) {
	const context = executeContext({
		description: node.description,
		parameters,
		credentials,
		items: Array.from({ length: options.items ?? 1 }, (_, i) => ({ json: { i } })),
		continueOnFail: options.continueOnFail,
	});
	const [output] = await node.execute.call(context);
	return output;
}

/** Sets a program's stored settings the way an owner does: the Loyalty Program node, Update Settings. */
async function setProgram(programId: string, settings: INodeParameters) {
	const programNode = new LoyaltyProgram();
	const context = executeContext({ description: programNode.description, parameters: { operation: 'update', programId, settings, useTiers: 'keep' }, credentials });
	const [[item]] = await programNode.execute.call(context);
	return item.json;
}

const customer = { identifyBy: 'email', customerValue: 'ana@example.com' };

describe('Award Points, executed with a fake n8n context against a real SQLite store', () => {
	test('Earn for Order (fields): $12.50 at 1 point per $1 rounds down to 12', async () => {
		const [item] = await run({
			resource: 'points',
			operation: 'earnForOrder',
			orderId: '1042',
			orderSource: 'woocommerce',
			orderTotal: 12.5,
			currency: 'usd',
			placedAt: '2026-03-01T10:00:00Z',
			...customer,
		});
		assert.equal(item.json.operation, 'earn');
		assert.deepEqual(item.json.change, { available: 12, pending: 0 });
		assert.deepEqual(item.json.balance, { available: 12, pending: 0, lifetimeEarned: 12, tier: null });
		assert.equal(item.json.replay, false);
		assert.equal(typeof item.json.customerId, 'string');
		assert.deepEqual(item.pairedItem, { item: 0 });
		// No program was set: the defaults were stored as version 1, in n8n's time zone, and said so once.
		const program = item.json.program as IDataObject;
		assert.deepEqual([program.id, program.version], ['default', 1]);
		assert.match(String(program.notice), /No settings were stored for program "default".*1 point per USD 1, no expiry, time zone America\/New_York/);
		const [again] = await run({ resource: 'points', operation: 'earnForOrder', orderId: '1042', orderSource: 'woocommerce', orderTotal: 12.5, currency: 'usd', placedAt: '2026-03-01T10:00:00Z', ...customer });
		assert.deepEqual(again.json.program, { id: 'default', version: 1 });
	});

	test('Redeem is idempotent on its key: the second run is a replay and moves nothing', async () => {
		const parameters = { resource: 'points', operation: 'redeem', points: 5, idempotencyKey: 'coupon-77', reason: '$5 off', ...customer };
		const [first] = await run(parameters);
		const [second] = await run(parameters);
		assert.deepEqual(first.json.change, { available: -5, pending: 0 });
		assert.equal((first.json.balance as IDataObject).available, 7);
		assert.equal(second.json.replay, true);
		assert.equal((second.json.balance as IDataObject).available, 7);
		assert.equal(second.json.idempotencyKey, 'coupon-77');
	});

	test('Redeeming more than is available fails with a message naming the field and how to fix it', async () => {
		const attempt = run({ resource: 'points', operation: 'redeem', points: 500, idempotencyKey: 'too-much', ...customer });
		await assert.rejects(attempt, (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /^points: 500 requested but only 7 available/);
			assert.match(String(error.description), /Allow Negative Balance/);
			assert.equal(error.context.itemIndex, 0);
			return true;
		});
	});

	test('With Continue On Fail each failed item becomes { error, field } and the next item still runs', async () => {
		const output = await run(
			(itemIndex) => ({
				resource: 'points',
				operation: 'redeem',
				points: itemIndex === 0 ? 500 : 1,
				idempotencyKey: `batch-${itemIndex}`,
				...customer,
			}),
			{ items: 2, continueOnFail: true },
		);
		assert.equal(output.length, 2);
		assert.equal(output[0].json.field, 'points');
		assert.match(String(output[0].json.error), /requested but only/);
		assert.deepEqual(output[0].pairedItem, { item: 0 });
		assert.equal((output[1].json.balance as IDataObject).available, 6);
		assert.deepEqual(output[1].pairedItem, { item: 1 });
	});

	/** Runs `work` and counts the transactions the node's store ran meanwhile. */
	async function countingTransactions<T>(work: () => Promise<T>): Promise<{ value: T; transactions: number }> {
		const db = (await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi))).db;
		const original = db.transaction;
		let transactions = 0;
		db.transaction = <R>(inner: (tx: SqlClient) => Promise<R>) => {
			transactions++;
			return original.call(db, inner) as Promise<R>;
		};
		try {
			return { value: await work(), transactions };
		} finally {
			db.transaction = original;
		}
	}

	const groupOrder = (itemIndex: number, orderId: string, currency = 'USD') => ({
		resource: 'points',
		operation: 'earnForOrder',
		programId: 'group-items',
		orderId,
		orderSource: 'woocommerce',
		orderTotal: 10 + itemIndex,
		currency,
		placedAt: '2026-03-01T10:00:00Z',
		identifyBy: 'email',
		customerValue: `group-${itemIndex % 2}@example.com`,
	});

	test('Earn for Order with many items earns them in one commit; each item keeps its result, its pairing and its own error', async () => {
		await setProgram('group-items', { currency: 'USD', pointsPerCurrencyUnit: 1 });
		const ids = ['g-1', 'g-2', 'g-3', 'g-4', 'g-5'];
		const { value: output, transactions } = await countingTransactions(() =>
			run((itemIndex) => groupOrder(itemIndex, ids[itemIndex], itemIndex === 2 ? 'XYZ' : 'USD'), { items: 5, continueOnFail: true }),
		);
		assert.equal(transactions, 1, 'one commit for the four good orders; the bad one was refused before anything was written');
		assert.deepEqual(output.map((item) => item.pairedItem), [0, 1, 2, 3, 4].map((item) => ({ item })));
		assert.deepEqual(output.map((item) => (item.json.error ? item.json.field : (item.json.change as IDataObject).available)), [10, 11, 'order.totalMinor.currency', 13, 14]);
		assert.match(String(output[2].json.error), /XYZ/);
		assert.deepEqual(output.map((item) => item.json.replay ?? null), [false, false, null, false, false]);
		// Again: every good item is a replay with its first result; nothing moves.
		const again = await run((itemIndex) => groupOrder(itemIndex, ids[itemIndex], itemIndex === 2 ? 'XYZ' : 'USD'), { items: 5, continueOnFail: true });
		assert.deepEqual(again.map((item) => item.json.replay ?? null), [true, true, null, true, true]);
		assert.deepEqual(again.map((item) => item.json.balance ?? null), output.map((item) => item.json.balance ?? null));
	});

	test('Without Continue On Fail, many items stop at the first failed one, and nothing after it is booked', async () => {
		const ids = ['h-1', 'h-2', 'h-3', 'h-4'];
		// Item 1 reuses item 0's order id under another amount: refused as a reused key.
		const parameters = (itemIndex: number) => groupOrder(itemIndex, ids[itemIndex === 1 ? 0 : itemIndex]);
		await assert.rejects(run(parameters, { items: 4 }), (error: NodeOperationError) => {
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.context.itemIndex, 1);
			assert.match(error.message, /was first used for .* h-1 of 10\.00 USD/);
			return true;
		});
		// Item 0 was booked as it would have been alone; items 2 and 3 were not: they earn now.
		const output = await run((itemIndex) => groupOrder(itemIndex, ids[itemIndex]), { items: 4, continueOnFail: true });
		assert.deepEqual(output.map((item) => item.json.replay ?? item.json.error), [true, false, false, false]);
	});

	test('Apply Event with many purchases earns them together; other events pass through in their place', async () => {
		await setProgram('group-events', { currency: 'EUR', pointsPerCurrencyUnit: 1 });
		const purchase = (n: number): LoyaltyEvent => ({
			id: `generic:grp-${n}`,
			type: 'purchase',
			source: 'generic',
			occurredAt: '2026-03-03T10:00:00Z',
			idempotencyKey: `generic:order:grp-${n}:paid`,
			customer: { identities: { email: 'grp@example.com' } },
			order: { source: 'generic', id: `grp-${n}`, status: 'paid', placedAt: '2026-03-03T10:00:00Z', currency: 'EUR', totalMinor: 1000 * n, lines: [], customer: { identities: { email: 'grp@example.com' } } },
		});
		const other = { id: 'generic:grp-c', type: 'customer_updated', source: 'generic', occurredAt: '2026-03-03T10:00:00Z', idempotencyKey: 'generic:customer:grp', customer: { identities: { email: 'grp@example.com' } } };
		const events = [purchase(1), purchase(2), other, purchase(3), purchase(4)];
		const { value: output, transactions } = await countingTransactions(() =>
			run((itemIndex) => ({ resource: 'points', operation: 'applyEvent', event: events[itemIndex] as unknown as INodeParameters, programId: 'group-events' }), { items: 5 }),
		);
		assert.equal(transactions, 2, 'two purchases, the other event, two purchases: one commit for each pair');
		assert.deepEqual(output.map((item) => [item.json.eventId, item.json.skipped, (item.json.change as IDataObject | undefined)?.available ?? null]), [
			['generic:grp-1', false, 10],
			['generic:grp-2', false, 20],
			['generic:grp-c', true, null],
			['generic:grp-3', false, 30],
			['generic:grp-4', false, 40],
		]);
		assert.equal((output[4].json.balance as IDataObject).available, 100);
	});

	test('Adjust needs a reason; Get Balance and Get History read the account', async () => {
		const [adjusted] = await run({ resource: 'points', operation: 'adjust', points: 4, idempotencyKey: 'goodwill-1', reason: 'Late delivery', ...customer });
		assert.equal((adjusted.json.balance as IDataObject).available, 10);

		const [balance] = await run({ resource: 'customer', operation: 'getBalance', ...customer });
		assert.equal(balance.json.operation, 'getBalance');
		assert.equal((balance.json.balance as IDataObject).available, 10);

		const [history] = await run({ resource: 'customer', operation: 'getHistory', limit: 2, identifyBy: 'customerId', customerValue: String(balance.json.customerId) });
		assert.equal(history.json.count, 2);
		assert.equal((history.json.entries as IDataObject[]).length, 2);
	});

	test('An unknown customer is a not-found error that says how to fix it', async () => {
		await assert.rejects(run({ resource: 'customer', operation: 'getBalance', identifyBy: 'email', customerValue: 'nobody@example.com' }), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /no customer with email nobody@example.com/);
			assert.match(String(error.description), /Identify Customer By/);
			return true;
		});
	});

	test('Reverse for Refund takes back the refunded share', async () => {
		const [item] = await run({
			resource: 'points',
			operation: 'reverseForRefund',
			refundId: 'r-1',
			orderId: '1042',
			orderSource: 'woocommerce',
			refundAmount: 6.25,
			currency: 'USD',
			refundedAt: '2026-03-02T10:00:00Z',
		});
		assert.equal(item.json.operation, 'reverse');
		assert.deepEqual(item.json.change, { available: -6, pending: 0 });
	});

	test('Apply Event earns for a purchase and passes any other event through as skipped', async () => {
		const purchase: LoyaltyEvent = {
			id: 'generic:pos-1',
			type: 'purchase',
			source: 'generic',
			occurredAt: '2026-03-03T10:00:00Z',
			idempotencyKey: 'generic:order:pos-1:paid',
			customer: { identities: { email: 'ben@example.com' } },
			order: {
				source: 'generic',
				id: 'pos-1',
				status: 'paid',
				placedAt: '2026-03-03T10:00:00Z',
				currency: 'EUR',
				totalMinor: 2590,
				lines: [],
				customer: { identities: { email: 'ben@example.com' } },
			},
		};
		const updated = { ...purchase, id: 'generic:c-1', type: 'customer_updated', idempotencyKey: 'generic:customer:1', order: undefined };
		await setProgram('euro-shop', { currency: 'EUR', pointsPerCurrencyUnit: 2 });
		const output = await run((itemIndex) => ({ resource: 'points', operation: 'applyEvent', event: (itemIndex === 0 ? purchase : updated) as unknown as INodeParameters, programId: 'euro-shop' }), {
			items: 2,
		});
		assert.equal(output[0].json.eventId, 'generic:pos-1');
		assert.equal(output[0].json.skipped, false);
		assert.deepEqual(output[0].json.change, { available: 51, pending: 0 });
		assert.equal(output[0].json.idempotencyKey, 'generic:order:pos-1:paid');
		assert.deepEqual(output[1].json, { eventId: 'generic:c-1', eventType: 'customer_updated', operation: 'none', skipped: true, reason: '"customer_updated" events do not change points', program: { id: 'euro-shop', version: 1 } });
	});

	test('Apply Event with the default {{ $json }} applies the input item itself', async () => {
		const event = {
			id: 'generic:pos-json-1',
			type: 'purchase',
			source: 'generic',
			occurredAt: '2026-03-03T10:00:00Z',
			idempotencyKey: 'generic:order:pos-json-1:paid',
			customer: { identities: { email: 'json-item@example.com' } },
			order: { source: 'generic', id: 'pos-json-1', status: 'paid', placedAt: '2026-03-03T10:00:00Z', currency: 'EUR', totalMinor: 1000, lines: [], customer: { identities: { email: 'json-item@example.com' } } },
		};
		await setProgram('euro-json', { currency: 'EUR', pointsPerCurrencyUnit: 1 });
		// The fake context does not evaluate expressions: the literal would fail to parse as an event.
		const context = executeContext({ description: node.description, parameters: { resource: 'points', operation: 'applyEvent', event: '={{ $json }}', programId: 'euro-json' }, credentials, items: [{ json: event }] });
		const [[output]] = await node.execute.call(context);
		assert.equal(output.json.eventId, 'generic:pos-json-1');
		assert.deepEqual(output.json.change, { available: 10, pending: 0 });
	});

	test('The stored program: pending days keep earned points pending; an unknown currency names the setting', async () => {
		const stored = await setProgram('returns', { pendingDays: 14 });
		assert.deepEqual([stored.version, stored.changed, (stored.settings as IDataObject).pendingDays], [1, true, 14]);
		const [pending] = await run({
			resource: 'points',
			operation: 'earnForOrder',
			orderId: '2001',
			orderTotal: 30,
			currency: 'USD',
			placedAt: '2026-03-01T10:00:00Z',
			identifyBy: 'email',
			customerValue: 'cleo@example.com',
			programId: 'returns',
		});
		assert.deepEqual(pending.json.change, { available: 0, pending: 30 });
		assert.deepEqual(pending.json.program, { id: 'returns', version: 1 });

		await assert.rejects(setProgram('returns', { currency: 'XYZ' }), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /program.currency/);
			assert.match(String(error.description), /Loyalty Program → Currency/);
			return true;
		});
	});

	test('An order above Max Points Per Order is held; List, Approve and Decline Held Points decide it', async () => {
		const big = { resource: 'points', operation: 'earnForOrder', orderSource: 'woocommerce', orderTotal: 1_000_000_000, currency: 'USD', placedAt: '2026-03-04T10:00:00Z', identifyBy: 'email', customerValue: 'dora@example.com' };
		const [held] = await run({ ...big, orderId: '1234' });
		assert.deepEqual(held.json.change, { available: 0, pending: 0 });
		assert.deepEqual(held.json.held, {
			points: 1_000_000_000,
			reason: "order 1234 would earn 1,000,000,000 points, above the program's ceiling of 5,000 per order",
			approvalKey: 'held:woocommerce:order:1234:paid',
		});
		const [second] = await run({ ...big, orderId: '1235', orderTotal: 6000 });
		assert.equal((second.json.held as IDataObject).points, 6000);

		const [waiting] = await run({ resource: 'points', operation: 'listHeld', heldStatus: 'held', limit: 10 });
		assert.equal(waiting.json.count, 2);
		assert.deepEqual((waiting.json.held as IDataObject[]).map((h) => h.orderId), ['1234', '1235']);

		const approvalKey = (second.json.held as IDataObject).approvalKey as string;
		const [approved] = await run({ resource: 'points', operation: 'approveHeld', approvalKey, decidedBy: 'Dora (owner)', reason: 'Checked: real order' });
		assert.equal(approved.json.operation, 'approve_held');
		assert.deepEqual(approved.json.change, { available: 6000, pending: 0 });
		assert.deepEqual(approved.json.decision, { approvalKey: 'held:woocommerce:order:1235:paid', status: 'approved', points: 6000, decidedBy: 'Dora (owner)', reason: 'Checked: real order' });

		const [declined] = await run({ resource: 'points', operation: 'declineHeld', approvalKey: 'held:woocommerce:order:1234:paid', decidedBy: 'Dora (owner)', reason: 'Mistyped total' });
		assert.deepEqual([declined.json.operation, (declined.json.balance as IDataObject).available], ['decline_held', 6000]);
		await assert.rejects(run({ resource: 'points', operation: 'approveHeld', approvalKey: 'held:woocommerce:order:1234:paid', decidedBy: 'Sam' }), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /already declined by Dora \(owner\)/);
			assert.match(String(error.description), /already approved or declined/);
			return true;
		});
		const [nothing] = await run({ resource: 'points', operation: 'listHeld', heldStatus: 'held', limit: 10 });
		assert.equal(nothing.json.count, 0);
		await setProgram('no-ceiling', { maxPointsPerOrder: 0 });
		const [ceilingOff] = await run({ ...big, orderId: '1236', orderTotal: 6000, programId: 'no-ceiling' });
		assert.deepEqual(ceilingOff.json.change, { available: 6000, pending: 0 });
	});

	test('Test Mode shows what an order would earn and keeps nothing; the real run afterwards books it once', async () => {
		const order = { resource: 'points', operation: 'earnForOrder', orderId: 'try-1', orderSource: 'woocommerce', orderTotal: 40, currency: 'USD', placedAt: '2026-03-05T10:00:00Z', identifyBy: 'email', customerValue: 'tess@example.com' };
		const [tried] = await run({ ...order, testMode: true });
		assert.deepEqual([tried.json.testMode, tried.json.kept, tried.json.change, (tried.json.balance as IDataObject).available], [true, false, { available: 40, pending: 0 }, 40]);
		await assert.rejects(run({ resource: 'customer', operation: 'getBalance', identifyBy: 'email', customerValue: 'tess@example.com' }), /no customer/, 'the customer was not even created');
		const [real] = await run(order);
		assert.deepEqual([real.json.replay, real.json.change], [false, { available: 40, pending: 0 }]);
	});

	test('A key reused for a different change of points is refused with advice about keys', async () => {
		await run({ resource: 'points', operation: 'adjust', points: 1, idempotencyKey: 'evt-reused', reason: 'Goodwill', ...customer });
		await assert.rejects(run({ resource: 'points', operation: 'redeem', points: 1, idempotencyKey: 'evt-reused', ...customer }), (error: unknown) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, /^idempotencyKey "evt-reused" was first used for adjust of \+1 points for customer with email ana@example.com; this request is redeem of 1 points/);
			assert.match(String(error.description), /already used for a different request/);
			return true;
		});
	});
});
