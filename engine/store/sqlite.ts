import type { DatabaseSync as DatabaseSyncType, SQLInputValue } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LoyaltyError, ErrorCode } from '../model/errors';
import type { Db, Row, SqlClient } from './db';

/** `$1` → `?1`: SQLite binds numbered parameters by position, so the same SQL serves both backends. */
function toSqlite(sql: string): string {
	return sql.replace(/\$(\d+)/g, '?$1');
}

function bindableValue(value: unknown): SQLInputValue {
	if (value === undefined) return null;
	if (typeof value === 'boolean') return value ? 1 : 0;
	return value as SQLInputValue;
}

function bindable(params: readonly unknown[]): SQLInputValue[] {
	return params.map(bindableValue);
}

/**
 * node:sqlite is synchronous and one connection serves the whole process, so async transactions
 * must not interleave on it: every call waits its turn on `queue`. Across processes (several n8n
 * instances on one file) BEGIN IMMEDIATE plus busy_timeout serialise writers.
 */
export class SqliteDb implements Db {
	readonly dialect = 'sqlite' as const;
	private readonly db: DatabaseSyncType;
	private queue: Promise<unknown> = Promise.resolve();
	private readonly statements = new Map<string, ReturnType<DatabaseSyncType['prepare']>>();

	private constructor(db: DatabaseSyncType) {
		this.db = db;
	}

	static open(path: string): SqliteDb {
		let sqlite: typeof import('node:sqlite');
		try {
			// Loaded lazily: node:sqlite exists from Node 22.5 (unflagged in 24); n8n 2.x requires Node 24.
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			sqlite = require('node:sqlite');
		} catch (cause) {
			throw new LoyaltyError(ErrorCode.Store, `The embedded store needs Node.js 24 or newer (node:sqlite); this is ${process.version}. Use a PostgreSQL store or upgrade Node.js.`, { cause });
		}
		if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
		const db = new sqlite.DatabaseSync(path);
		db.exec('PRAGMA journal_mode = WAL');
		db.exec('PRAGMA busy_timeout = 10000');
		db.exec('PRAGMA synchronous = NORMAL');
		db.exec('PRAGMA foreign_keys = ON');
		// Each award is its own transaction. With the default (1,000 pages) the WAL is checkpointed,
		// with an fsync, every few hundred awards, which cost more than the awards themselves; at
		// 10,000 pages (about 40 MB of WAL) checkpoints are ten times rarer. A 32 MB page cache keeps
		// the hot index pages of a shop with a few million entries in memory.
		db.exec('PRAGMA wal_autocheckpoint = 10000');
		db.exec('PRAGMA cache_size = -32768');
		return new SqliteDb(db);
	}

	private prepared(sql: string) {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(toSqlite(sql));
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private readonly client: SqlClient = {
		dialect: 'sqlite',
		query: async <T extends Row>(sql: string, params: readonly unknown[] = []) => this.prepared(sql).all(...bindable(params)) as T[],
		execute: async (sql: string, params: readonly unknown[] = []) => Number(this.prepared(sql).run(...bindable(params)).changes),
		executeEach: async (sql: string, params: readonly unknown[], rows: ReadonlyArray<readonly unknown[]>) => {
			const statement = this.prepared(sql);
			const values = bindable(params);
			const first = values.length;
			let changed = 0;
			for (const row of rows) {
				for (let c = 0; c < row.length; c++) values[first + c] = bindableValue(row[c]);
				changed += Number(statement.run(...values).changes);
			}
			return changed;
		},
	};

	private serialised<T>(work: () => Promise<T>): Promise<T> {
		const run = this.queue.then(work, work);
		this.queue = run.catch(() => undefined);
		return run;
	}

	query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
		return this.serialised(() => this.client.query<T>(sql, params));
	}

	execute(sql: string, params?: readonly unknown[]): Promise<number> {
		return this.serialised(() => this.client.execute(sql, params));
	}

	transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
		return this.serialised(async () => {
			this.db.exec('BEGIN IMMEDIATE');
			try {
				const result = await work(this.client);
				this.db.exec('COMMIT');
				return result;
			} catch (error) {
				if (this.db.isTransaction) this.db.exec('ROLLBACK');
				throw error;
			}
		});
	}

	/** Multi-statement DDL for migrations. */
	execScript(sql: string): void {
		this.db.exec(sql);
	}

	async close(): Promise<void> {
		await this.serialised(async () => {
			this.statements.clear();
			if (this.db.isOpen) this.db.close();
		});
	}
}
