import type { LedgerRequest } from './fingerprint';
import type { EntryKind, HeldPoints, HeldStatus, LedgerEntry, LedgerResult } from './types';
import { forUpdate, type Row, type SqlClient } from '../store/db';
import { executeRows, queryRows, ROWS, type ColumnType } from '../store/multiRow';

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

/** Writes one entry; only its new id is read back (the rest is what was written). */
export async function insertEntry(sql: SqlClient, entry: NewEntry): Promise<LedgerEntry> {
	const [row] = await sql.query<{ id: number }>(
		`INSERT INTO ledger_entries (program_id, customer_id, kind, available_delta, pending_delta, operation_key, lot_id, order_source, order_id, available_at, expires_at, reason, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		[entry.programId, entry.customerId, entry.kind, entry.availableDelta, entry.pendingDelta, entry.operationKey, entry.lotId ?? null, entry.orderSource ?? null, entry.orderId ?? null, entry.availableAt ?? null, entry.expiresAt ?? null, entry.reason ?? null, entry.createdAt],
	);
	const written: LedgerEntry = { id: Number(row.id), programId: entry.programId, customerId: entry.customerId, kind: entry.kind, availableDelta: entry.availableDelta, pendingDelta: entry.pendingDelta, operationKey: entry.operationKey, createdAt: entry.createdAt };
	// Same shape as a row read back (entryOf): absent, not undefined, where the column is NULL.
	if (entry.lotId !== undefined && entry.lotId !== null) written.lotId = entry.lotId;
	if (entry.orderSource !== undefined && entry.orderSource !== null) written.orderSource = entry.orderSource;
	if (entry.orderId !== undefined && entry.orderId !== null) written.orderId = entry.orderId;
	if (entry.availableAt !== undefined && entry.availableAt !== null) written.availableAt = entry.availableAt;
	if (entry.expiresAt !== undefined && entry.expiresAt !== null) written.expiresAt = entry.expiresAt;
	if (entry.reason !== undefined && entry.reason !== null) written.reason = entry.reason;
	return written;
}

const ENTRY_TYPES: readonly ColumnType[] = ['text', 'text', 'text', 'bigint', 'bigint', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text'];

/** Writes many entries in one statement (group commit); their ids are not read back. */
export async function insertEntries(sql: SqlClient, entries: readonly NewEntry[]): Promise<void> {
	await executeRows(
		sql,
		`INSERT INTO ledger_entries (program_id, customer_id, kind, available_delta, pending_delta, operation_key, lot_id, order_source, order_id, available_at, expires_at, reason, created_at) ${ROWS}`,
		ENTRY_TYPES,
		entries.map((e) => [e.programId, e.customerId, e.kind, e.availableDelta, e.pendingDelta, e.operationKey, e.lotId ?? null, e.orderSource ?? null, e.orderId ?? null, e.availableAt ?? null, e.expiresAt ?? null, e.reason ?? null, e.createdAt]),
	);
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

export interface StoredOperation {
	result: LedgerResult;
	/** The key's first request; undefined for rows written before fingerprints were stored. */
	request?: LedgerRequest;
}

export async function findOperation(sql: SqlClient, programId: string, key: string): Promise<StoredOperation | undefined> {
	const [row] = await sql.query<{ result: string; request: string | null }>('SELECT result, request FROM ledger_operations WHERE program_id = $1 AND idempotency_key = $2', [programId, key]);
	if (!row) return undefined;
	return { result: JSON.parse(row.result) as LedgerResult, ...(row.request ? { request: JSON.parse(row.request) as LedgerRequest } : {}) };
}

/** A stored operation as read, its request still as the canonical text it was stored as. */
export interface StoredOperationText {
	result: string;
	request: string | null;
}

/** The stored operations of many keys, read in one statement (group commit). */
export async function findOperations(sql: SqlClient, programId: string, keys: readonly string[]): Promise<Map<string, StoredOperationText>> {
	const rows = await queryRows<{ idempotency_key: string; result: string; request: string | null }>(
		sql,
		`SELECT idempotency_key, result, request FROM ledger_operations WHERE program_id = $1 AND idempotency_key IN (${ROWS})`,
		['text'],
		keys.map((key) => [key]),
		[programId],
	);
	return new Map(rows.map((row) => [row.idempotency_key, { result: row.result, request: row.request }]));
}

/** Stores many operations' results in one statement (group commit); `request` is canonical JSON. */
export async function saveOperations(sql: SqlClient, programId: string, operations: ReadonlyArray<{ result: LedgerResult; resultJson: string; request: string }>, now: string): Promise<void> {
	await executeRows(
		sql,
		`INSERT INTO ledger_operations (program_id, idempotency_key, customer_id, operation, result, request, created_at, program_version) ${ROWS}`,
		['text', 'text', 'text', 'text', 'text', 'text', 'text', 'integer'],
		operations.map(({ result, resultJson, request }) => [programId, result.idempotencyKey, result.customerId, result.operation, resultJson, request, now, result.programVersion ?? null]),
	);
}

export async function saveOperation(sql: SqlClient, programId: string, result: LedgerResult, request: string, now: string): Promise<void> {
	await sql.execute(
		'INSERT INTO ledger_operations (program_id, idempotency_key, customer_id, operation, result, request, created_at, program_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
		[programId, result.idempotencyKey, result.customerId, result.operation, JSON.stringify(result), request, now, result.programVersion ?? null],
	);
}

interface HeldRow extends Row {
	program_id: string;
	approval_key: string;
	customer_id: string;
	operation_key: string;
	order_source: string;
	order_id: string;
	currency: string;
	total_minor: number;
	points: number;
	reason: string;
	status: string;
	decision_key: string | null;
	decided_by: string | null;
	decision_reason: string | null;
	decided_at: string | null;
	created_at: string;
}

function heldOf(row: HeldRow): HeldPoints {
	const held: HeldPoints = {
		approvalKey: row.approval_key,
		programId: row.program_id,
		customerId: row.customer_id,
		operationKey: row.operation_key,
		orderSource: row.order_source,
		orderId: row.order_id,
		currency: row.currency,
		totalMinor: Number(row.total_minor),
		points: Number(row.points),
		reason: row.reason,
		status: row.status as HeldStatus,
		heldAt: row.created_at,
	};
	if (row.decision_key !== null) held.decisionKey = row.decision_key;
	if (row.decided_by !== null) held.decidedBy = row.decided_by;
	if (row.decision_reason !== null) held.decisionReason = row.decision_reason;
	if (row.decided_at !== null) held.decidedAt = row.decided_at;
	return held;
}

export async function insertHeld(sql: SqlClient, held: Omit<HeldPoints, 'status' | 'decisionKey' | 'decidedBy' | 'decisionReason' | 'decidedAt'>): Promise<void> {
	await sql.execute(
		`INSERT INTO ledger_held (program_id, approval_key, customer_id, operation_key, order_source, order_id, currency, total_minor, points, reason, status, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'held', $11)`,
		[held.programId, held.approvalKey, held.customerId, held.operationKey, held.orderSource, held.orderId, held.currency, held.totalMinor, held.points, held.reason, held.heldAt],
	);
}

export async function getHeld(sql: SqlClient, programId: string, approvalKey: string, lock = false): Promise<HeldPoints | undefined> {
	const [row] = await sql.query<HeldRow>(`SELECT * FROM ledger_held WHERE program_id = $1 AND approval_key = $2${lock ? forUpdate(sql.dialect) : ''}`, [programId, approvalKey]);
	return row ? heldOf(row) : undefined;
}

export async function decideHeld(sql: SqlClient, programId: string, approvalKey: string, decision: { status: Exclude<HeldStatus, 'held'>; key: string; by: string; reason?: string; at: string }): Promise<void> {
	await sql.execute(
		`UPDATE ledger_held SET status = $3, decision_key = $4, decided_by = $5, decision_reason = $6, decided_at = $7 WHERE program_id = $1 AND approval_key = $2 AND status = 'held'`,
		[programId, approvalKey, decision.status, decision.key, decision.by, decision.reason ?? null, decision.at],
	);
}

/** Held points of one program, oldest first; `status` narrows to one state. */
export async function listHeldRows(sql: SqlClient, programId: string, options: { status?: HeldStatus; customerId?: string; limit: number }): Promise<HeldPoints[]> {
	const where = ['program_id = $1'];
	const params: unknown[] = [programId];
	if (options.status) {
		params.push(options.status);
		where.push(`status = $${params.length}`);
	}
	if (options.customerId) {
		params.push(options.customerId);
		where.push(`customer_id = $${params.length}`);
	}
	params.push(options.limit);
	const rows = await sql.query<HeldRow>(`SELECT * FROM ledger_held WHERE ${where.join(' AND ')} ORDER BY created_at, approval_key LIMIT $${params.length}`, params);
	return rows.map(heldOf);
}
