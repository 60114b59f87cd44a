import type { Customer, IdentityKind } from '../model/customer';
import { LoyaltyError } from '../model/errors';
import type { Row, SqlClient } from '../store/db';
import type { CustomerSubject } from '../store/erasure';
import type { Store } from '../store/store';
import { logRequest, newRequestId, PrivacyRequestKind, requestSource } from './requestLog';
import { findSubjectId, loadSubject, placeholders, type PrivacySubjectRef } from './subject';

export const EXPORT_FORMAT = 'n8n-loyalty customer export';

/**
 * Everything the loyalty store holds about one customer, as one JSON document: the profile with
 * every identity on file, then each table's rows that name them (consent history, points
 * ledger and balances, rule decisions, sends and their engagement, scores, carts, events and
 * orders as the shop reported them, earlier privacy requests), JSON columns shown as JSON, and
 * what holds them without naming them (quarantined deliveries). The tables are the ones every
 * feature declares (engine/features.ts), so a new feature's rows are exported with the rest.
 */
export interface CustomerExport {
	format: typeof EXPORT_FORMAT;
	version: 1;
	exportedAt: string;
	/** The privacy request log line this export wrote. */
	requestId: string;
	customer: Customer & { allIdentities: Array<{ kind: IdentityKind; value: string }> };
	/** Table → the customer's rows in it; tables where they have none are left out. */
	tables: Record<string, Row[]>;
}

export interface PrivacyRequestOptions {
	/** Who asks: `cli`, or `n8n: <workflow> / <node>`. Logged with the request. */
	source: string;
	now?: Date;
}

/** A stored JSON document as JSON; anything else (and text that only looks like JSON) as it is. */
function readable(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const trimmed = value.trimStart();
	if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		return value;
	}
}

async function rowsNaming(sql: SqlClient, store: Store, subject: CustomerSubject): Promise<Record<string, Row[]>> {
	const tables: Record<string, Row[]> = {};
	for (const { table, column } of store.tables.customerColumns) {
		const rows = await sql.query(`SELECT * FROM ${table} WHERE ${column} IN (${placeholders(subject.keys)})`, [...subject.keys]);
		if (rows.length > 0) tables[table] = [...(tables[table] ?? []), ...rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, readable(value)])))];
	}
	for (const unnamed of store.tables.unnamedRows) {
		for (const [table, rows] of Object.entries(await unnamed.find(sql, subject))) if (rows.length > 0) tables[table] = [...(tables[table] ?? []), ...rows];
	}
	return tables;
}

/**
 * Exports one customer (see CustomerExport) and logs the request with its time and source. An
 * unknown customer is a `not_found` error naming `customer`, and nothing is logged.
 */
export async function exportCustomer(store: Store, ref: PrivacySubjectRef, options: PrivacyRequestOptions): Promise<CustomerExport> {
	const source = requestSource(options.source);
	const now = (options.now ?? new Date()).toISOString();
	return store.transaction(async (sql) => {
		const customerId = await findSubjectId(sql, ref);
		if (!customerId) throw LoyaltyError.notFound('customer', 'no such customer in the loyalty store; nothing was exported');
		const { customer, identities, subject } = await loadSubject(sql, customerId);
		const tables = await rowsNaming(sql, store, subject);
		const requestId = newRequestId();
		await logRequest(sql, {
			id: requestId,
			kind: PrivacyRequestKind.Export,
			customerId,
			source,
			requestedAt: now,
			outcome: 'exported',
			detail: { rows: Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, rows.length])) },
		});
		return { format: EXPORT_FORMAT, version: 1, exportedAt: now, requestId, customer: { ...customer, allIdentities: identities }, tables };
	});
}
