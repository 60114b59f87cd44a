import type { EntryKind, LedgerEntry, LedgerResult } from '../ledger/types';
import type { Row, SqlClient } from './db';

interface EntryRow extends Row {
	id: number;
	program_id: string;
	customer_id: string;
	kind: EntryKind;
	available_delta: number;
	pending_delta: number;
	operation_key: string;
	lot_id: number | null;
	order_source: string | null;
	order_id: string | null;
	available_at: string | null;
	expires_at: string | null;
	reason: string | null;
	created_at: string;
}

export type NewEntry = Omit<LedgerEntry, 'id'>;

function entryOf(row: EntryRow): LedgerEntry {
	const entry: LedgerEntry = {
		id: Number(row.id),
		programId: row.program_id,
		customerId: row.customer_id,
		kind: row.kind,
		availableDelta: Number(row.available_delta),
		pendingDelta: Number(row.pending_delta),
		operationKey: row.operation_key,
		createdAt: row.created_at,
	};
	if (row.lot_id !== null) entry.lotId = Number(row.lot_id);
	if (row.order_source !== null) entry.orderSource = row.order_source;
	if (row.order_id !== null) entry.orderId = row.order_id;
	if (row.available_at !== null) entry.availableAt = row.available_at;
	if (row.expires_at !== null) entry.expiresAt = row.expires_at;
	if (row.reason !== null) entry.reason = row.reason;
	return entry;
}

export async function insertEntry(sql: SqlClient, entry: NewEntry): Promise<LedgerEntry> {
	const [row] = await sql.query<EntryRow>(
		`INSERT INTO ledger_entries (program_id, customer_id, kind, available_delta, pending_delta, operation_key, lot_id, order_source, order_id, available_at, expires_at, reason, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
		[entry.programId, entry.customerId, entry.kind, entry.availableDelta, entry.pendingDelta, entry.operationKey, entry.lotId ?? null, entry.orderSource ?? null, entry.orderId ?? null, entry.availableAt ?? null, entry.expiresAt ?? null, entry.reason ?? null, entry.createdAt],
	);
	return entryOf(row);
}

/** All entries of one account in the order they were written: the input for lot bookkeeping. */
export async function listEntries(sql: SqlClient, programId: string, customerId: string): Promise<LedgerEntry[]> {
	const rows = await sql.query<EntryRow>('SELECT * FROM ledger_entries WHERE program_id = $1 AND customer_id = $2 ORDER BY id', [programId, customerId]);
	return rows.map(entryOf);
}

export async function listRecentEntries(sql: SqlClient, programId: string, customerId: string, limit: number): Promise<LedgerEntry[]> {
	const rows = await sql.query<EntryRow>('SELECT * FROM ledger_entries WHERE program_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT $3', [programId, customerId, limit]);
	return rows.map(entryOf);
}

export async function findOperation(sql: SqlClient, programId: string, key: string): Promise<LedgerResult | undefined> {
	const [row] = await sql.query<{ result: string }>('SELECT result FROM ledger_operations WHERE program_id = $1 AND idempotency_key = $2', [programId, key]);
	return row ? (JSON.parse(row.result) as LedgerResult) : undefined;
}

export async function saveOperation(sql: SqlClient, programId: string, result: LedgerResult, now: string): Promise<void> {
	await sql.execute(
		'INSERT INTO ledger_operations (program_id, idempotency_key, customer_id, operation, result, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
		[programId, result.idempotencyKey, result.customerId, result.operation, JSON.stringify(result), now],
	);
}
