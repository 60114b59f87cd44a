import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openStore, type Store, type StoreConfig } from '../../engine';
import { notRun } from './notRun';

export interface Backend {
	name: 'sqlite' | 'postgres';
	/** A fresh, migrated, empty store; `cleanup` removes its file or schema. */
	open(): Promise<{ store: Store; config: StoreConfig; cleanup(): Promise<void> }>;
	/** Why this backend cannot run here, or undefined when it can. */
	unavailable?: string;
}

export const POSTGRES = {
	host: process.env.LOYALTY_PG_HOST ?? '127.0.0.1',
	port: Number(process.env.LOYALTY_PG_PORT ?? 5432),
	database: process.env.LOYALTY_PG_DATABASE ?? 'test',
	user: process.env.LOYALTY_PG_USER ?? 'postgres',
	password: process.env.LOYALTY_PG_PASSWORD,
};

/** Why the test PostgreSQL cannot be used, or undefined when it answers. */
export async function postgresUnavailable(): Promise<string | undefined> {
	const client = new Client({ ...POSTGRES, connectionTimeoutMillis: 2000 });
	try {
		await client.connect();
		await client.query('SELECT 1');
		return undefined;
	} catch (error) {
		return `PostgreSQL at ${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database} is not reachable (${(error as Error).message})`;
	} finally {
		await client.end().catch(() => undefined);
	}
}

const sqlite: Backend = {
	name: 'sqlite',
	async open() {
		const dir = mkdtempSync(join(tmpdir(), 'loyalty-store-'));
		const config: StoreConfig = { kind: 'sqlite', path: join(dir, 'loyalty.sqlite') };
		const store = await openStore(config);
		return { store, config, cleanup: async () => { await store.close().catch(() => undefined); rmSync(dir, { recursive: true, force: true }); } };
	},
};

function postgres(unavailable: string | undefined): Backend {
	return {
		name: 'postgres',
		unavailable,
		async open() {
			const schema = `loyalty_test_${randomBytes(6).toString('hex')}`;
			const config: StoreConfig = { kind: 'postgres', ...POSTGRES, schema };
			const store = await openStore(config);
			return {
				store,
				config,
				cleanup: async () => {
					await store.close().catch(() => undefined);
					const client = new Client(POSTGRES);
					await client.connect();
					await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
					await client.end();
				},
			};
		},
	};
}

/** Both backends; PostgreSQL carries the reason it is unavailable when no server answers. */
export async function backends(): Promise<Backend[]> {
	const reason = await postgresUnavailable();
	if (reason) notRun('PostgreSQL store tests', reason, `start PostgreSQL at ${POSTGRES.host}:${POSTGRES.port} (database ${POSTGRES.database}, user ${POSTGRES.user}) or point LOYALTY_PG_HOST, LOYALTY_PG_PORT, LOYALTY_PG_DATABASE, LOYALTY_PG_USER, LOYALTY_PG_PASSWORD at one`);
	return [sqlite, postgres(reason)];
}
