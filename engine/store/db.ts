/**
 * The one seam between the store and a database driver. Every SQL statement in the project is
 * written once, with PostgreSQL-style `$1` placeholders; the SQLite backend rewrites them to `?1`.
 */
export type Dialect = 'sqlite' | 'postgres';

export type Row = Record<string, unknown>;

export interface SqlClient {
	readonly dialect: Dialect;
	query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
	/** Runs a statement and returns the number of rows it changed. */
	execute(sql: string, params?: readonly unknown[]): Promise<number>;
	/**
	 * Runs one statement once per row, its parameters `params` followed by the row's values, and
	 * returns the rows changed in all. Optional: an in-process database (SQLite) runs the rows back
	 * to back without a promise each; without it, callers run `execute` per row.
	 */
	executeEach?(sql: string, params: readonly unknown[], rows: ReadonlyArray<readonly unknown[]>): Promise<number>;
}

export interface Db extends SqlClient {
	/**
	 * Runs `work` in one transaction that holds the database's write lock (SQLite: BEGIN IMMEDIATE)
	 * or row locks taken inside it (PostgreSQL: SELECT ... FOR UPDATE). Rolled back when `work`
	 * throws. PostgreSQL transactions that lose a race (unique violation, serialization failure,
	 * deadlock) are retried from the start, which is why `work` must not have side effects outside
	 * the database.
	 */
	transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}

/** `FOR UPDATE` where the database has row locks; SQLite's write lock already covers the transaction. */
export function forUpdate(dialect: Dialect): string {
	return dialect === 'postgres' ? ' FOR UPDATE' : '';
}
