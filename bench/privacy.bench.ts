/**
 * `npm run bench`: a customer's data on request (docs/privacy.md) on a store with a shop's
 * history. Imports BENCH_PRIVACY_ORDERS orders (default 200,000, of a tenth as many customers) with
 * points into SQLite, then times, each on a different customer: an export, an erasure, and as the
 * peer a merge of two profiles (what the store already does when one order names two profiles:
 * it also visits every table that names a customer). The erasure also scans the tables that have
 * no index on their customer column (the ledger's operations, rule firings) and the quarantine.
 * Checks the books after (balances equal the ledger) and that nothing of the erased person is left.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eraseCustomer, exportCustomer, Ledger, openStore, verifyBalances, type Store } from '../engine';
import { importOrders, ImportMode } from '../engine/import/orders';
import { peakRssMb, resetPeak } from './rss';

const ORDERS = Number(process.env.BENCH_PRIVACY_ORDERS ?? 200_000);
const CUSTOMERS = Math.max(10, Math.floor(ORDERS / 10));
/** An owner answering a request waits for it; a second keeps the store's write lock short for the webhooks waiting behind it. */
const GOAL_ERASE_SECONDS = 1;

async function writeCsv(file: string): Promise<void> {
	const out = createWriteStream(file);
	out.write('customer_id,placed_at,total,order_id,currency,email\n');
	let chunk = '';
	for (let i = 0; i < ORDERS; i++) {
		const customer = i % CUSTOMERS;
		const day = new Date(Date.UTC(2024, 0, 1) + (i % 700) * 86_400_000).toISOString().slice(0, 10);
		chunk += `${customer},${day},${(10 + ((i * 37) % 190)).toFixed(2)},${500000 + i},USD,c${customer}@example.com\n`;
		if (chunk.length > 1 << 16) {
			if (!out.write(chunk)) await once(out, 'drain');
			chunk = '';
		}
	}
	out.end(chunk);
	await once(out, 'finish');
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T; peakRssMb: number }> {
	resetPeak();
	const started = performance.now();
	const result = await work();
	return { seconds: +((performance.now() - started) / 1000).toFixed(3), result, peakRssMb: peakRssMb() };
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-privacy-bench-'));
	let store: Store | undefined;
	try {
		const file = join(dir, 'orders.csv');
		await writeCsv(file);
		store = await openStore({ kind: 'sqlite', path: join(dir, 'privacy.sqlite') });
		const imported = await importOrders(store, new Ledger(store, { pendingDays: 0 }), { file, source: 'woocommerce', mode: ImportMode.Earn, checkpointPath: `${file}.checkpoint` });
		const s = store;
		const exported = await timed(() => exportCustomer(s, { identities: { email: 'c1@example.com' } }, { source: 'bench' }));
		const erased = await timed(() => eraseCustomer(s, { identities: { email: 'c2@example.com' } }, { source: 'bench' }));
		// The peer: one order naming two customers' identities merges their profiles.
		const merged = await timed(() => s.upsertCustomer({ identities: { email: 'c3@example.com', woocommerce: '4' } }));
		const mismatches = await verifyBalances(s);
		const [{ n: left }] = await s.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM customer_identities WHERE value = 'c2@example.com' OR value = '2'");
		const rows = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
		console.log(
			JSON.stringify({
				bench: 'privacy.erase',
				backend: 'sqlite',
				orders: ORDERS,
				customers: CUSTOMERS,
				importSeconds: imported.seconds,
				exportSeconds: exported.seconds,
				exportedRows: Object.values(exported.result.tables).reduce((n, t) => n + t.length, 0),
				eraseSeconds: erased.seconds,
				erasedRowsRemoved: rows(erased.result.removed),
				erasedRowsKept: rows(erased.result.kept),
				peer: 'merge of two profiles (one order naming both)',
				peerSeconds: merged.seconds,
				eraseVsPeer: +(erased.seconds / Math.max(merged.seconds, 0.001)).toFixed(1),
				balanceMismatches: mismatches.length,
				identitiesLeft: Number(left),
				peakRssMb: Math.max(exported.peakRssMb, erased.peakRssMb, merged.peakRssMb),
				goalEraseSeconds: GOAL_ERASE_SECONDS,
				met: erased.seconds < GOAL_ERASE_SECONDS && mismatches.length === 0 && Number(left) === 0,
			}),
		);
	} finally {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
