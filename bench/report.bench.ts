/**
 * `npm run bench report`: how long the owner's page takes on a big shop. Prints one JSON line.
 * A SQLite store is filled with bulk SQL (not through the ledger, which would take hours):
 * BENCH_CUSTOMERS customers (default 100,000) and BENCH_ORDERS paid orders (default 1,000,000)
 * spread over 120 days, each with its purchase event and its earn entry, plus one account per
 * customer. Measured: building the report and rendering the page, against the peer of a bare
 * `SELECT COUNT(*) FROM orders` on the same file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, openStore, renderReportHtml } from '../engine';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const NOW = new Date('2026-03-20T12:00:00Z');

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-report-bench-'));
	const store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
	try {
		const fillStarted = performance.now();
		const seq = (n: number) => `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n - 1})`;
		// Order i is placed (i mod 120) days and (i mod 86,400) seconds before NOW.
		const placed = `strftime('%Y-%m-%dT%H:%M:%fZ', '${NOW.toISOString()}', '-' || (i % 120) || ' days', '-' || (i % 86400) || ' seconds')`;
		const total = `(1000 + (i * 37) % 9000)`;
		await store.db.execute(`${seq(CUSTOMERS)} INSERT INTO customers (id, profile, created_at, updated_at) SELECT 'c' || i, '{}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z' FROM seq`);
		await store.db.execute(
			`${seq(ORDERS)} INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, payload, updated_at)
			 SELECT 'woocommerce', 'o' || i, 'c' || (i % ${CUSTOMERS}), 'paid', ${placed}, 'USD', ${total}, '{}', ${placed} FROM seq`,
		);
		await store.db.execute(
			`${seq(ORDERS)} INSERT INTO events (id, type, source, idempotency_key, customer_id, occurred_at, received_at, payload)
			 SELECT 'e' || i, 'purchase', 'woocommerce', 'woocommerce:order:o' || i || ':paid', 'c' || (i % ${CUSTOMERS}), ${placed}, ${placed},
			 json_object('order', json_object('source', 'woocommerce', 'id', 'o' || i, 'status', 'paid', 'currency', 'USD', 'totalMinor', ${total}, 'placedAt', ${placed})) FROM seq`,
		);
		// Nine orders in ten earned; the rest are "not processed yet" for the reconciliation.
		await store.db.execute(
			`${seq(ORDERS)} INSERT INTO ledger_entries (program_id, customer_id, kind, available_delta, pending_delta, operation_key, order_source, order_id, created_at)
			 SELECT 'default', 'c' || (i % ${CUSTOMERS}), 'earn', ${total} / 100, 0, 'woocommerce:order:o' || i || ':paid', 'woocommerce', 'o' || i, ${placed} FROM seq WHERE i % 10 <> 9`,
		);
		await store.db.execute(
			`INSERT INTO loyalty_accounts (program_id, customer_id, available, pending, lifetime_earned, last_activity_at, updated_at)
			 SELECT program_id, customer_id, SUM(available_delta), 0, SUM(available_delta), MAX(created_at), MAX(created_at) FROM ledger_entries GROUP BY program_id, customer_id`,
		);
		const fillMs = performance.now() - fillStarted;

		const peer = await timed(() => store.db.query('SELECT COUNT(*) AS n FROM orders'));
		const first = await timed(async () => renderReportHtml(await buildReport(store, { now: NOW })));
		const again = await timed(async () => renderReportHtml(await buildReport(store, { now: NOW })));
		const report = await buildReport(store, { now: NOW });
		console.log(
			JSON.stringify({
				bench: 'report.page',
				customers: CUSTOMERS,
				orders: ORDERS,
				fillMs: Math.round(fillMs),
				pageMs: Math.round(first.ms),
				pageWarmMs: Math.round(again.ms),
				pageBytes: first.result.length,
				peerCountMs: +peer.ms.toFixed(1),
				ratioToPeer: +(again.ms / peer.ms).toFixed(1),
				members: report.program.members,
				outstanding: report.program.outstanding.total,
				peakRssMb: Math.round(process.memoryUsage().rss / 1e6),
			}),
		);
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
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
