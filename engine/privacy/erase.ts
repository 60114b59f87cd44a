import { randomBytes } from 'node:crypto';
import { LoyaltyError } from '../model/errors';
import { forUpdate, type SqlClient } from '../store/db';
import type { CustomerErasure } from '../store/erasure';
import type { StoreTables } from '../store/tables';
import type { Store } from '../store/store';
import type { PrivacyRequestOptions } from './export';
import { latestErasure, logRequest, newRequestId, PrivacyRequestKind, requestById, requestSource } from './requestLog';
import { scrubStored } from './scrub';
import { findSubjectId, isPseudonym, loadSubject, placeholders, PSEUDONYM_PREFIX, validIdentities, type PrivacySubjectRef } from './subject';
import { suppressIdentities, suppressionsOf } from './suppression';

export interface ErasureOutcome {
	/** `already_erased`: the customer was erased before; nothing was removed this time. */
	status: 'erased' | 'already_erased';
	/** The log line of the erasure (for `already_erased`, of the earlier one). */
	requestId: string;
	/** The id the person's kept rows carry, linked to nothing that names them. */
	pseudonym: string | null;
	erasedAt: string;
	/** Rows deleted, per table. */
	removed: Record<string, number>;
	/** Rows kept under the pseudonym (scrubbed), per table: points, orders, sends… */
	kept: Record<string, number>;
	/** Identities kept as hashes, so a later webhook does not bring the person back. */
	suppressedIdentities: number;
	message: string;
}

function newPseudonym(): string {
	return `${PSEUDONYM_PREFIX}${randomBytes(12).toString('hex')}`;
}

function add(counts: Record<string, number>, table: string, n: number): void {
	if (n > 0) counts[table] = (counts[table] ?? 0) + n;
}

/**
 * Kept rows: each moved to the pseudonym with its scrubbed columns rewritten without the person,
 * in one update per row. The row is found again by the database's own row id (SQLite's rowid,
 * PostgreSQL's ctid, which stays put while the row is locked and until its one update), so no
 * table needs to say what its primary key is and the table is read once, not once per column.
 */
async function keepUnderPseudonym(sql: SqlClient, table: string, column: string, scrub: readonly string[], erasure: CustomerErasure): Promise<number> {
	if (scrub.length === 0) return sql.execute(`UPDATE ${table} SET ${column} = $1 WHERE ${column} IN (${placeholders(erasure.keys, 2)})`, [erasure.pseudonym, ...erasure.keys]);
	const rowId = sql.dialect === 'postgres' ? 'ctid' : 'rowid';
	const rows = await sql.query(`SELECT ${rowId} AS row_id, ${scrub.join(', ')} FROM ${table} WHERE ${column} IN (${placeholders(erasure.keys)})${forUpdate(sql.dialect)}`, [...erasure.keys]);
	const assignments = scrub.map((target, i) => `${target} = $${i + 2}`).join(', ');
	const byRow = `${rowId} = $${scrub.length + 2}${sql.dialect === 'postgres' ? '::tid' : ''}`;
	for (const row of rows) {
		const scrubbed = scrub.map((target) => (row[target] === null || row[target] === undefined ? null : scrubStored(String(row[target]), erasure)));
		const changed = await sql.execute(`UPDATE ${table} SET ${column} = $1, ${assignments} WHERE ${byRow}`, [erasure.pseudonym, ...scrubbed, row.row_id]);
		// Never expected (the row is locked); if it happens, nothing of the erasure is kept rather than a row left unscrubbed.
		if (changed !== 1) throw new LoyaltyError('store_error', `customer: a ${table} row changed while it was being erased; nothing was erased, try again`, { field: 'customer', retryable: true });
	}
	return rows.length;
}

async function eraseRows(sql: SqlClient, tables: StoreTables, erasure: CustomerErasure): Promise<{ removed: Record<string, number>; kept: Record<string, number> }> {
	const removed: Record<string, number> = {};
	const kept: Record<string, number> = {};
	for (const unnamed of tables.unnamedRows) for (const [table, n] of Object.entries(await unnamed.erase(sql, erasure))) add(removed, table, n);
	for (const { table, column, onErase, scrub } of tables.customerColumns) {
		if (onErase === 'delete') add(removed, table, await sql.execute(`DELETE FROM ${table} WHERE ${column} IN (${placeholders(erasure.keys)})`, [...erasure.keys]));
		else add(kept, table, await keepUnderPseudonym(sql, table, column, scrub ?? [], erasure));
	}
	// Caches of the kept rows (the points balance) are rebuilt under the pseudonym, as after a merge.
	for (const rebuild of tables.afterCustomerMerge) await rebuild(sql, erasure.customerId, erasure.pseudonym);
	return { removed, kept };
}

/** The answer for a person erased before: nothing is removed again, and the repeated request is logged. */
async function alreadyErased(sql: SqlClient, earlier: { requestId: string; pseudonym: string | null; erasedAt: string }, source: string, now: string): Promise<ErasureOutcome> {
	await logRequest(sql, { id: newRequestId(), kind: PrivacyRequestKind.Erase, customerId: earlier.pseudonym, source, requestedAt: now, outcome: 'already_erased', detail: { erasure: earlier.requestId } });
	return {
		status: 'already_erased',
		requestId: earlier.requestId,
		pseudonym: earlier.pseudonym,
		erasedAt: earlier.erasedAt,
		removed: {},
		kept: {},
		suppressedIdentities: 0,
		message: `This customer was already erased on ${earlier.erasedAt}; nothing was changed.`,
	};
}

/**
 * Erases one customer in one transaction (all of it or nothing): rows that are about the person
 * are deleted (profile, identities, consent history, carts, scores, what was still planned for
 * them); rows the books and statistics rest on (points, orders, events, sends, rule budgets) are
 * kept under a new pseudonym with every name, identity and customer id scrubbed out; the points
 * balance is rebuilt from the kept entries, so balances still equal the ledger; their identities
 * are kept as hashes so a later webhook does not create them again (until they consent again);
 * and the request is logged with its time, source and counts, under the pseudonym.
 *
 * A customer erased before gets `already_erased` (logged, nothing else written). A customer the
 * store never had is a `not_found` error naming `customer`, and nothing is written.
 */
export async function eraseCustomer(store: Store, ref: PrivacySubjectRef, options: PrivacyRequestOptions): Promise<ErasureOutcome> {
	const source = requestSource(options.source);
	const now = (options.now ?? new Date()).toISOString();
	return store.transaction(async (sql) => {
		if ('customerId' in ref && isPseudonym(ref.customerId)) {
			const earlier = await latestErasure(sql, ref.customerId);
			if (!earlier) throw LoyaltyError.notFound('customer', `no erased customer ${ref.customerId} in the loyalty store; nothing was changed`);
			return alreadyErased(sql, { requestId: earlier.id, pseudonym: ref.customerId, erasedAt: earlier.requestedAt }, source, now);
		}
		const customerId = await findSubjectId(sql, ref);
		if (!customerId) {
			const [suppression] = 'identities' in ref ? await suppressionsOf(sql, validIdentities(ref.identities)) : [];
			if (!suppression) throw LoyaltyError.notFound('customer', 'no such customer in the loyalty store; nothing was erased');
			const earlier = await requestById(sql, suppression.requestId);
			return alreadyErased(sql, { requestId: suppression.requestId, pseudonym: earlier?.customerId ?? null, erasedAt: suppression.suppressedAt }, source, now);
		}
		const { customer, identities, subject } = await loadSubject(sql, customerId);
		const erasure: CustomerErasure = { ...subject, pseudonym: newPseudonym() };
		// The pseudonym is a profile with nothing in it: the kept rows' foreign keys need one.
		await sql.execute('INSERT INTO customers (id, profile, created_at, updated_at) VALUES ($1, $2, $3, $4)', [erasure.pseudonym, JSON.stringify({ consent: {}, tags: [] }), customer.createdAt, now]);
		const { removed, kept } = await eraseRows(sql, store.tables, erasure);
		add(removed, 'customers', await sql.execute('DELETE FROM customers WHERE id = $1', [customerId]));
		const requestId = newRequestId();
		const suppressedIdentities = await suppressIdentities(sql, identities, requestId, now);
		await logRequest(sql, { id: requestId, kind: PrivacyRequestKind.Erase, customerId: erasure.pseudonym, source, requestedAt: now, outcome: 'erased', detail: { removed, kept, suppressedIdentities } });
		return {
			status: 'erased',
			requestId,
			pseudonym: erasure.pseudonym,
			erasedAt: now,
			removed,
			kept,
			suppressedIdentities,
			message: `Erased: ${Object.values(removed).reduce((a, b) => a + b, 0)} rows removed, ${Object.values(kept).reduce((a, b) => a + b, 0)} kept under ${erasure.pseudonym} without the person.`,
		};
	});
}
