import type { Balance } from './types';
import { forUpdate, type Row, type SqlClient } from '../store/db';
import { executeRows, queryRows, ROWS } from '../store/multiRow';

export interface AccountRow extends Row {
	program_id: string;
	customer_id: string;
	available: number;
	pending: number;
	lifetime_earned: number;
	tier: string | null;
	tier_reviewed_at: string | null;
	last_activity_at: string | null;
	updated_at: string;
	/** When maintenance may next change something (a lot matures or expires); null = unknown. */
	lots_due_at: string | null;
}

/**
 * Locks the account for the rest of the transaction, creating it first if needed. An existing
 * account (the usual case) costs one statement.
 */
export async function lockAccount(sql: SqlClient, programId: string, customerId: string, now: string): Promise<AccountRow> {
	const select = `SELECT * FROM loyalty_accounts WHERE program_id = $1 AND customer_id = $2${forUpdate(sql.dialect)}`;
	const [existing] = await sql.query<AccountRow>(select, [programId, customerId]);
	if (existing) return existing;
	await sql.execute(
		'INSERT INTO loyalty_accounts (program_id, customer_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (program_id, customer_id) DO NOTHING',
		[programId, customerId, now],
	);
	const [row] = await sql.query<AccountRow>(select, [programId, customerId]);
	return row;
}

/**
 * `lockAccount` for many customers at once (group commit): locked in customer id order, in one
 * statement, so groups running at the same time wait for each other instead of deadlocking.
 * Accounts that do not exist yet are created first; those are returned in `created`.
 */
export async function lockAccounts(sql: SqlClient, programId: string, customerIds: readonly string[], now: string): Promise<{ accounts: Map<string, AccountRow>; created: Set<string> }> {
	const ids = [...new Set(customerIds)].sort();
	const select = `SELECT * FROM loyalty_accounts WHERE program_id = $1 AND customer_id IN (${ROWS}) ORDER BY customer_id${forUpdate(sql.dialect)}`;
	const accounts = new Map<string, AccountRow>();
	for (const row of await queryRows<AccountRow>(sql, select, ['text'], ids.map((id) => [id]), [programId])) accounts.set(row.customer_id, row);
	const missing = ids.filter((id) => !accounts.has(id));
	const created = new Set<string>();
	if (missing.length > 0) {
		const inserted = await queryRows<{ customer_id: string }>(
			sql,
			`INSERT INTO loyalty_accounts (program_id, customer_id, updated_at) ${ROWS} ON CONFLICT (program_id, customer_id) DO NOTHING RETURNING customer_id`,
			['text', 'text', 'text'],
			missing.map((id) => [programId, id, now]),
		);
		for (const row of inserted) created.add(row.customer_id);
		for (const row of await queryRows<AccountRow>(sql, select, ['text'], missing.map((id) => [id]), [programId])) accounts.set(row.customer_id, row);
	}
	return { accounts, created };
}

/**
 * `saveAccount` for many accounts (group commit); every one exists and is locked. PostgreSQL gets
 * one statement; SQLite updates row by row, which costs it less than an upsert of each.
 */
export async function saveAccounts(sql: SqlClient, accounts: readonly AccountRow[]): Promise<void> {
	if (sql.dialect === 'sqlite') {
		if (sql.executeEach) await sql.executeEach(SAVE_ACCOUNT, [], accounts.map(saveAccountParams));
		else for (const account of accounts) await saveAccount(sql, account);
		return;
	}
	await executeRows(
		sql,
		`INSERT INTO loyalty_accounts (program_id, customer_id, available, pending, lifetime_earned, tier, tier_reviewed_at, last_activity_at, updated_at, lots_due_at) ${ROWS}
		 ON CONFLICT (program_id, customer_id) DO UPDATE SET available = excluded.available, pending = excluded.pending, lifetime_earned = excluded.lifetime_earned, tier = excluded.tier,
			tier_reviewed_at = excluded.tier_reviewed_at, last_activity_at = excluded.last_activity_at, updated_at = excluded.updated_at, lots_due_at = excluded.lots_due_at`,
		['text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'text'],
		accounts.map((a) => [a.program_id, a.customer_id, a.available, a.pending, a.lifetime_earned, a.tier, a.tier_reviewed_at, a.last_activity_at, a.updated_at, a.lots_due_at]),
	);
}

const SAVE_ACCOUNT = `UPDATE loyalty_accounts SET available = $3, pending = $4, lifetime_earned = $5, tier = $6, tier_reviewed_at = $7, last_activity_at = $8, updated_at = $9, lots_due_at = $10
		 WHERE program_id = $1 AND customer_id = $2`;

function saveAccountParams(account: AccountRow): unknown[] {
	return [account.program_id, account.customer_id, account.available, account.pending, account.lifetime_earned, account.tier, account.tier_reviewed_at, account.last_activity_at, account.updated_at, account.lots_due_at];
}

export async function saveAccount(sql: SqlClient, account: AccountRow): Promise<void> {
	await sql.execute(SAVE_ACCOUNT, saveAccountParams(account));
}

export function balanceOf(account: AccountRow): Balance {
	return {
		customerId: account.customer_id,
		programId: account.program_id,
		available: Number(account.available),
		pending: Number(account.pending),
		lifetimeEarned: Number(account.lifetime_earned),
		...(account.tier ? { tier: account.tier } : {}),
	};
}

/** The balance as the entries say it is: the cached account must always equal this. */
const DERIVED_BALANCES = `
	SELECT program_id, customer_id,
		COALESCE(SUM(available_delta), 0) AS available,
		COALESCE(SUM(pending_delta), 0) AS pending,
		COALESCE(SUM(CASE WHEN kind IN ('earn', 'pending') THEN available_delta + pending_delta WHEN kind = 'adjust' AND available_delta > 0 THEN available_delta ELSE 0 END), 0) AS lifetime_earned
	FROM ledger_entries`;

/**
 * After a merge, the loser's entries belong to the survivor: rebuild the survivor's cached
 * balances from the entries, keeping the most favourable tier either profile had.
 */
export async function mergeAccounts(sql: SqlClient, fromId: string, toId: string): Promise<void> {
	const accounts = await sql.query<AccountRow>('SELECT * FROM loyalty_accounts WHERE customer_id IN ($1, $2) ORDER BY customer_id = $2 DESC', [fromId, toId]);
	await sql.execute('DELETE FROM loyalty_accounts WHERE customer_id IN ($1, $2)', [fromId, toId]);
	const sums = await sql.query<{ program_id: string; available: number; pending: number; lifetime_earned: number }>(`${DERIVED_BALANCES} WHERE customer_id = $1 GROUP BY program_id, customer_id`, [toId]);
	for (const sum of sums) {
		const previous = accounts.filter((a) => a.program_id === sum.program_id);
		const lastActivity = previous.map((a) => a.last_activity_at).filter((t): t is string => !!t).sort().pop() ?? null;
		const kept = previous[0];
		await sql.execute(
			`INSERT INTO loyalty_accounts (program_id, customer_id, available, pending, lifetime_earned, tier, tier_reviewed_at, last_activity_at, updated_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			[sum.program_id, toId, Number(sum.available), Number(sum.pending), Number(sum.lifetime_earned), kept?.tier ?? null, kept?.tier_reviewed_at ?? null, lastActivity, kept?.updated_at ?? new Date().toISOString()],
		);
	}
}

export interface BalanceMismatch {
	programId: string;
	customerId: string;
	cached: { available: number; pending: number; lifetimeEarned: number };
	derived: { available: number; pending: number; lifetimeEarned: number };
}

/** Cross-checks every cached balance against the sum of its entries. An empty list means all agree. */
export async function findBalanceMismatches(sql: SqlClient): Promise<BalanceMismatch[]> {
	const derived = await sql.query<{ program_id: string; customer_id: string; available: number; pending: number; lifetime_earned: number }>(`${DERIVED_BALANCES} GROUP BY program_id, customer_id`);
	const accounts = await sql.query<AccountRow>('SELECT * FROM loyalty_accounts');
	const key = (programId: string, customerId: string) => `${programId}\u0000${customerId}`;
	const derivedByKey = new Map(derived.map((d) => [key(d.program_id, d.customer_id), d]));
	const mismatches: BalanceMismatch[] = [];
	const seen = new Set<string>();
	for (const account of accounts) {
		const k = key(account.program_id, account.customer_id);
		seen.add(k);
		const d = derivedByKey.get(k);
		const want = { available: Number(d?.available ?? 0), pending: Number(d?.pending ?? 0), lifetimeEarned: Number(d?.lifetime_earned ?? 0) };
		const have = { available: Number(account.available), pending: Number(account.pending), lifetimeEarned: Number(account.lifetime_earned) };
		if (want.available !== have.available || want.pending !== have.pending || want.lifetimeEarned !== have.lifetimeEarned) {
			mismatches.push({ programId: account.program_id, customerId: account.customer_id, cached: have, derived: want });
		}
	}
	for (const d of derived) {
		if (!seen.has(key(d.program_id, d.customer_id))) {
			mismatches.push({ programId: d.program_id, customerId: d.customer_id, cached: { available: 0, pending: 0, lifetimeEarned: 0 }, derived: { available: Number(d.available), pending: Number(d.pending), lifetimeEarned: Number(d.lifetime_earned) } });
		}
	}
	return mismatches;
}

/** Cached balances that disagree with the sum of their entries; empty when the ledger is sound. */
export function verifyBalances(store: { readonly db: SqlClient }): Promise<BalanceMismatch[]> {
	return findBalanceMismatches(store.db);
}
