import { createHash } from 'node:crypto';
import { Pool, types, type PoolClient, type PoolConfig } from 'pg';
import type { Db, Row, SqlClient } from './db';

// BIGINT columns hold points and minor units; they stay far below 2^53, so plain numbers are safe.
types.setTypeParser(20, (value) => Number(value));

/** Error codes after which the whole transaction is worth running again. */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 8;

/**
 * Statements with parameters run as named prepared statements: each connection parses and plans
 * one once, then only binds (the ledger's per-award statements are all of this kind). Statements
 * without parameters (DDL, BEGIN) stay unnamed.
 */
const statementNames = new Map<string, string>();
function queryConfig(text: string, params: readonly unknown[]): string | { name: string; text: string; values: unknown[] } {
	if (params.length === 0) return text;
	let name = statementNames.get(text);
	if (!name) {
		name = `loyalty_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
		statementNames.set(text, name);
	}
	return { name, text, values: params as unknown[] };
}

export class PostgresDb implements Db {
	readonly dialect = 'postgres' as const;
	private readonly pool: Pool;

	constructor(config: PoolConfig) {
		this.pool = new Pool({ max: 10, ...config });
		// An idle client losing its connection must not crash the n8n process.
		this.pool.on('error', () => undefined);
	}

	private static clientOf(connection: Pool | PoolClient): SqlClient {
		return {
			dialect: 'postgres',
			query: async <T extends Row>(sql: string, params: readonly unknown[] = []) => (await connection.query(queryConfig(sql, params))).rows as T[],
			execute: async (sql: string, params: readonly unknown[] = []) => (await connection.query(queryConfig(sql, params))).rowCount ?? 0,
		};
	}

	query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
		return PostgresDb.clientOf(this.pool).query<T>(sql, params);
	}

	execute(sql: string, params?: readonly unknown[]): Promise<number> {
		return PostgresDb.clientOf(this.pool).execute(sql, params);
	}

	async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			const connection = await this.pool.connect();
			try {
				await connection.query('BEGIN');
				const result = await work(PostgresDb.clientOf(connection));
				await connection.query('COMMIT');
				return result;
			} catch (error) {
				await connection.query('ROLLBACK').catch(() => undefined);
				const code = (error as { code?: string }).code;
				if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
				// Jittered backoff so racing workers do not collide again in lock-step.
				await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
			} finally {
				connection.release();
			}
		}
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
