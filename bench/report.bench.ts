/**
 * `npm run bench report`: how long the owner's page takes on a big shop, on SQLite and on
 * PostgreSQL. Prints one JSON line per store. Each store is filled with bulk SQL (not through the
 * ledger, which would take hours): BENCH_CUSTOMERS customers (default 100,000) and BENCH_ORDERS
 * paid orders (default 1,000,000) spread over 120 days, each with its purchase event and (nine in
 * ten) its earn entry, plus one account per customer. Measured: the first fold of the dashboard's
 * read model over that whole history (what an upgrade or a big import costs once), building the
 * report and rendering the page, cold and warm, against the goal of one second (each page
 * folds what is new first, so its time includes that look), then the fold of a small live tail
 * (BENCH_TAIL orders, default 1,000) and the page after it; beside a bare
 * `SELECT COUNT(*) FROM orders` on the same data, with the peak RSS and the load average.
 * BENCH_BACKEND=sqlite|postgres runs one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { buildReport, foldReport, openStore, renderReportHtml, type Store } from '../engine';
import { POSTGRES } from '../test/support/stores';
import { peakRssMb, resetPeak } from './rss';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const NOW = new Date('2026-03-20T12:00:00Z');
/** Issue 13: the page for 100,000 customers and 1,000,000 orders in under a second. */
const GOAL_MS = 1000;

const TAIL = Number(process.env.BENCH_TAIL ?? 1_000);

/**
 * Order i (from `first`, `count` of them) is placed (i mod `days`) days and (i mod `seconds`)
 * seconds before `now`; its total is 10.00–99.99.
 */
async function fillOrders(store: Store, first: number, count: number, now: Date, days: number, seconds: number): Promise<void> {
	const pg = store.db.dialect === 'postgres';
	const seq = pg
		? `WITH seq(i) AS (SELECT generate_series(${first}, ${first + count - 1}))`
		: `WITH RECURSIVE seq(i) AS (SELECT ${first} UNION ALL SELECT i + 1 FROM seq WHERE i < ${first + count - 1})`;
	const placed = pg
		? `to_char((TIMESTAMPTZ '${now.toISOString()}' - make_interval(days => i % ${days}, secs => i % ${seconds})) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
		: `strftime('%Y-%m-%dT%H:%M:%fZ', '${now.toISOString()}', '-' || (i % ${days}) || ' days', '-' || (i % ${seconds}) || ' seconds')`;
	const total = `(1000 + (i * 37) % 9000)`;
	const payload = pg
		? `json_build_object('order', json_build_object('source', 'woocommerce', 'id', 'o' || i, 'status', 'paid', 'currency', 'USD', 'totalMinor', ${total}, 'placedAt', ${placed}))::text`
		: `json_object('order', json_object('source', 'woocommerce', 'id', 'o' || i, 'status', 'paid', 'currency', 'USD', 'totalMinor', ${total}, 'placedAt', ${placed}))`;
	// The tail is written now, as a live shop would: when it was received and last written is the wall clock.
	const written = first === 0 ? placed : `'${new Date().toISOString()}'`;
	await store.db.execute(
		`${seq} INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, payload, updated_at)
		 SELECT 'woocommerce', 'o' || i, 'c' || (i % ${CUSTOMERS}), 'paid', ${placed}, 'USD', ${total}, '{}', ${written} FROM seq`,
	);
	await store.db.execute(
		`${seq} INSERT INTO events (id, type, source, idempotency_key, customer_id, occurred_at, received_at, payload)
		 SELECT 'e' || i, 'purchase', 'woocommerce', 'woocommerce:order:o' || i || ':paid', 'c' || (i % ${CUSTOMERS}), ${placed}, ${written}, ${payload} FROM seq`,
	);
	// Nine orders in ten earned; the rest are "not processed yet" for the reconciliation.
	await store.db.execute(
		`${seq} INSERT INTO ledger_entries (program_id, customer_id, kind, available_delta, pending_delta, operation_key, order_source, order_id, created_at)
		 SELECT 'default', 'c' || (i % ${CUSTOMERS}), 'earn', ${total} / 100, 0, 'woocommerce:order:o' || i || ':paid', 'woocommerce', 'o' || i, ${placed} FROM seq WHERE i % 10 <> 9`,
	);
}

async function fill(store: Store): Promise<void> {
	const pg = store.db.dialect === 'postgres';
	const seq = pg ? `WITH seq(i) AS (SELECT generate_series(0, ${CUSTOMERS - 1}))` : `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${CUSTOMERS - 1})`;
	await store.db.execute(`${seq} INSERT INTO customers (id, profile, created_at, updated_at) SELECT 'c' || i, '{}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z' FROM seq`);
	await fillOrders(store, 0, ORDERS, NOW, 120, 86_400);
	await store.db.execute(
		`INSERT INTO loyalty_accounts (program_id, customer_id, available, pending, lifetime_earned, last_activity_at, updated_at)
		 SELECT program_id, customer_id, SUM(available_delta), 0, SUM(available_delta), MAX(created_at), MAX(created_at) FROM ledger_entries GROUP BY program_id, customer_id`,
	);
	// A live database is vacuumed by autovacuum; a fresh bulk fill is not yet.
	if (pg) await store.db.execute('VACUUM ANALYZE');
}

async function measure(store: Store, backend: string): Promise<void> {
	const fillStarted = performance.now();
	await fill(store);
	const fillMs = performance.now() - fillStarted;
	resetPeak();
	const peer = await timed(() => store.db.query('SELECT COUNT(*) AS n FROM orders'));
	// What an upgrade (or a big import) costs once: the read model folded from the whole history.
	const whole = await timed(() => foldReport(store));
	if (store.db.dialect === 'postgres') await store.db.execute('VACUUM ANALYZE');
	const first = await timed(async () => renderReportHtml(await buildReport(store, { now: NOW })));
	const again = await timed(async () => renderReportHtml(await buildReport(store, { now: NOW })));
	// The count that finds rows written with a clock behind (a page pays it at most once a minute).
	const verify = await timed(() => foldReport(store, { verify: true }));
	// A live shop's last few minutes: a small tail of orders placed within ten minutes, with their events and earns, folded on its own.
	await fillOrders(store, ORDERS, TAIL, NOW, 1, 600);
	const tail = await timed(() => foldReport(store));
	const afterTail = await timed(async () => renderReportHtml(await buildReport(store, { now: NOW })));
	const report = await buildReport(store, { now: NOW });
	console.log(
		JSON.stringify({
			bench: 'report.page',
			backend,
			customers: CUSTOMERS,
			orders: ORDERS,
			fillMs: Math.round(fillMs),
			pageMs: Math.round(first.ms),
			pageWarmMs: Math.round(again.ms),
			goalMs: GOAL_MS,
			met: CUSTOMERS >= 100_000 && ORDERS >= 1_000_000 && first.ms < GOAL_MS && again.ms < GOAL_MS,
			foldVerifyMs: Math.round(verify.ms),
			foldWholeMs: Math.round(whole.ms),
			foldWholeRows: whole.result.ledgerEntries + whole.result.events + whole.result.orders,
			tailOrders: TAIL,
			foldTailMs: Math.round(tail.ms),
			pageAfterTailMs: Math.round(afterTail.ms),
			pageBytes: first.result.length,
			peerCountMs: +peer.ms.toFixed(1),
			ratioToPeer: +(again.ms / peer.ms).toFixed(1),
			members: report.program.members,
			outstanding: report.program.outstanding.total,
			issued: report.program.points.issued,
			ordersSeen: report.health.reconciliation.rows.reduce((sum, row) => sum + row.ordersSeen, 0),
			peakRssMb: peakRssMb(),
			loadAvg: loadavg().map((x) => +x.toFixed(2)),
		}),
	);
}

async function main(): Promise<void> {
	if (process.env.BENCH_BACKEND !== 'postgres') {
		const dir = mkdtempSync(join(tmpdir(), 'loyalty-report-bench-'));
		const store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
		try {
			await measure(store, 'sqlite');
		} finally {
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		}
	}
	if (process.env.BENCH_BACKEND !== 'sqlite') {
		const schema = `loyalty_report_${randomBytes(4).toString('hex')}`;
		let store: Store | undefined;
		try {
			store = await openStore({ kind: 'postgres', ...POSTGRES, schema });
		} catch (error) {
			console.log(JSON.stringify({ bench: 'report.page', backend: 'postgres', skipped: `PostgreSQL not reachable: ${(error as Error).message}` }));
		}
		if (store) {
			try {
				await measure(store, 'postgres');
			} finally {
				await store.close();
				const client = new Client(POSTGRES);
				await client.connect();
				await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await client.end();
			}
		}
	}
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
	const started = performance.now();
	const result = await work();
	return { result, ms: performance.now() - started };
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
