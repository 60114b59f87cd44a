import { LoyaltyError } from '../model/errors';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PostgresDb } from './postgres';
import { SqliteDb } from './sqlite';
import type { StoreTables } from './tables';
import { Store } from './store';

export type StoreConfig =
	| { kind: 'sqlite'; path: string }
	| {
			kind: 'postgres';
			host: string;
			port: number;
			database: string;
			user: string;
			password?: string;
			ssl?: boolean;
			/** Keeps the loyalty tables apart from n8n's own when both share a database. */
			schema?: string;
			max?: number;
	  };

/** The embedded store's file: beside n8n's own database, in the n8n user folder. */
export function defaultSqlitePath(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER ?? homedir(), '.n8n', 'loyalty.sqlite');
}

/**
 * Opens and migrates a store with these tables (the engine's is in engine/features.ts, and
 * engine/index.ts's `openStore` passes it). The caller owns the store and must close it.
 */
export async function openStoreWith(config: StoreConfig, tables: StoreTables): Promise<Store> {
	const store = new Store(
		config.kind === 'sqlite'
			? SqliteDb.open(config.path)
			: new PostgresDb({
					host: config.host,
					port: config.port,
					database: config.database,
					user: config.user,
					password: config.password,
					ssl: config.ssl ? { rejectUnauthorized: false } : undefined,
					max: config.max,
					...(config.schema ? { options: `-c search_path=${quoteIdentifier(config.schema)}` } : {}),
				}),
		tables,
	);
	try {
		if (config.kind === 'postgres' && config.schema) await store.db.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(config.schema)}`);
		await store.migrate();
	} catch (error) {
		await store.close().catch(() => undefined);
		throw error;
	}
	return store;
}

function quoteIdentifier(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw LoyaltyError.invalid('schema', `"${name}" is not a plain PostgreSQL schema name (letters, digits, underscore)`);
	return `"${name}"`;
}

/**
 * One open store per configuration per process. n8n runs many executions in one process; they
 * share the connection (pool) instead of opening a database per item. This caches connections
 * only — all state lives in the database, so n8n workers in queue mode stay consistent.
 */
const shared = new Map<string, Promise<Store>>();

export function openSharedStoreWith(config: StoreConfig, tables: StoreTables): Promise<Store> {
	const key = JSON.stringify(config);
	let store = shared.get(key);
	if (!store) {
		store = openStoreWith(config, tables);
		shared.set(key, store);
		// A failed open (server down, bad password) must not be cached: the next execution retries.
		store.catch(() => shared.delete(key));
	}
	return store;
}

export async function closeSharedStores(): Promise<void> {
	const stores = [...shared.values()];
	shared.clear();
	await Promise.all(stores.map(async (store) => (await store.catch(() => undefined))?.close()));
}

export { Store } from './store';
export { withoutKeeping } from './scratch';
export type { Clock } from './store';
export type { StoredOrder } from './orders';
export type { Db, Dialect, Row, SqlClient } from './db';
export { storeTables, type FeatureTables, type StoreTables } from './tables';
export type { CustomerColumn, Migration } from './migrations';
