import { performance } from 'node:perf_hooks';
import { backupSqliteStore, restoreSqliteStore } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { requireExistingStore, storeFromFlags } from '../storeFromFlags';

const POSTGRES_EXIT_CODE = 2;

/** PostgreSQL has its own, better tools; these commands only copy the embedded SQLite file. */
function refusePostgres(flags: ParsedArgs['flags'], command: string): boolean {
	if (typeof flags.pg !== 'string') return false;
	const tool = command === 'backup' ? 'pg_dump --format=custom --file loyalty.dump' : 'pg_restore --clean --dbname';
	console.error(`${command}: the store is PostgreSQL; use ${tool} (with --schema/-n for the loyalty schema) instead. ${command} copies only the embedded SQLite store.`);
	return true;
}

function requireFile(flags: ParsedArgs['flags'], name: string, command: string): string {
	const value = flags[name];
	if (typeof value !== 'string' || value === '') throw new Error(`${command}: --${name} FILE is required, e.g. n8n-loyalty ${command} --${name} loyalty-backup.sqlite`);
	return value;
}

export const backupCommand: CliCommand = {
	name: 'backup',
	summary: 'copy the embedded store to a file, consistently, while n8n keeps running',
	usage: `n8n-loyalty backup --to FILE [--store <file>] [--force]

Writes a consistent copy of the embedded SQLite store (default: <N8N_USER_FOLDER>/.n8n/loyalty.sqlite)
to FILE while n8n goes on writing to it, then prints one JSON line: the file, its size in bytes,
the counts of customers, ledger entries and events, and the newest ledger entry and event times.
FILE appears complete or not at all. An existing FILE is kept (exit code 1) unless --force.
For a PostgreSQL store (--pg) use pg_dump instead; this exits with code 2.
Scheduling and restoring: docs/backup.md.`,
	async run({ flags }) {
		if (refusePostgres(flags, 'backup')) return POSTGRES_EXIT_CODE;
		const to = requireFile(flags, 'to', 'backup');
		const config = storeFromFlags(flags);
		if (config.kind !== 'sqlite') return POSTGRES_EXIT_CODE;
		// --create means nothing here: a backup of a store that does not exist is always an error.
		requireExistingStore({ ...flags, create: 'no' }, config);
		const started = performance.now();
		const summary = backupSqliteStore(config.path, to, { overwrite: flags.force === true });
		console.log(JSON.stringify({ ...summary, store: config.path, tookMs: Math.round(performance.now() - started) }));
		return 0;
	},
};

export const restoreCommand: CliCommand = {
	name: 'restore',
	summary: 'replace the embedded store with a backup (n8n stopped); refuses a newer store',
	usage: `n8n-loyalty restore --from FILE [--store <target file>] [--force]

Stop n8n first: a store that another process has open is refused.
Replaces the embedded SQLite store (default: <N8N_USER_FOLDER>/.n8n/loyalty.sqlite; or --store)
with the backup FILE, which must be an intact loyalty store. When the target's newest ledger entry
or received event is later than the backup's, restoring would lose that history: it is refused
unless --force (also needed to replace a file that is not a loyalty store). The restored store is
written beside the target and renamed over it, so the target is either the old or the new store;
the old store's -wal and -shm files are removed. Prints one JSON line: what was restored and
what it replaced. For a PostgreSQL store (--pg) use pg_restore instead; this exits with code 2.`,
	async run({ flags }) {
		if (refusePostgres(flags, 'restore')) return POSTGRES_EXIT_CODE;
		const from = requireFile(flags, 'from', 'restore');
		const config = storeFromFlags(flags);
		if (config.kind !== 'sqlite') return POSTGRES_EXIT_CODE;
		const result = restoreSqliteStore(from, config.path, { force: flags.force === true });
		console.log(JSON.stringify(result));
		return 0;
	},
};

/** Backup and restore of the embedded store. */
export const BACKUP_COMMANDS: readonly CliCommand[] = [backupCommand, restoreCommand];
