import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBalances, Ledger, openStore, type Store } from '../../engine';
import { importOrders, ImportMode, type ImportOptions } from '../../engine/import/orders';
import { backends } from '../support/stores';
import { eventually } from '../support/eventually';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-import-test-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, rows: string[]): string {
	const file = join(dir, name);
	writeFileSync(file, ['customer_id,placed_at,total,order_id,email', ...rows].join('\n') + '\n');
	return file;
}

/** What the books say: earn entries, points per customer (by identity), and whether they add up. */
async function books(store: Store): Promise<{ earns: number; reversals: number; balances: Record<string, number>; mismatches: number }> {
	const [{ n: earns }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'earn'");
	const [{ n: reversals }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'reverse'");
	const rows = await store.db.query<{ value: string; available: number }>(
		"SELECT i.value, a.available FROM loyalty_accounts a JOIN customer_identities i ON i.customer_id = a.customer_id AND i.kind = 'woocommerce' ORDER BY i.value",
	);
	return { earns: Number(earns), reversals: Number(reversals), balances: Object.fromEntries(rows.map((r) => [r.value, Number(r.available)])), mismatches: (await verifyBalances(store)).length };
}

const quiet: Partial<ImportOptions> = { onProgress: () => undefined };

describe('import of order history', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());

			test('importing twice books each order once', async () => {
				const file = csv(`twice-${backend.name}.csv`, ['t1,2026-01-02,12.50,t-1,t1@example.com', 't1,2026-01-02,12.50,t-1,t1@example.com', 't2,2026-01-03T10:00:00Z,40,t-2,', 't1,2026-01-04,-5.00,t-1,', 't3,2026-01-05,7,t-3,']);
				const ledger = new Ledger(store);
				const first = await importOrders(store, ledger, { file, source: 'woocommerce', mode: ImportMode.Earn, batchSize: 2, ...quiet });
				assert.equal(first.orders, 3, 'the two rows of order t-1 count once');
				assert.equal(first.written, 3);
				assert.equal(first.refunds, 1);
				const once = await books(store);
				const second = await importOrders(store, ledger, { file, source: 'woocommerce', mode: ImportMode.Earn, batchSize: 2, ...quiet });
				assert.equal(second.written, 0);
				assert.equal(second.alreadyBooked, 3);
				assert.deepEqual(await books(store), once);
				assert.equal(once.balances.t1, 12 - 4, '12.50 earns 12; refunding 5.00 of it takes back 12 × 5 / 12.5 = 4.8, rounded down');
				assert.equal(once.mismatches, 0);
			});

			test('an order a live webhook already earned for earns nothing again, and the other way round', async () => {
				const ledger = new Ledger(store);
				const live = await ledger.earnForOrder({ source: 'woocommerce', id: 'l-1', status: 'paid', placedAt: '2026-02-01T10:00:00Z', currency: 'USD', totalMinor: 3000, lines: [], customer: { identities: { woocommerce: 'l1' } } });
				assert.equal(live.replay, false);
				const file = csv(`overlap-${backend.name}.csv`, ['l1,2026-02-01,30.00,l-1,', 'l1,2026-02-02,20.00,l-2,']);
				const summary = await importOrders(store, ledger, { file, source: 'woocommerce', mode: ImportMode.Earn, ...quiet });
				assert.equal(summary.alreadyBooked, 1);
				assert.equal(summary.written, 1);
				const later = await ledger.earnForOrder({ source: 'woocommerce', id: 'l-2', status: 'paid', placedAt: '2026-02-02T00:00:00Z', currency: 'USD', totalMinor: 2000, lines: [], customer: { identities: { woocommerce: 'l1' } } });
				assert.equal(later.replay, true, 'the webhook arriving after the import is a replay');
				const [{ n }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE order_id IN ('l-1', 'l-2') AND kind = 'earn'");
				assert.equal(Number(n), 2);
				assert.equal((await books(store)).balances.l1, 50);
			});

			test('a bad line is reported with its number and skipped; the rest is imported', async () => {
				const file = csv(`bad-${backend.name}.csv`, ['b1,2026-03-01,5,b-1,', 'b1,yesterday,5,b-2,', ',2026-03-01,5,b-3,', 'b1,2026-03-01,five,b-4,', 'b1,2026-03-01,5,,', 'b1,2026-03-02,6,b-5,']);
				const problems: Array<{ line: number; message: string }> = [];
				const summary = await importOrders(store, new Ledger(store), { file, source: 'woocommerce', mode: ImportMode.Earn, onProblem: (p) => problems.push(p), ...quiet });
				assert.deepEqual(problems.map((p) => p.line), [3, 4, 5, 6]);
				assert.match(problems[0].message, /placed_at/);
				assert.match(problems[1].message, /customer_id/);
				assert.match(problems[2].message, /total/);
				assert.match(problems[3].message, /order_id/);
				assert.equal(summary.written, 2);
				assert.equal(summary.skippedLines, 4);
			});

			test('record-only records orders for insight and awards nothing', async () => {
				const file = csv(`record-${backend.name}.csv`, ['r1,2026-03-01,5,r-1,', 'r1,2026-03-02,6,r-2,']);
				const summary = await importOrders(store, new Ledger(store), { file, source: 'woocommerce', mode: ImportMode.RecordOnly, ...quiet });
				assert.equal(summary.written, 2);
				assert.equal((await store.getOrder('woocommerce', 'r-2'))?.totalMinor, 600);
				const [{ n }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE order_id IN ('r-1', 'r-2')");
				assert.equal(Number(n), 0);
			});
		});
	}

	test('an import killed mid-way and run again ends with the same books as one that was not', { timeout: 180_000 }, async () => {
		const rows: string[] = [];
		for (let i = 0; i < 6000; i++) rows.push(`k${i % 300},2026-01-${String(1 + (i % 28)).padStart(2, '0')},${(5 + (i % 50)).toFixed(2)},k-${i},`);
		rows.splice(3000, 0, 'k1,2026-02-01,-3.00,k-1,');
		const file = csv('kill.csv', rows);
		const cli = (storePath: string) =>
			spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../cli/main.ts'), 'import', '--orders', file, '--earn', '--source', 'woocommerce', '--store', storePath, '--batch', '50', '--checkpoint', `${storePath}.checkpoint`], { stdio: ['ignore', 'pipe', 'pipe'] });
		const finish = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

		const whole = join(dir, 'whole.sqlite');
		assert.equal(await finish(cli(whole)), 0);

		const killed = join(dir, 'killed.sqlite');
		const child = cli(killed);
		await eventually(
			'the import to checkpoint past line 1000',
			() => {
				const checkpoint = existsSync(`${killed}.checkpoint`) ? readFileSync(`${killed}.checkpoint`, 'utf8') : '';
				return checkpoint !== '' && (JSON.parse(checkpoint) as { line: number }).line > 1000;
			},
			{ timeoutMs: 60_000, intervalMs: 20 },
		);
		child.kill('SIGKILL');
		assert.equal(await finish(child), null, 'killed, not finished');
		assert.ok(existsSync(`${killed}.checkpoint`), 'a resume point is left behind');
		const resumed = cli(killed);
		let out = '';
		resumed.stdout!.on('data', (chunk) => (out += chunk));
		assert.equal(await finish(resumed), 0);
		assert.ok(JSON.parse(out).resumedAfterLine > 1000, 'the second run resumed instead of starting over');

		const a = await openStore({ kind: 'sqlite', path: whole });
		const b = await openStore({ kind: 'sqlite', path: killed });
		try {
			const expected = await books(a);
			assert.equal(expected.earns, 6000);
			assert.equal(expected.reversals, 1);
			assert.deepEqual(await books(b), expected);
		} finally {
			await a.close();
			await b.close();
		}
	});
});
