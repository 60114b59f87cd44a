import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { closeSharedStores, listPrivacyRequests, openSharedStore, type Store } from '../../../engine';
import { LoyaltyCustomerData } from '../../../nodes/LoyaltyCustomerData/LoyaltyCustomerData.node';
import { storeConfigFromCredentials } from '../../../nodes/shared/store';
import { findPersonalValues } from '../../support/schemaWalk';
import { personNamed, seedRichCustomer, type SeededCustomer } from '../../support/richCustomer';
import { executeContext, type Credentials } from './fakes';

const node = new LoyaltyCustomerData();
const NOW = new Date('2026-06-01T12:00:00Z');
const SOURCE = 'n8n: unit test / Loyalty Customer Data';
let dir: string;
let credentials: Credentials;
let store: Store;
let ada: SeededCustomer;
let eve: SeededCustomer;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-customer-data-'));
	credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
	store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
	ada = await seedRichCustomer(store, personNamed('ada'), 'ada', NOW);
	eve = await seedRichCustomer(store, personNamed('eve'), 'eve', NOW);
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

async function run(parameters: (itemIndex: number) => INodeParameters, options: { items: number; continueOnFail?: boolean }) {
	const context = executeContext({ description: node.description, parameters, credentials, items: Array.from({ length: options.items }, (_, i) => ({ json: { i } })), continueOnFail: options.continueOnFail });
	const [output] = await node.execute.call(context);
	return output;
}

async function requestCount(): Promise<number> {
	return (await listPrivacyRequests(store.db, { limit: 10_000 })).length;
}

describe('Loyalty Customer Data, executed with a fake n8n context against a real SQLite store', () => {
	test('Export Customer Data: one item per customer with everything held, paired, and logged with the workflow and node', async () => {
		const output = await run((i) => ({ operation: 'export', identifyBy: i === 0 ? 'email' : 'customerId', customerValue: i === 0 ? ada.person.email : eve.customerId }), { items: 2 });
		assert.deepEqual(output.map((item) => item.pairedItem), [{ item: 0 }, { item: 1 }]);
		const [first, second] = output.map((item) => item.json);
		assert.equal((first.customer as IDataObject).id, ada.customerId);
		assert.equal((second.customer as IDataObject).id, eve.customerId);
		const tables = first.tables as Record<string, IDataObject[]>;
		for (const table of ['customer_identities', 'delivery_consent_changes', 'ledger_entries', 'loyalty_accounts', 'rule_firings', 'delivery_sends', 'customer_insights', 'intake_quarantine']) assert.ok(tables[table]?.length > 0, table);
		const [logged] = await listPrivacyRequests(store.db, { customerId: ada.customerId });
		assert.deepEqual([logged.id, logged.kind, logged.source], [first.requestId, 'export', SOURCE]);
	});

	test('Erase Customer Data refuses without "Confirm Erase", naming it, and writes nothing', async () => {
		const before = await requestCount();
		await assert.rejects(
			run(() => ({ operation: 'erase', identifyBy: 'email', customerValue: ada.person.email }), { items: 1 }),
			(error: NodeOperationError) => error instanceof NodeOperationError && /Confirm Erase/.test(error.message) && error.context.itemIndex === 0,
		);
		assert.equal(await requestCount(), before);
		assert.ok((await findPersonalValues(store, ada.needles)).hits.length > 0, 'the customer is still there');
	});

	test('with "Confirm Erase" on: erased once, a repeat says so, an unknown customer fails alone (Continue On Fail) and the next item still runs', async () => {
		const values = [ada.person.email, 'nobody@example.org', ada.person.phone, eve.person.email];
		const kinds = ['email', 'email', 'phone', 'email'];
		const output = await run((i) => ({ operation: 'erase', identifyBy: kinds[i], customerValue: values[i], confirmErase: true }), { items: 4, continueOnFail: true });
		assert.deepEqual(output.map((item) => item.pairedItem), [{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		const [first, unknown, repeat, other] = output.map((item) => item.json);
		assert.deepEqual([first.status, first.erased], ['erased', true]);
		assert.match(String(first.pseudonym), /^erased:/);
		assert.deepEqual([unknown.field, /no such customer/.test(String(unknown.error))], ['customer', true]);
		assert.deepEqual([repeat.status, repeat.erased, repeat.requestId], ['already_erased', false, first.requestId]);
		assert.equal(other.status, 'erased');
		assert.deepEqual((await findPersonalValues(store, [...ada.needles, ...eve.needles])).hits, []);
		const erasure = (await listPrivacyRequests(store.db, { customerId: String(first.pseudonym) })).find((r) => r.id === first.requestId);
		assert.equal(erasure?.source, SOURCE);
	});

	test('without Continue On Fail, an unknown customer stops the node with an error naming the customer', async () => {
		await assert.rejects(
			run(() => ({ operation: 'export', identifyBy: 'email', customerValue: 'nobody@example.org' }), { items: 1 }),
			(error: NodeOperationError) => /no such customer/.test(error.message) && /Identify Customer By/.test(String(error.description)),
		);
	});
});
