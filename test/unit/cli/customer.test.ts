import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, verifyBalances, type Store } from '../../../engine';
import { runCli } from '../../support/cli';
import { findPersonalValues } from '../../support/schemaWalk';
import { personNamed, seedRichCustomer, type SeededCustomer } from '../../support/richCustomer';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-cli-customer-'));
const storePath = join(dir, 'loyalty.sqlite');
let ada: SeededCustomer;
let bob: SeededCustomer;

/** Looks at the store between commands (each command opens and closes it itself). */
async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
	const store = await openStore({ kind: 'sqlite', path: storePath });
	try {
		return await work(store);
	} finally {
		await store.close();
	}
}

before(async () => {
	await withStore(async (store) => {
		ada = await seedRichCustomer(store, personNamed('ada'), 'ada', new Date('2026-06-01T12:00:00Z'));
		bob = await seedRichCustomer(store, personNamed('bob'), 'bob', new Date('2026-06-01T12:00:00Z'));
	});
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('n8n-loyalty customer', () => {
	test('export prints one JSON document with everything held about the customer, and logs it', async () => {
		const out = await runCli(['customer', 'export', ada.person.email, '--store', storePath, '--source', 'ticket 4711']);
		assert.equal(out.code, 0, out.errors.join('\n'));
		const exported = JSON.parse(out.lines.join('\n')) as { customer: { id: string; firstName: string }; tables: Record<string, unknown[]>; requestId: string };
		assert.deepEqual([exported.customer.id, exported.customer.firstName], [ada.customerId, ada.person.firstName]);
		for (const table of ['customer_identities', 'delivery_consent_changes', 'ledger_entries', 'rule_firings', 'delivery_sends', 'customer_insights']) assert.ok(exported.tables[table]?.length > 0, table);
		assert.match(out.errors.join('\n'), new RegExp(`exported customer ${ada.customerId} .*logged as ${exported.requestId}`));
		const log = await runCli(['customer', 'requests', ada.customerId, '--store', storePath]);
		assert.deepEqual(log.lines.map((line) => JSON.parse(line) as { kind: string; source: string }).map((r) => [r.kind, r.source]), [['export', 'cli: ticket 4711']]);
	});

	test('export --out writes the document to a file only its owner can read', async () => {
		const file = join(dir, 'bob.json');
		const out = await runCli(['customer', 'export', bob.customerId, '--out', file, '--store', storePath]);
		assert.equal(out.code, 0);
		assert.deepEqual(out.lines, []);
		assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { customer: { id: string } }).customer.id, bob.customerId);
		assert.equal(statSync(file).mode & 0o077, 0);
	});

	test('erase without --yes erases nothing and says how', async () => {
		await assert.rejects(runCli(['customer', 'erase', ada.person.email, '--store', storePath]), /nothing was erased.*--yes/);
		assert.ok((await withStore((store) => findPersonalValues(store, ada.needles))).hits.length > 0);
	});

	test('bad or unknown customers: a clear error, nothing written', async () => {
		await assert.rejects(runCli(['customer', 'erase', 'Ada Lovelace', '--yes', '--store', storePath]), /neither a customer id .* nor a phone number/);
		await assert.rejects(runCli(['customer', 'erase', 'nobody@example.org', '--yes', '--store', storePath]), /customer: no such customer in the loyalty store; nothing was erased/);
		await assert.rejects(runCli(['customer', 'export', '--store', storePath]), /name the customer/);
		await assert.rejects(runCli(['customer', 'forget', ada.person.email, '--store', storePath]), /export, erase or requests/);
		await assert.rejects(runCli(['customer', 'requests', ada.person.email, '--store', storePath]), /by id only/);
		const log = await runCli(['customer', 'requests', '--store', storePath]);
		assert.deepEqual(log.lines.map((line) => (JSON.parse(line) as { kind: string }).kind), ['export', 'export']);
	});

	test('erase --yes: the person is gone from every table, the books balance, a repeat says so', async () => {
		const out = await runCli(['customer', 'erase', ada.person.phone, '--yes', '--store', storePath]);
		assert.equal(out.code, 0, out.errors.join('\n'));
		const outcome = JSON.parse(out.lines[0]) as { status: string; pseudonym: string; requestId: string };
		assert.equal(outcome.status, 'erased');
		assert.match(out.errors.join('\n'), /^Erased: \d+ rows removed, \d+ kept under erased:/);
		await withStore(async (store) => {
			assert.deepEqual((await findPersonalValues(store, ada.needles)).hits, []);
			assert.deepEqual(await verifyBalances(store), []);
			assert.ok((await findPersonalValues(store, bob.needles)).hits.length > 0, 'the other customer is still there');
		});
		const again = await runCli(['customer', 'erase', ada.person.email, '--yes', '--store', storePath]);
		assert.equal((JSON.parse(again.lines[0]) as { status: string }).status, 'already_erased');
		assert.match(again.errors.join('\n'), /already erased/);
		const log = await runCli(['customer', 'requests', outcome.pseudonym, '--store', storePath]);
		assert.deepEqual(log.lines.map((line) => JSON.parse(line) as { kind: string; outcome: string; source: string }).map((r) => [r.kind, r.outcome, r.source]).sort(), [
			['erase', 'already_erased', 'cli'],
			['erase', 'erased', 'cli'],
			['export', 'exported', 'cli: ticket 4711'],
		]);
	});
});
