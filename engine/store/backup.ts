import type { DatabaseSync } from 'node:sqlite';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCode, LoyaltyError } from '../model/errors';

/*
 * Backups of the embedded (SQLite) store, which holds the shop's points liabilities.
 *
 * A backup is `VACUUM INTO`: one read transaction, so the copy is a consistent snapshot even while
 * n8n keeps writing (in WAL mode a reader never blocks a writer), and the copy is a single compact
 * file with no -wal beside it. The online backup API (node:sqlite `backup()`) copies page by page
 * in steps and starts over whenever another process writes in between, so under a steady stream of
 * writes it may never finish. PostgreSQL stores are backed up with pg_dump, not here.
 */

/** What a store file holds, to print after a backup and to compare before a restore. */
export interface StoreFileSummary {
	file: string;
	bytes: number;
	/** Highest applied migration version. */
	schemaVersion: number;
	customers: number;
	ledgerEntries: number;
	events: number;
	newestLedgerEntryAt: string | null;
	newestEventReceivedAt: string | null;
}

function loadSqlite(): typeof import('node:sqlite') {
	try {
		// Lazily, as in sqlite.ts: node:sqlite exists from Node 22.5 (unflagged in 24).
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require('node:sqlite');
	} catch (cause) {
		throw new LoyaltyError(ErrorCode.Store, `Backing up the embedded store needs Node.js 24 or newer (node:sqlite); this is ${process.version}.`, { cause });
	}
}

/**
 * Opens an existing file without creating it; waits for writers like the store does. Read-write,
 * though this module only reads what it opens: the last connection to close a WAL database
 * removes its -wal and -shm, where a read-only one would leave them behind (and SQLite falls back
 * to read-only by itself for a write-protected file).
 */
function openExisting(path: string): DatabaseSync {
	if (!existsSync(path)) throw LoyaltyError.notFound('file', `${path} does not exist`);
	const db = new (loadSqlite().DatabaseSync)(path);
	db.exec('PRAGMA busy_timeout = 10000');
	return db;
}

function hasMigrationsTable(db: DatabaseSync): boolean {
	return db.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'loyalty_migrations'").get() !== undefined;
}

/** True when `path` is an SQLite file with the loyalty schema (its `loyalty_migrations` table). */
export function isLoyaltyStoreFile(path: string): boolean {
	if (!existsSync(path) || !statSync(path).isFile()) return false;
	let db: DatabaseSync | undefined;
	try {
		db = openExisting(path);
		return hasMigrationsTable(db);
	} catch {
		// Not a database at all ("file is not a database"), or unreadable: not a loyalty store.
		return false;
	} finally {
		db?.close();
	}
}

function summarise(db: DatabaseSync, path: string): StoreFileSummary {
	const value = (sql: string): unknown => Object.values(db.prepare(sql).get() ?? {})[0] ?? null;
	return {
		file: path,
		bytes: statSync(path).size,
		schemaVersion: Number(value('SELECT max(version) FROM loyalty_migrations') ?? 0),
		customers: Number(value('SELECT count(*) FROM customers')),
		ledgerEntries: Number(value('SELECT count(*) FROM ledger_entries')),
		events: Number(value('SELECT count(*) FROM events')),
		newestLedgerEntryAt: value('SELECT max(created_at) FROM ledger_entries') as string | null,
		newestEventReceivedAt: value('SELECT max(received_at) FROM events') as string | null,
	};
}

function requireLoyaltyStore(db: DatabaseSync, path: string, role: string): void {
	let found: boolean;
	try {
		found = hasMigrationsTable(db);
	} catch (cause) {
		throw new LoyaltyError(ErrorCode.InvalidInput, `${role}: ${path} is not an SQLite database (${(cause as Error).message})`, { field: role, cause });
	}
	if (!found) throw LoyaltyError.invalid(role, `${path} is not a loyalty store (it has no loyalty_migrations table)`);
}

function requireIntact(db: DatabaseSync, path: string, role: string): void {
	const problems = db.prepare('PRAGMA quick_check').all().map((row) => String(Object.values(row)[0]));
	if (problems.length !== 1 || problems[0] !== 'ok') throw LoyaltyError.invalid(role, `${path} is damaged: ${problems.slice(0, 5).join('; ')}`);
}

/** Summary of an existing loyalty store file (counts and newest times). */
export function describeStoreFile(path: string): StoreFileSummary {
	const db = openExisting(path);
	try {
		requireLoyaltyStore(db, path, 'store');
		return summarise(db, path);
	} finally {
		db.close();
	}
}

/** A file name beside `target`, so the final rename stays on one file system and is atomic. */
function tempBeside(target: string, purpose: string): string {
	return join(dirname(target), `.${basename(target)}.${purpose}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

function fsyncPath(path: string): void {
	const fd = openSync(path, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** Writes a consistent copy of `source` to a temp file beside `target` and returns its path. */
function vacuumInto(source: DatabaseSync, target: string, purpose: string): string {
	const temp = tempBeside(target, purpose);
	try {
		source.prepare('VACUUM INTO ?').run(temp);
		fsyncPath(temp);
		return temp;
	} catch (error) {
		rmSync(temp, { force: true });
		throw error;
	}
}

/**
 * Backs up the store at `sourcePath` to `targetPath` while other processes may be writing to it.
 * Refuses an existing target unless `overwrite`; the target appears complete or not at all.
 */
export function backupSqliteStore(sourcePath: string, targetPath: string, options: { overwrite?: boolean } = {}): StoreFileSummary {
	const target = resolve(targetPath);
	if (resolve(sourcePath) === target) throw LoyaltyError.invalid('to', 'the backup cannot be the store itself');
	if (existsSync(target) && !options.overwrite) throw new LoyaltyError(ErrorCode.InvalidInput, `to: ${target} already exists; choose a new file or add --force to replace it`, { field: 'to' });
	if (!existsSync(dirname(target))) throw LoyaltyError.notFound('to', `the folder ${dirname(target)} does not exist`);
	const source = openExisting(sourcePath);
	let temp: string;
	try {
		requireLoyaltyStore(source, sourcePath, 'store');
		temp = vacuumInto(source, target, 'backup');
	} finally {
		source.close();
	}
	try {
		if (options.overwrite) renameSync(temp, target);
		else {
			// link() fails if the target appeared meanwhile, so a concurrent file is never replaced.
			linkSync(temp, target);
			rmSync(temp);
		}
	} catch (error) {
		rmSync(temp, { force: true });
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new LoyaltyError(ErrorCode.InvalidInput, `to: ${target} already exists; choose a new file or add --force to replace it`, { field: 'to' });
		throw error;
	}
	fsyncPath(dirname(target));
	return describeStoreFile(target);
}

/** The later of a store's newest ledger entry and newest received event: how far its history reaches. */
export function newestActivity(summary: StoreFileSummary): string | null {
	const times = [summary.newestLedgerEntryAt, summary.newestEventReceivedAt].filter((t): t is string => t !== null);
	return times.length ? times.reduce((a, b) => (a > b ? a : b)) : null;
}

export interface RestoreResult {
	restored: StoreFileSummary;
	/** What the target held before, when it existed. */
	replaced: StoreFileSummary | null;
}

/**
 * Replaces the store at `targetPath` with the backup at `backupPath`. The backup must be an intact
 * loyalty store. A target whose history reaches later than the backup's (it has entries the backup
 * lacks) is kept unless `force`, as is a target that is not a loyalty store. The new file is
 * written beside the target and renamed over it, and the target's -wal/-shm are removed first:
 * they belong to the old database and SQLite would otherwise replay them onto the restored one.
 * n8n must be stopped while restoring: a target another process has open is refused.
 */
export function restoreSqliteStore(backupPath: string, targetPath: string, options: { force?: boolean } = {}): RestoreResult {
	const target = resolve(targetPath);
	if (resolve(backupPath) === target) throw LoyaltyError.invalid('from', 'the backup and the target store are the same file');
	// Never forced: replacing the file under a running n8n would leave it writing to a deleted store.
	if (sqliteStoreInUse(target)) throw new LoyaltyError(ErrorCode.InvalidInput, `store: ${target} is open in another process (is n8n running?); stop n8n, then restore`, { field: 'store' });
	const backup = openExisting(backupPath);
	let temp: string;
	let backupSummary: StoreFileSummary;
	try {
		requireLoyaltyStore(backup, backupPath, 'from');
		requireIntact(backup, backupPath, 'from');
		backupSummary = summarise(backup, backupPath);
		// Restoring into a fresh n8n user folder is normal, so its folder may not exist yet.
		mkdirSync(dirname(target), { recursive: true });
		temp = vacuumInto(backup, target, 'restore');
	} finally {
		backup.close();
	}
	try {
		let replaced: StoreFileSummary | null = null;
		if (existsSync(target)) {
			if (!isLoyaltyStoreFile(target)) {
				if (!options.force) throw new LoyaltyError(ErrorCode.InvalidInput, `store: ${target} exists and is not a loyalty store; add --force to replace it anyway`, { field: 'store' });
			} else {
				replaced = describeStoreFile(target);
				const targetNewest = newestActivity(replaced);
				const backupNewest = newestActivity(backupSummary);
				if (!options.force && targetNewest !== null && (backupNewest === null || targetNewest > backupNewest)) {
					throw new LoyaltyError(
						ErrorCode.InvalidInput,
						`store: ${target} is newer than the backup (its latest activity is ${targetNewest}, the backup's ${backupNewest ?? 'none'}); restoring would lose what happened since. Add --force to restore anyway.`,
						{ field: 'store' },
					);
				}
			}
		}
		for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
		renameSync(temp, target);
		fsyncPath(dirname(target));
		return { restored: { ...describeStoreFile(target) }, replaced };
	} finally {
		rmSync(temp, { force: true });
	}
}

const SQLITE_BUSY = 5;

/**
 * True when another connection (an n8n process) has the store open. In WAL mode every open
 * connection holds a shared lock, even while idle, so an exclusive lock taken without waiting
 * fails exactly when someone else is attached. A file that is not a database is not in use.
 */
export function sqliteStoreInUse(path: string): boolean {
	if (!existsSync(path)) return false;
	let db: DatabaseSync | undefined;
	try {
		db = new (loadSqlite().DatabaseSync)(path);
		db.exec('PRAGMA busy_timeout = 0');
		db.exec('PRAGMA locking_mode = EXCLUSIVE');
		db.exec('BEGIN EXCLUSIVE');
		db.exec('COMMIT');
		return false;
	} catch (error) {
		return (error as { errcode?: number }).errcode === SQLITE_BUSY;
	} finally {
		db?.close();
	}
}
