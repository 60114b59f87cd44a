import type { SqlClient } from '../store/db';
import { executeRows, queryRows, ROWS } from '../store/multiRow';
import type { Store } from '../store/store';

/**
 * Folds what the base tables gained since the last look into the dashboard's read model
 * (engine/report/migrations.ts). Nothing on the write path maintains it: the page folds the tail
 * before it reads, and the health check and an import fold at their end, so a page after a big
 * import finds it done.
 *
 * - ledger_entries are append-only with an increasing id: folded by id. On PostgreSQL an id can
 *   commit after a higher one (several writers); the ids missing below the watermark are kept as
 *   gaps and looked at again until they appear or are older than GAP_TTL_MS (a rolled-back insert
 *   leaves its id unused for ever).
 * - events and orders are folded by when they were received / last written, again from
 *   MARGIN_MS before the last watermark, because those times come from the writers' clocks and a
 *   transaction may commit after a later one. Folding them is idempotent (per-order minimums and
 *   maximums; per-hour counts and per-customer sums recomputed from the base rows), so folding a
 *   row twice changes nothing. A count check catches rows written with a time older than that.
 *
 * Every step takes the read model's lock row first, so two folders (several n8n workers) and a
 * customer merge never interleave; each batch is one transaction with its watermark.
 */
export const MARGIN_MS = 10 * 60_000;
export const GAP_TTL_MS = 10 * 60_000;
export const VERIFY_EVERY_MS = 60_000;
const BATCH = 20_000;
const LARGE_TAIL = 100_000;
/** Above this many touched hours or customers a batch recomputes the whole summary in one statement. */
const WHOLE = 2_000;

export interface FoldResult {
	ledgerEntries: number;
	events: number;
	orders: number;
	ms: number;
}

type Gap = [lo: number, hi: number, seenAt: number];

/** Folds everything written so far; returns how many base rows it read. */
export async function foldReport(store: Store, options: FoldOptions = {}): Promise<FoldResult> {
	const started = performance.now();
	const now = options.now ?? new Date();
	const [verified] = await store.db.query<{ position: string }>(`SELECT position FROM report_fold_state WHERE name = 'lock'`);
	const verify = options.verify ?? !(Date.parse(verified?.position ?? '') > now.getTime() - VERIFY_EVERY_MS);
	const ledgerEntries = await foldLedger(store, now);
	const events = await foldEvents(store, now, verify);
	const orders = await foldOrders(store, now, verify);
	if (verify) await store.db.execute(`UPDATE report_fold_state SET position = $1 WHERE name = 'lock'`, [now.toISOString()]);
	return { ledgerEntries, events, orders, ms: performance.now() - started };
}

export interface FoldOptions {
	now?: Date;
	/**
	 * Count the events and orders tables whole to find rows written with a clock more than
	 * MARGIN_MS behind (two full counts: the dearest part of a fold with little new). Default: when
	 * the last count is older than VERIFY_EVERY_MS.
	 */
	verify?: boolean;
}

async function lock(sql: SqlClient): Promise<void> {
	await sql.execute(`UPDATE report_fold_state SET position = position WHERE name = 'lock'`);
}

async function state(sql: SqlClient, name: string): Promise<{ position: string; gaps: string }> {
	const [row] = await sql.query<{ position: string; gaps: string }>('SELECT position, gaps FROM report_fold_state WHERE name = $1', [name]);
	return row;
}

async function saveState(sql: SqlClient, name: string, position: string, gaps: string, now: Date): Promise<void> {
	await sql.execute('UPDATE report_fold_state SET position = $2, gaps = $3, folded_at = $4 WHERE name = $1', [name, position, gaps, now.toISOString()]);
}

// ——— ledger ———

async function foldLedger(store: Store, now: Date): Promise<number> {
	let total = 0;
	for (;;) {
		const folded = await store.db.transaction(async (sql) => {
			await lock(sql);
			const s = await state(sql, 'ledger');
			const watermark = Number(s.position);
			const gaps = JSON.parse(s.gaps) as Gap[];
			const [max] = await sql.query<{ id: number | null }>('SELECT MAX(id) AS id FROM ledger_entries');
			const top = Number(max?.id ?? 0);
			const upper = Math.min(top, watermark + BATCH);
			const ranges: Array<{ lo: number; hi: number; seenAt: number }> = gaps.map(([lo, hi, seenAt]) => ({ lo, hi, seenAt }));
			if (upper > watermark) ranges.push({ lo: watermark + 1, hi: upper, seenAt: now.getTime() });
			if (ranges.length === 0) return { rows: 0, more: false };
			let rows = 0;
			const left: Gap[] = [];
			const touchedHours = new Set<string>();
			for (const range of ranges) {
				const ids = (await sql.query<{ id: number }>('SELECT id FROM ledger_entries WHERE id BETWEEN $1 AND $2 ORDER BY id', [range.lo, range.hi])).map((r) => Number(r.id));
				if (ids.length > 0) {
					rows += ids.length;
					await foldLedgerRange(sql, range.lo, range.hi, touchedHours);
				}
				// SQLite has one writer at a time and this transaction sees all it committed: an id
				// missing there was rolled back. On PostgreSQL it may still be committing.
				if (sql.dialect !== 'postgres' || now.getTime() - range.seenAt > GAP_TTL_MS) continue;
				left.push(...missing(range.lo, range.hi, ids).map(([lo, hi]): Gap => [lo, hi, range.seenAt]));
			}
			await recountHours(sql, touchedHours);
			await saveState(sql, 'ledger', String(Math.max(watermark, upper)), JSON.stringify(left), now);
			return { rows, more: upper < top };
		});
		total += folded.rows;
		if (!folded.more) return total;
	}
}

/** The runs of ids in [lo, hi] that `present` (ascending) lacks. */
function missing(lo: number, hi: number, present: readonly number[]): Array<[number, number]> {
	const runs: Array<[number, number]> = [];
	let next = lo;
	for (const id of present) {
		if (id > next) runs.push([next, id - 1]);
		next = id + 1;
	}
	if (next <= hi) runs.push([next, hi]);
	return runs;
}

async function foldLedgerRange(sql: SqlClient, lo: number, hi: number, touchedHours: Set<string>): Promise<void> {
	const range = [lo, hi];
	await sql.execute(
		`INSERT INTO report_ledger_hours (program_id, kind, hour, total)
		 SELECT program_id, kind, SUBSTR(created_at, 1, 13), SUM(available_delta + pending_delta) FROM ledger_entries WHERE id BETWEEN $1 AND $2
		 GROUP BY program_id, kind, SUBSTR(created_at, 1, 13)
		 ON CONFLICT (program_id, kind, hour) DO UPDATE SET total = report_ledger_hours.total + excluded.total`,
		range,
	);
	// Breakage follows each movement to the earn it draws on (its lot), by the hour that earn was made.
	await sql.execute(
		`INSERT INTO report_lot_moves (program_id, lot_hour, kind, total)
		 SELECT e.program_id, SUBSTR(l.created_at, 1, 13), e.kind, SUM(e.available_delta + e.pending_delta)
		 FROM ledger_entries e JOIN ledger_entries l ON l.id = e.lot_id
		 WHERE e.id BETWEEN $1 AND $2 AND l.program_id = e.program_id AND l.kind IN ('earn', 'pending')
		 GROUP BY e.program_id, SUBSTR(l.created_at, 1, 13), e.kind
		 ON CONFLICT (program_id, lot_hour, kind) DO UPDATE SET total = report_lot_moves.total + excluded.total`,
		range,
	);
	await sql.execute(
		`INSERT INTO report_activity (program_id, customer_id, last_at)
		 SELECT program_id, customer_id, MAX(created_at) FROM ledger_entries WHERE id BETWEEN $1 AND $2 AND kind IN ('earn', 'pending', 'redeem')
		 GROUP BY program_id, customer_id
		 ON CONFLICT (program_id, customer_id) DO UPDATE SET last_at = CASE WHEN excluded.last_at > report_activity.last_at THEN excluded.last_at ELSE report_activity.last_at END`,
		range,
	);
	const earns = `SELECT DISTINCT program_id, order_source, order_id FROM ledger_entries WHERE id BETWEEN $1 AND $2 AND kind IN ('earn', 'pending') AND order_id IS NOT NULL AND order_source IS NOT NULL`;
	await sql.execute(`INSERT INTO report_order_earns (program_id, source, id) ${earns} ON CONFLICT (program_id, source, id) DO NOTHING`, range);
	const orders = await sql.query<{ source: string; id: string; hour: string }>(
		`SELECT DISTINCT o.source, o.id, o.hour FROM (${earns}) x JOIN report_orders o ON o.source = x.order_source AND o.id = x.order_id`,
		range,
	);
	await setEarned(
		sql,
		orders.map((o) => [o.source, o.id]),
	);
	for (const o of orders) touchedHours.add(o.hour);
}

/** report_orders.earned: how many programs credited the order. */
async function setEarned(sql: SqlClient, keys: ReadonlyArray<readonly [string, string]>): Promise<void> {
	for (let i = 0; i < keys.length; i += BATCH) {
		await executeRows(
			sql,
			`UPDATE report_orders SET earned = (SELECT COUNT(*) FROM report_order_earns e WHERE e.source = report_orders.source AND e.id = report_orders.id)
			 WHERE (source, id) IN (${ROWS})`,
			['text', 'text'],
			keys.slice(i, i + BATCH),
		);
	}
}

/** Per-hour order counts (seen, recorded, earning per program), recounted from report_orders for the hours whose orders changed. */
const ALL_HOURS = new Set<string>(['*']);

async function recountHours(sql: SqlClient, hours: Set<string>): Promise<void> {
	if (hours.size === 0) return;
	const seen = 'SELECT hour, COUNT(*), SUM(recorded) FROM report_orders';
	const earning = 'SELECT e.program_id, o.hour, COUNT(*) FROM report_orders o JOIN report_order_earns e ON e.source = o.source AND e.id = o.id';
	if (hours.size > WHOLE || hours === ALL_HOURS) {
		await sql.execute('DELETE FROM report_order_hours');
		await sql.execute(`INSERT INTO report_order_hours (hour, seen, recorded) ${seen} GROUP BY hour`);
		await sql.execute('DELETE FROM report_earn_hours');
		await sql.execute(`INSERT INTO report_earn_hours (program_id, hour, n) ${earning} GROUP BY e.program_id, o.hour`);
		return;
	}
	const rows = [...hours].map((h) => [h]);
	await executeRows(sql, `DELETE FROM report_order_hours WHERE hour IN (${ROWS})`, ['text'], rows);
	await executeRows(sql, `INSERT INTO report_order_hours (hour, seen, recorded) ${seen} WHERE hour IN (${ROWS}) GROUP BY hour`, ['text'], rows);
	await executeRows(sql, `DELETE FROM report_earn_hours WHERE hour IN (${ROWS})`, ['text'], rows);
	await executeRows(sql, `INSERT INTO report_earn_hours (program_id, hour, n) ${earning} WHERE o.hour IN (${ROWS}) GROUP BY e.program_id, o.hour`, ['text'], rows);
}

// ——— orders as the shop and the store saw them (report_orders) ———

type OrderSummary = {
	source: string;
	id: string;
	customer_id: string | null;
	ev_at: string | null;
	ev_paid: number | null;
	ev_cur: string | null;
	ev_total: number | null;
	row_at: string | null;
	row_paid: number | null;
	row_cur: string | null;
	row_total: number | null;
	earned: number;
};

const SUMMARY_COLUMNS = ['source', 'id', 'customer_id', 'ev_at', 'ev_paid', 'ev_cur', 'ev_total', 'row_at', 'row_paid', 'row_cur', 'row_total', 'at', 'hour', 'paid', 'cur', 'total', 'recorded', 'earned'] as const;
const SUMMARY_TYPES = ['text', 'text', 'text', 'text', 'integer', 'text', 'bigint', 'text', 'integer', 'text', 'bigint', 'text', 'text', 'integer', 'text', 'bigint', 'integer', 'integer'] as const;

const lesser = <T extends string | number>(a: T | null, b: T | null): T | null => (a === null ? b : b === null ? a : b < a ? b : a);
const greater = <T extends string | number>(a: T | null, b: T | null): T | null => (a === null ? b : b === null ? a : b > a ? b : a);

/** What the reconciliation compares, merged over the order's purchase events and its row: first seen, paid if either says so, lowest currency code, highest total. */
function summaryRow(o: OrderSummary): unknown[] {
	const at = lesser(o.ev_at, o.row_at) ?? '';
	const derived = { at, hour: at.slice(0, 13), paid: greater(o.ev_paid, o.row_paid) ?? 0, cur: lesser(o.ev_cur, o.row_cur), total: greater(o.ev_total, o.row_total), recorded: o.row_at === null ? 0 : 1 };
	const all = { ...o, ...derived };
	return SUMMARY_COLUMNS.map((c) => all[c]);
}

async function summaries(sql: SqlClient, keys: ReadonlyArray<readonly [string, string]>): Promise<Map<string, OrderSummary & { hour: string }>> {
	const found = await queryRows<OrderSummary & { hour: string }>(
		sql,
		`SELECT source, id, customer_id, ev_at, ev_paid, ev_cur, ev_total, row_at, row_paid, row_cur, row_total, earned, hour FROM report_orders WHERE (source, id) IN (${ROWS})`,
		['text', 'text'],
		keys,
	);
	const map = new Map<string, OrderSummary & { hour: string }>();
	for (const row of found) {
		for (const c of ['ev_paid', 'ev_total', 'row_paid', 'row_total', 'earned'] as const) if (row[c] !== null) (row as unknown as Record<string, number>)[c] = Number(row[c]);
		map.set(keyOf(row.source, row.id), row);
	}
	return map;
}

const keyOf = (source: string, id: string) => `${source}\u0000${id}`;

async function writeSummaries(sql: SqlClient, rows: readonly OrderSummary[]): Promise<void> {
	// New orders an earn was folded for before the order was seen: earned comes from report_order_earns.
	const fresh = rows.filter((r) => r.earned < 0).map((r) => [r.source, r.id] as const);
	for (const r of rows) if (r.earned < 0) r.earned = 0;
	await executeRows(
		sql,
		`INSERT INTO report_orders (${SUMMARY_COLUMNS.join(', ')}) ${ROWS}
		 ON CONFLICT (source, id) DO UPDATE SET ${SUMMARY_COLUMNS.slice(2)
				.filter((c) => c !== 'earned')
				.map((c) => `${c} = excluded.${c}`)
				.join(', ')}`,
		SUMMARY_TYPES,
		rows.map(summaryRow),
	);
	if (fresh.length > 0) await setEarned(sql, fresh);
}

function emptySummary(source: string, id: string): OrderSummary {
	return { source, id, customer_id: null, ev_at: null, ev_paid: null, ev_cur: null, ev_total: null, row_at: null, row_paid: null, row_cur: null, row_total: null, earned: -1 };
}

// ——— events ———

async function foldEvents(store: Store, now: Date, verify: boolean): Promise<number> {
	const { position } = await store.db.transaction(async (sql) => state(sql, 'events'));
	let from = position === '' ? '' : hourStart(new Date(Date.parse(position) - MARGIN_MS));
	if (from !== '' && verify) {
		// Events are never deleted: fewer counted than stored before `from` means one arrived late with an older time.
		const [stored] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE received_at < $1', [from]);
		const [counted] = await store.db.query<{ n: number | null }>('SELECT SUM(n) AS n FROM report_event_hours WHERE hour < $1', [from.slice(0, 13)]);
		if (Number(stored?.n ?? 0) !== Number(counted?.n ?? 0)) from = '';
	}
	const pg = store.db.dialect === 'postgres';
	const field = (...path: string[]) => (pg ? `(j #>> '{${path.join(',')}}')` : `json_extract(j, '$.${path.join('.')}')`);
	if (from === '' || (await tailIsLarge(store, 'SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE received_at >= $1 LIMIT $2) t', from))) return foldAllEvents(store, now, field, pg);
	let rows = 0;
	let highest = position;
	let after: { at: string; id: string } | undefined;
	for (;;) {
		const batch = await store.db.transaction(async (sql) => {
			await lock(sql);
			const events = await sql.query<{ id: string; received_at: string; type: string; src: string | null; oid: string | null; paid: number; at: string; cur: string | null; total: number | null }>(
				`SELECT id, received_at, type, ${field('order', 'source')} AS src, ${field('order', 'id')} AS oid, CASE WHEN ${field('order', 'status')} = 'paid' THEN 1 ELSE 0 END AS paid,
					occurred_at AS at, ${field('order', 'currency')} AS cur, CAST(${field('order', 'totalMinor')} AS BIGINT) AS total
				 FROM (SELECT id, received_at, type, occurred_at, CASE WHEN type = 'purchase' THEN ${pg ? 'payload::jsonb' : 'payload'} END AS j FROM events
					WHERE received_at >= $1 ${after ? 'AND (received_at > $2 OR (received_at = $2 AND id > $3))' : ''} ORDER BY received_at, id LIMIT ${BATCH}) e`,
				after ? [from, after.at, after.id] : [from],
			);
			if (events.length === 0) return 0;
			const merged = new Map<string, { source: string; id: string; at: string; paid: number; cur: string | null; total: number | null }>();
			for (const e of events) {
				if (e.type !== 'purchase' || e.oid === null || e.src === null) continue;
				const key = keyOf(String(e.src), String(e.oid));
				const total = e.total === null ? null : Number(e.total);
				const m = merged.get(key);
				if (!m) merged.set(key, { source: String(e.src), id: String(e.oid), at: e.at, paid: Number(e.paid), cur: e.cur, total });
				else Object.assign(m, { at: lesser(m.at, e.at), paid: Math.max(m.paid, Number(e.paid)), cur: lesser(m.cur, e.cur), total: greater(m.total, total) });
			}
			const keys = [...merged.values()].map((m) => [m.source, m.id] as const);
			const existing = await summaries(sql, keys);
			const hours = new Set<string>();
			const changed: OrderSummary[] = [];
			for (const m of merged.values()) {
				const old = existing.get(keyOf(m.source, m.id));
				const next: OrderSummary = old ? { ...old } : emptySummary(m.source, m.id);
				next.ev_at = lesser(next.ev_at, m.at);
				next.ev_paid = greater(next.ev_paid, m.paid);
				next.ev_cur = lesser(next.ev_cur, m.cur);
				next.ev_total = greater(next.ev_total, m.total);
				if (old && old.ev_at === next.ev_at && old.ev_paid === next.ev_paid && old.ev_cur === next.ev_cur && old.ev_total === next.ev_total) continue;
				if (old) hours.add(old.hour);
				hours.add((lesser(next.ev_at, next.row_at) ?? '').slice(0, 13));
				changed.push(next);
			}
			await writeSummaries(sql, changed);
			await recountHours(sql, hours);
			const last = events[events.length - 1];
			after = { at: last.received_at, id: last.id };
			for (const e of events) if (e.received_at > highest) highest = e.received_at;
			return events.length;
		});
		rows += batch;
		if (batch < BATCH) break;
	}
	await store.db.transaction(async (sql) => {
		await lock(sql);
		const hour = from.slice(0, 13);
		await sql.execute('DELETE FROM report_event_hours WHERE hour >= $1', [hour]);
		await sql.execute(
			`INSERT INTO report_event_hours (source, hour, n, last_at) SELECT source, SUBSTR(received_at, 1, 13), COUNT(*), MAX(received_at) FROM events WHERE received_at >= $1 GROUP BY source, SUBSTR(received_at, 1, 13)`,
			[from],
		);
		await saveState(sql, 'events', highest, '[]', now);
	});
	return rows;
}

// ——— orders ———

async function foldOrders(store: Store, now: Date, verify: boolean): Promise<number> {
	const { position } = await store.db.transaction(async (sql) => state(sql, 'orders'));
	if (position === '') return foldAllOrders(store, now);
	const from = new Date(Date.parse(position) - MARGIN_MS).toISOString();
	if (await tailIsLarge(store, 'SELECT COUNT(*) AS n FROM (SELECT 1 FROM orders WHERE updated_at >= $1 LIMIT $2) t', from)) return foldAllOrders(store, now);
	// Orders are never deleted: every row counted now has a summary once the tail is folded, unless
	// it was written with a time older than the margin allows (then the whole history is folded again).
	const [before] = verify ? await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM orders') : [];
	let rows = 0;
	let highest = position;
	let after: { at: string; source: string; id: string } | undefined;
	for (;;) {
		const batch = await store.db.transaction(async (sql) => {
			await lock(sql);
			const orders = await sql.query<{ source: string; id: string; customer_id: string; status: string; placed_at: string; currency: string; total_minor: number; updated_at: string }>(
				`SELECT source, id, customer_id, status, placed_at, currency, total_minor, updated_at FROM orders WHERE updated_at >= $1
				 ${after ? 'AND (updated_at > $2 OR (updated_at = $2 AND (source > $3 OR (source = $3 AND id > $4))))' : ''} ORDER BY updated_at, source, id LIMIT ${BATCH}`,
				after ? [from, after.at, after.source, after.id] : [from],
			);
			if (orders.length === 0) return 0;
			const existing = await summaries(
				sql,
				orders.map((o) => [o.source, o.id] as const),
			);
			const hours = new Set<string>();
			const customers = new Set<string>();
			const changed: OrderSummary[] = [];
			for (const o of orders) {
				const old = existing.get(keyOf(o.source, o.id));
				const next: OrderSummary = old ? { ...old } : emptySummary(o.source, o.id);
				Object.assign(next, { customer_id: o.customer_id, row_at: o.placed_at, row_paid: o.status === 'paid' ? 1 : 0, row_cur: o.currency, row_total: Number(o.total_minor) });
				customers.add(o.customer_id);
				if (old?.customer_id) customers.add(old.customer_id);
				if (old && old.customer_id === next.customer_id && old.row_at === next.row_at && old.row_paid === next.row_paid && old.row_cur === next.row_cur && old.row_total === next.row_total) continue;
				if (old) hours.add(old.hour);
				hours.add((lesser(next.ev_at, next.row_at) ?? '').slice(0, 13));
				changed.push(next);
			}
			await writeSummaries(sql, changed);
			await recountHours(sql, hours);
			await recountCustomers(sql, customers);
			const last = orders[orders.length - 1];
			after = { at: last.updated_at, source: last.source, id: last.id };
			if (last.updated_at > highest) highest = last.updated_at;
			return orders.length;
		});
		rows += batch;
		if (batch < BATCH) break;
	}
	const missed = await store.db.transaction(async (sql) => {
		await lock(sql);
		await saveState(sql, 'orders', highest, '[]', now);
		const [summarised] = await sql.query<{ n: number | null }>('SELECT SUM(recorded) AS n FROM report_order_hours');
		return before !== undefined && Number(before.n) > Number(summarised?.n ?? 0);
	});
	return missed ? rows + (await foldAllOrders(store, now)) : rows;
}

/** Orders and spend per customer and currency, recounted from the orders of the customers named. */
async function recountCustomers(sql: SqlClient, customers: Iterable<string>): Promise<void> {
	const rows = [...customers].map((c) => [c]);
	if (rows.length === 0) return;
	await executeRows(sql, `DELETE FROM report_customer_orders WHERE customer_id IN (${ROWS})`, ['text'], rows);
	await executeRows(
		sql,
		`INSERT INTO report_customer_orders (customer_id, currency, n, total) SELECT customer_id, currency, COUNT(*), SUM(total_minor) FROM orders WHERE customer_id IN (${ROWS}) GROUP BY customer_id, currency`,
		['text'],
		rows,
	);
}

/**
 * After a merge (or an erasure) moved `fromId`'s orders and points to `toId`: their per-customer
 * rows are recounted from the base tables. Runs inside the merge's transaction, after the lock.
 */
export async function refoldMergedCustomer(sql: SqlClient, fromId: string, toId: string): Promise<void> {
	await lock(sql);
	await recountCustomers(sql, [fromId, toId]);
	await sql.execute('DELETE FROM report_activity WHERE customer_id IN ($1, $2)', [fromId, toId]);
	// Per program, so that the ledger's (program, customer) index finds the entries.
	for (const { program_id } of await sql.query<{ program_id: string }>('SELECT DISTINCT program_id FROM report_ledger_hours')) {
		await sql.execute(
			`INSERT INTO report_activity (program_id, customer_id, last_at)
			 SELECT program_id, customer_id, MAX(created_at) FROM ledger_entries WHERE program_id = $1 AND customer_id = $2 AND kind IN ('earn', 'pending', 'redeem') GROUP BY program_id, customer_id`,
			[program_id, toId],
		);
	}
}

/**
 * More new rows than LARGE_TAIL (a big import since the last look): the set-based whole fold is
 * then cheaper than summarising them batch by batch.
 */
async function tailIsLarge(store: Store, countSql: string, from: string): Promise<boolean> {
	const [row] = await store.db.query<{ n: number }>(countSql, [from, LARGE_TAIL + 1]);
	return Number(row?.n ?? 0) > LARGE_TAIL;
}

// ——— the whole history at once (the first fold after an upgrade, or after a row came in with an old time) ———

const sqlLeast = (a: string, b: string) => `CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL OR ${a} <= ${b} THEN ${a} ELSE ${b} END`;
const sqlGreatest = (a: string, b: string) => `CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL OR ${a} >= ${b} THEN ${a} ELSE ${b} END`;
/** The columns summaryRow derives, recomputed in SQL for every order. */
const DERIVE = `UPDATE report_orders SET at = ${sqlLeast('ev_at', 'row_at')}, hour = SUBSTR(${sqlLeast('ev_at', 'row_at')}, 1, 13), paid = COALESCE(${sqlGreatest('ev_paid', 'row_paid')}, 0),
	cur = ${sqlLeast('ev_cur', 'row_cur')}, total = ${sqlGreatest('ev_total', 'row_total')}, recorded = CASE WHEN row_at IS NULL THEN 0 ELSE 1 END`;

/** report_orders.earned for the orders that have an earn and were not counted yet. */
const EARNED = `UPDATE report_orders SET earned = (SELECT COUNT(*) FROM report_order_earns e WHERE e.source = report_orders.source AND e.id = report_orders.id)
	WHERE earned = 0 AND EXISTS (SELECT 1 FROM report_order_earns e WHERE e.source = report_orders.source AND e.id = report_orders.id)`;

/** Set-based: every purchase event merged into report_orders in a few statements, one transaction. */
async function foldAllEvents(store: Store, now: Date, field: (...path: string[]) => string, pg: boolean): Promise<number> {
	return store.db.transaction(async (sql) => {
		await lock(sql);
		const [top] = await sql.query<{ at: string | null; n: number }>('SELECT MAX(received_at) AS at, COUNT(*) AS n FROM events');
		await sql.execute(
			`INSERT INTO report_orders (source, id, ev_at, ev_paid, ev_cur, ev_total, at, hour, paid, recorded, earned)
			 SELECT src, oid, MIN(at), MAX(paid), MIN(cur), MAX(total), MIN(at), SUBSTR(MIN(at), 1, 13), MAX(paid), 0, 0 FROM (
				SELECT ${field('order', 'source')} AS src, ${field('order', 'id')} AS oid, CASE WHEN ${field('order', 'status')} = 'paid' THEN 1 ELSE 0 END AS paid,
					occurred_at AS at, ${field('order', 'currency')} AS cur, CAST(${field('order', 'totalMinor')} AS BIGINT) AS total
				FROM (SELECT ${pg ? 'payload::jsonb' : 'payload'} AS j, occurred_at FROM events WHERE type = 'purchase') e
			 ) x WHERE src IS NOT NULL AND oid IS NOT NULL GROUP BY src, oid
			 ON CONFLICT (source, id) DO UPDATE SET ev_at = ${sqlLeast('report_orders.ev_at', 'excluded.ev_at')}, ev_paid = ${sqlGreatest('report_orders.ev_paid', 'excluded.ev_paid')},
				ev_cur = ${sqlLeast('report_orders.ev_cur', 'excluded.ev_cur')}, ev_total = ${sqlGreatest('report_orders.ev_total', 'excluded.ev_total')}`,
		);
		await sql.execute(DERIVE);
		await sql.execute(EARNED);
		await recountHours(sql, ALL_HOURS);
		await sql.execute('DELETE FROM report_event_hours');
		await sql.execute(`INSERT INTO report_event_hours (source, hour, n, last_at) SELECT source, SUBSTR(received_at, 1, 13), COUNT(*), MAX(received_at) FROM events GROUP BY source, SUBSTR(received_at, 1, 13)`);
		await saveState(sql, 'events', top?.at ?? '', '[]', now);
		return Number(top?.n ?? 0);
	});
}

/** Set-based: every order row merged into report_orders, and the per-customer sums recounted. */
async function foldAllOrders(store: Store, now: Date): Promise<number> {
	return store.db.transaction(async (sql) => {
		await lock(sql);
		const [top] = await sql.query<{ at: string | null; n: number }>('SELECT MAX(updated_at) AS at, COUNT(*) AS n FROM orders');
		await sql.execute(
			`INSERT INTO report_orders (source, id, customer_id, row_at, row_paid, row_cur, row_total, at, hour, paid, cur, total, recorded, earned)
			 SELECT source, id, customer_id, placed_at, paid, currency, total_minor, placed_at, SUBSTR(placed_at, 1, 13), paid, currency, total_minor, 1, 0
			 FROM (SELECT source, id, customer_id, placed_at, CASE WHEN status = 'paid' THEN 1 ELSE 0 END AS paid, currency, total_minor FROM orders) o WHERE true
			 ON CONFLICT (source, id) DO UPDATE SET customer_id = excluded.customer_id, row_at = excluded.row_at, row_paid = excluded.row_paid, row_cur = excluded.row_cur, row_total = excluded.row_total`,
		);
		await sql.execute(DERIVE);
		await sql.execute(EARNED);
		await recountHours(sql, ALL_HOURS);
		await sql.execute('DELETE FROM report_customer_orders');
		await sql.execute('INSERT INTO report_customer_orders (customer_id, currency, n, total) SELECT customer_id, currency, COUNT(*), SUM(total_minor) FROM orders GROUP BY customer_id, currency');
		await saveState(sql, 'orders', top?.at ?? '', '[]', now);
		return Number(top?.n ?? 0);
	});
}

function hourStart(at: Date): string {
	return `${at.toISOString().slice(0, 13)}:00:00.000Z`;
}
