import { defaultSqlitePath, type StoreConfig } from '../engine';
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
	return { kind: 'sqlite', path: typeof flags.store === 'string' ? flags.store : defaultSqlitePath() };
}
