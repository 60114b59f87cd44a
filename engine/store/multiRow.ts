import type { Row, SqlClient } from './db';

/** The PostgreSQL type of a column of rows passed as parameters (SQLite needs none). */
export type ColumnType = 'text' | 'bigint' | 'integer';

/**
 * SQLite's lookups over many rows come in a few fixed sizes (100 keys are 64 + 32 + 4), so each
 * size is prepared once and reused; larger sets run 128 at a time. Its writes run one row at a
 * time through one prepared statement: in process there is no round trip to save, and SQLite
 * inserts rows one by one faster than as one multi-row VALUES list (measured here: 20,000
 * ledger entries took about 20 % more CPU in statements of 100 rows).
 */
const SQLITE_MAX_ROWS = 128;

function sqliteChunks(count: number, most: number): number[] {
	const sizes: number[] = [];
	let left = count;
	while (left >= most) {
		sizes.push(most);
		left -= most;
	}
	for (let size = most / 2; size >= 1; size /= 2) {
		if (left >= size) {
			sizes.push(size);
			left -= size;
		}
	}
	return sizes;
}

function sqliteValues(firstParam: number, columns: number, rows: number): string {
	const tuples: string[] = [];
	let n = firstParam;
	for (let r = 0; r < rows; r++) {
		const tuple: string[] = [];
		for (let c = 0; c < columns; c++) tuple.push(`$${n++}`);
		tuples.push(`(${tuple.join(', ')})`);
	}
	return `VALUES ${tuples.join(', ')}`;
}

/** Where the rows go in a statement given to `queryRows` / `executeRows`. */
export const ROWS = '{{ROWS}}';

const texts = new Map<string, Map<string, string>>();

/** The statement's text for this backend and row count, built once and reused (so it stays prepared). */
function textOf(statement: string, dialect: SqlClient['dialect'], types: readonly ColumnType[], first: number, rows: number): string {
	let sizes = texts.get(statement);
	if (!sizes) texts.set(statement, (sizes = new Map()));
	const key = dialect === 'postgres' ? 'pg' : String(rows);
	let text = sizes.get(key);
	if (text === undefined) {
		const source = dialect === 'postgres' ? `SELECT * FROM unnest(${types.map((type, c) => `$${first + c}::${type}[]`).join(', ')})` : sqliteValues(first, types.length, rows);
		text = statement.replace(ROWS, source);
		sizes.set(key, text);
	}
	return text;
}

/**
 * Runs one statement over many rows: `statement` holds `ROWS` where a table expression may stand
 * (`INSERT INTO t (a, b) ${ROWS}`, `x IN (${ROWS})`), and its own `params` come first ($1…).
 * PostgreSQL gets the rows as one array per column (`unnest`), so the text and its prepared plan
 * are the same for any number of rows, and it is one round trip; SQLite gets VALUES lists in a
 * few fixed sizes for queries and one row at a time for writes. `run` is the client's query or execute; the results of every statement are
 * handed back in order.
 */
async function overRows<R>(sql: SqlClient, statement: string, types: readonly ColumnType[], rows: readonly (readonly unknown[])[], params: readonly unknown[], sqliteRows: number, run: (text: string, values: unknown[]) => Promise<R>): Promise<R[]> {
	if (rows.length === 0) return [];
	const first = params.length + 1;
	if (sql.dialect === 'postgres') {
		const arrays = types.map((_, c) => rows.map((row) => row[c] ?? null));
		return [await run(textOf(statement, 'postgres', types, first, rows.length), [...params, ...arrays])];
	}
	const results: R[] = [];
	let offset = 0;
	for (const size of sqliteChunks(rows.length, sqliteRows)) {
		const values: unknown[] = [...params];
		for (let r = offset; r < offset + size; r++) for (let c = 0; c < types.length; c++) values.push(rows[r][c] ?? null);
		results.push(await run(textOf(statement, 'sqlite', types, first, size), values));
		offset += size;
	}
	return results;
}

/** A query over many rows (see overRows); the rows every statement returned. */
export async function queryRows<T extends Row = Row>(sql: SqlClient, statement: string, types: readonly ColumnType[], rows: readonly (readonly unknown[])[], params: readonly unknown[] = []): Promise<T[]> {
	return (await overRows(sql, statement, types, rows, params, SQLITE_MAX_ROWS, (text, values) => sql.query<T>(text, values))).flat();
}

/** A statement over many rows that returns nothing (see overRows); the number of rows changed. */
export async function executeRows(sql: SqlClient, statement: string, types: readonly ColumnType[], rows: readonly (readonly unknown[])[], params: readonly unknown[] = []): Promise<number> {
	// SQLite in process: one prepared statement, run row after row without a promise each.
	if (sql.dialect === 'sqlite' && sql.executeEach && rows.length > 0 && rows.every((row) => row.length === types.length)) return sql.executeEach(textOf(statement, 'sqlite', types, params.length + 1, 1), params, rows);
	return (await overRows(sql, statement, types, rows, params, 1, (text, values) => sql.execute(text, values))).reduce((sum, n) => sum + n, 0);
}
