import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { defaultSqlitePath, isLoyaltyStoreFile, openStore, type Store, type StoreConfig } from '../engine';
import type { ParsedArgs } from './args';

/** `--store <file>` for SQLite (default: the n8n user folder's), or `--pg postgres://user:pass@host:port/db`. */
export function storeFromFlags(flags: ParsedArgs['flags']): StoreConfig {
	if (typeof flags.pg === 'string') {
		const url = new URL(flags.pg);
		return {
			kind: 'postgres',
			host: url.hostname,
			port: Number(url.port || 5432),
			database: url.pathname.replace(/^\//, '') || 'postgres',
			user: decodeURIComponent(url.username || 'postgres'),
			password: url.password ? decodeURIComponent(url.password) : undefined,
			schema: typeof flags.schema === 'string' ? flags.schema : undefined,
		};
	}
	return { kind: 'sqlite', path: typeof flags.store === 'string' ? resolve(flags.store) : defaultSqlitePath() };
}

/** A store the user points at that is not there (or is some other SQLite file). */
export class StoreNotFoundError extends Error {
	override readonly name = 'StoreNotFoundError';
}

/** Where the default embedded store is looked for, in words, so a "not found" says where it looked. */
function describeDefaultLocation(path: string): string {
	const folder = process.env.N8N_USER_FOLDER ? `N8N_USER_FOLDER is ${process.env.N8N_USER_FOLDER}` : 'N8N_USER_FOLDER is not set, so the home folder';
	return `the default store ${path} (the n8n user folder: ${folder})`;
}

/**
 * The embedded store named by the flags must already exist and be a loyalty store, unless the
 * command creates stores (`mayCreate`, e.g. replay) or the user asked for it with --create: a
 * typo in --store must be an error, never a fresh empty store that verifies as "ok". An existing
 * file that is some other database (n8n's own, say) is refused even then, so it is never migrated.
 */
export function requireExistingStore(flags: ParsedArgs['flags'], config: StoreConfig, options: { mayCreate?: boolean } = {}): void {
	if (config.kind !== 'sqlite') return;
	const creating = options.mayCreate === true || flags.create === true;
	const where = typeof flags.store === 'string' ? `--store ${config.path}` : describeDefaultLocation(config.path);
	if (!existsSync(config.path)) {
		if (creating) return;
		throw new StoreNotFoundError(`no loyalty store at ${where}: the file does not exist. Point at the store with --store FILE (or --pg URL for PostgreSQL); add --create to start a new, empty one there.`);
	}
	if (creating && statSync(config.path).size === 0) return;
	if (!isLoyaltyStoreFile(config.path)) {
		throw new StoreNotFoundError(`${where} is not a loyalty store (it has no loyalty_migrations table); nothing was changed. Point at the loyalty store with --store FILE or --pg URL.`);
	}
}

type PostgresConfig = Extract<StoreConfig, { kind: 'postgres' }>;

/**
 * The PostgreSQL counterpart: opening a store creates its schema and tables, so a typo in --schema
 * (or a --pg URL naming the wrong database) would otherwise verify an empty store as "ok".
 */
async function requireExistingPostgresStore(flags: ParsedArgs['flags'], config: PostgresConfig, options: { mayCreate?: boolean }): Promise<void> {
	if (options.mayCreate || flags.create === true) return;
	const client = new Client({ host: config.host, port: config.port, database: config.database, user: config.user, password: config.password });
	await client.connect();
	try {
		const table = config.schema ? `"${config.schema.replace(/"/g, '""')}".loyalty_migrations` : 'loyalty_migrations';
		const [row] = (await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table])).rows;
		if (row?.found) return;
	} finally {
		await client.end();
	}
	const where = `database ${config.database} on ${config.host}:${config.port}${config.schema ? `, schema ${config.schema}` : ' (its search_path)'}`;
	throw new StoreNotFoundError(`no loyalty store in ${where}: there is no loyalty_migrations table. Check --pg and --schema; add --create to start a new, empty store there.`);
}

/** Opens (and migrates) the store the flags name; see `requireExistingStore` for when it may be created. */
export async function openStoreFromFlags(flags: ParsedArgs['flags'], options: { mayCreate?: boolean } = {}): Promise<Store> {
	const config = storeFromFlags(flags);
	if (config.kind === 'postgres') await requireExistingPostgresStore(flags, config, options);
	else requireExistingStore(flags, config, options);
	return openStore(config);
}
