/**
 * `npm run bench`: importing a shop's order history (`n8n-loyalty import`). Generates an orders CSV
 * in a temp folder (BENCH_IMPORT_ORDERS, default 1,000,000 orders of 100,000 customers), imports it
 * with points (--earn) into SQLite, and a smaller one (BENCH_IMPORT_PG_ORDERS, default 100,000)
 * into PostgreSQL, whose time for 1,000,000 is extrapolated (and marked so). Checks the books after
 * (ledger sum = balances, one earn per order) and reports peak RSS (the file is streamed), the
 * process's CPU seconds and the load average, since on a shared machine the wall clock says as
 * much about the neighbours as about the import.
 * BENCH_IMPORT_BATCH overrides the orders per transaction; BENCH_BACKEND=sqlite|postgres runs one.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { verifyBalances, Ledger, openStore, type Store } from '../engine';
import { importOrders, ImportMode } from '../engine/import/orders';
import { POSTGRES } from '../test/support/stores';
import { peakRssMb, resetPeak } from './rss';

const SQLITE_ORDERS = Number(process.env.BENCH_IMPORT_ORDERS ?? 1_000_000);
const PG_ORDERS = Number(process.env.BENCH_IMPORT_PG_ORDERS ?? 100_000);
/** Issue 14: 1,000,000 orders in under 2 minutes on SQLite. */
const GOAL_SECONDS_PER_MILLION = 120;

async function writeCsv(file: string, orders: number): Promise<void> {
	const out = createWriteStream(file);
	out.write('customer_id,placed_at,total,order_id,currency\n');
	let chunk = '';
	for (let i = 0; i < orders; i++) {
		const day = new Date(Date.UTC(2023, 0, 1) + (i % 900) * 86_400_000).toISOString().slice(0, 10);
		chunk += `${(i * 7919) % Math.max(1, Math.floor(orders / 10))},${day},${(10 + ((i * 37) % 190)).toFixed(2)},${100000 + i},USD\n`;
		if (chunk.length > 1 << 16) {
			if (!out.write(chunk)) await once(out, 'drain');
			chunk = '';
		}
	}
	out.end(chunk);
	await once(out, 'finish');
}

async function run(store: Store, backend: string, file: string, orders: number): Promise<void> {
	const ledger = new Ledger(store, { pendingDays: 0 });
	resetPeak();
	const cpu = process.cpuUsage();
	const summary = await importOrders(store, ledger, { file, source: 'woocommerce', mode: ImportMode.Earn, checkpointPath: `${file}.${backend}.checkpoint`, ...(process.env.BENCH_IMPORT_BATCH ? { batchSize: Number(process.env.BENCH_IMPORT_BATCH) } : {}) });
	const used = process.cpuUsage(cpu);
	const cpuSeconds = (used.user + used.system) / 1e6;
	const loadAverage = +loadavg()[0].toFixed(2);
	const [{ n: earns }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'earn'");
	const mismatches = await verifyBalances(store);
	const booksOk = Number(earns) === orders && mismatches.length === 0 && summary.written === orders;
	const perMillion = (summary.seconds * 1_000_000) / orders;
	console.log(
		JSON.stringify({
			bench: 'import.orders',
			backend,
			mode: 'earn',
			orders,
			seconds: summary.seconds,
			ordersPerSecond: summary.ordersPerSecond,
			secondsPerMillion: +perMillion.toFixed(1),
			...(orders < 1_000_000 ? { secondsPerMillionExtrapolated: true } : {}),
			// This process's CPU (SQLite's work included, PostgreSQL's server not) and the load meanwhile:
			// on a shared machine the wall-clock time says how much of a core the import got.
			cpuSeconds: +cpuSeconds.toFixed(1),
			cpuSecondsPerMillion: +((cpuSeconds * 1_000_000) / orders).toFixed(1),
			loadAverage,
			earnEntries: Number(earns),
			balanceMismatches: mismatches.length,
			booksOk,
			peakRssMb: peakRssMb(),
			...(backend === 'sqlite' ? { goalSecondsPerMillion: GOAL_SECONDS_PER_MILLION, met: booksOk && orders >= 1_000_000 && summary.seconds < GOAL_SECONDS_PER_MILLION } : {}),
		}),
	);
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-import-bench-'));
	try {
		if (process.env.BENCH_BACKEND !== 'postgres') {
			const file = join(dir, 'orders.csv');
			await writeCsv(file, SQLITE_ORDERS);
			const store = await openStore({ kind: 'sqlite', path: join(dir, 'import.sqlite') });
			if (process.env.BENCH_SQLITE_CACHE_MB) await store.db.execute(`PRAGMA cache_size = -${Number(process.env.BENCH_SQLITE_CACHE_MB) * 1024}`);
			try {
				await run(store, 'sqlite', file, SQLITE_ORDERS);
			} finally {
				await store.close();
			}
		}
		if (process.env.BENCH_BACKEND !== 'sqlite') {
			const file = join(dir, 'orders-pg.csv');
			await writeCsv(file, PG_ORDERS);
			const schema = `loyalty_import_${randomBytes(4).toString('hex')}`;
			let store: Store | undefined;
			try {
				store = await openStore({ kind: 'postgres', ...POSTGRES, schema });
			} catch (error) {
				console.log(JSON.stringify({ bench: 'import.orders', backend: 'postgres', skipped: `PostgreSQL not reachable: ${(error as Error).message}` }));
			}
			if (store) {
				try {
					await run(store, 'postgres', file, PG_ORDERS);
				} finally {
					await store.close();
					const client = new Client(POSTGRES);
					await client.connect();
					await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
					await client.end();
				}
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
