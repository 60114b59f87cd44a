import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { describeStoreFile, openStore, verifyBalances, type StoreFileSummary } from '../../../engine';

const DEADLINE_MS = 60_000;

/** Runs the CLI in-process and returns its exit code (or what it threw) and stdout lines. */
async function run(args: string[]): Promise<{ code: number | Error; out: string[]; err: string[] }> {
	const out: string[] = [];
	const err: string[] = [];
	const { log, error } = console;
	console.log = (text: unknown) => out.push(String(text));
	console.error = (text: unknown) => err.push(String(text));
	try {
		return { code: await main(args), out, err };
	} catch (thrown) {
		return { code: thrown as Error, out, err };
	} finally {
		Object.assign(console, { log, error });
	}
}

async function backupWith(args: string[]): Promise<StoreFileSummary & { tookMs: number }> {
	const { code, out, err } = await run(['backup', ...args]);
	if (code instanceof Error) throw code;
	assert.equal(code, 0, err.join('\n'));
	assert.equal(out.length, 1, 'one JSON line');
	return JSON.parse(out[0]);
}

/** The ledger writer in its own process, like n8n writing to the store while the backup runs. */
class Writer {
	private readonly child: ChildProcessWithoutNullStreams;
	private written = 0;
	private waiters: { atLeast: number; resolve(): void }[] = [];
	private readonly exited: Promise<number | null>;
	private stderr = '';

	constructor(storePath: string) {
		this.child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'ledgerWriter.ts'), storePath], { stdio: ['pipe', 'pipe', 'pipe'] });
		this.child.stderr.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
		let pending = '';
		this.child.stdout.setEncoding('utf8').on('data', (text: string) => {
			pending += text;
			const lines = pending.split('\n');
			pending = lines.pop()!;
			for (const line of lines) this.written = Math.max(this.written, Number(/^wrote (\d+)$/.exec(line)?.[1] ?? 0));
			this.waiters = this.waiters.filter((w) => (this.written >= w.atLeast ? (w.resolve(), false) : true));
		});
		this.exited = new Promise((resolve) => this.child.on('exit', resolve));
	}

	get count(): number {
		return this.written;
	}

	/** Resolves once the writer has committed `n` writes; fails at the deadline or if it dies. */
	async waitFor(n: number): Promise<void> {
		if (this.written >= n) return;
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			new Promise<void>((resolve) => this.waiters.push({ atLeast: n, resolve })),
			this.exited.then((code) => Promise.reject(new Error(`the writer exited (${code}) after ${this.written} writes: ${this.stderr}`))),
			new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the writer made only ${this.written} of ${n} writes in ${DEADLINE_MS} ms: ${this.stderr}`)), DEADLINE_MS))),
		]).finally(() => clearTimeout(timer));
	}

	/** Asks the writer to finish its current write and exit; kills it if it has not by the deadline. */
	async stop(): Promise<number | null> {
		this.child.stdin.end();
		const timer = setTimeout(() => this.child.kill('SIGKILL'), DEADLINE_MS);
		return this.exited.finally(() => clearTimeout(timer));
	}
}

async function verifiedBalances(file: string): Promise<unknown[]> {
	const store = await openStore({ kind: 'sqlite', path: file });
	try {
		return await verifyBalances(store);
	} finally {
		await store.close();
	}
}

test('backups taken while another process keeps writing are consistent, and restore round-trips', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-backup-'));
	const live = path.join(dir, 'live.sqlite');
	const writer = new Writer(live);
	try {
		const backups: (StoreFileSummary & { tookMs: number })[] = [];
		for (let round = 1; round <= 4; round++) {
			// Each backup starts only after the writer has moved on since the previous one.
			await writer.waitFor(writer.count + 40);
			const summary = await backupWith(['--store', live, '--to', path.join(dir, `backup-${round}.sqlite`)]);
			assert.equal(summary.bytes, statSync(summary.file).size);
			assert.ok(summary.ledgerEntries > (backups.at(-1)?.ledgerEntries ?? 0), 'each backup holds the writes made since the one before');
			assert.equal(summary.customers, 7);
			assert.match(summary.newestLedgerEntryAt ?? '', /^\d{4}-\d\d-\d\dT/);
			assert.deepEqual(await verifiedBalances(summary.file), [], `backup ${round} balances agree with its entries`);
			backups.push(summary);
		}

		// The live store is in use: restoring over it is refused, --force or not.
		for (const force of [[], ['--force']]) {
			const refused = await run(['restore', '--from', backups[0].file, '--store', live, ...force]);
			assert.ok(refused.code instanceof Error);
			assert.match(refused.code.message, /is open in another process \(is n8n running\?\); stop n8n/);
		}
		assert.equal(await writer.stop(), 0);

		// Round trip into a new place: the same entries and balances as the backup.
		const fresh = path.join(dir, 'restored', 'loyalty.sqlite');
		const last = backups.at(-1)!;
		const restored = await run(['restore', '--from', last.file, '--store', fresh]);
		assert.equal(restored.code, 0, restored.err.join('\n'));
		const after = describeStoreFile(fresh);
		const contentOf = (summary: StoreFileSummary) => ({ ...summary, file: undefined, bytes: undefined });
		assert.deepEqual(contentOf(after), contentOf(describeStoreFile(last.file)));
		assert.equal(after.ledgerEntries, last.ledgerEntries);
		assert.deepEqual(await verifiedBalances(fresh), []);

		// An older target may be replaced by a newer backup without --force, and its -wal goes.
		const older = path.join(dir, 'older.sqlite');
		copyFileSync(backups[0].file, older);
		writeFileSync(`${older}-wal`, 'stale write-ahead log of the old store');
		const forward = await run(['restore', '--from', last.file, '--store', older]);
		assert.equal(forward.code, 0, forward.code instanceof Error ? forward.code.message : forward.err.join('\n'));
		assert.equal(existsSync(`${older}-wal`), false);
		assert.equal(describeStoreFile(older).ledgerEntries, last.ledgerEntries);
		assert.deepEqual(JSON.parse(forward.out[0]).replaced.ledgerEntries, backups[0].ledgerEntries);
	} finally {
		await writer.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});

test('refusals: an existing backup file, a newer target, a file that is not a loyalty store, PostgreSQL', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-backup-'));
	const live = path.join(dir, 'live.sqlite');
	const writer = new Writer(live);
	try {
		await writer.waitFor(30);
		const first = await backupWith(['--store', live, '--to', path.join(dir, 'first.sqlite')]);
		await writer.waitFor(first.ledgerEntries + 30);
		assert.equal(await writer.stop(), 0);
		const second = await backupWith(['--store', live, '--to', path.join(dir, 'second.sqlite')]);

		// An existing backup file is kept unless --force.
		const before = readFileSync(first.file);
		const kept = await run(['backup', '--store', live, '--to', first.file]);
		assert.ok(kept.code instanceof Error);
		assert.match(kept.code.message, /first\.sqlite already exists; choose a new file or add --force/);
		assert.ok(readFileSync(first.file).equals(before), 'the existing file is untouched');
		const replaced = await backupWith(['--store', live, '--to', first.file, '--force']);
		assert.equal(replaced.ledgerEntries, second.ledgerEntries);

		// A target newer than the backup is kept unless --force. The older backup is the same store
		// with its history moved back to 2000, so which one is newer does not depend on the clock.
		const target = path.join(dir, 'target.sqlite');
		copyFileSync(second.file, target);
		const aged = path.join(dir, 'aged.sqlite');
		copyFileSync(second.file, aged);
		const agedStore = await openStore({ kind: 'sqlite', path: aged });
		const [{ newest }] = await agedStore.db.query<{ newest: string }>('SELECT max(created_at) AS newest FROM ledger_entries');
		await agedStore.db.execute("UPDATE ledger_entries SET created_at = '2000-01-01T00:00:00.000Z'");
		await agedStore.db.execute("UPDATE events SET received_at = '2000-01-01T00:00:00.000Z'");
		await agedStore.close();
		const olderBackup = path.join(dir, 'older-backup.sqlite');
		await backupWith(['--store', aged, '--to', olderBackup]);
		const refused = await run(['restore', '--from', olderBackup, '--store', target]);
		assert.ok(refused.code instanceof Error);
		assert.match(refused.code.message, new RegExp(`target\\.sqlite is newer than the backup \\(its latest activity is ${newest.replace(/\./g, '\\.')}, the backup's 2000-01-01T00:00:00\\.000Z\\).*--force`));
		assert.equal(describeStoreFile(target).newestLedgerEntryAt, newest, 'the newer target is untouched');
		const forced = await run(['restore', '--from', olderBackup, '--store', target, '--force']);
		assert.equal(forced.code, 0);
		assert.equal(describeStoreFile(target).newestLedgerEntryAt, '2000-01-01T00:00:00.000Z');

		// Not a loyalty store: an SQLite file without loyalty_migrations, and a file that is no database.
		const plain = path.join(dir, 'plain.sqlite');
		const { DatabaseSync } = await import('node:sqlite');
		const db = new DatabaseSync(plain);
		db.exec('CREATE TABLE notes (text TEXT)');
		db.close();
		const text = path.join(dir, 'notes.txt');
		writeFileSync(text, 'hello\n'.repeat(200));
		for (const from of [plain, text]) {
			const notStore = await run(['restore', '--from', from, '--store', path.join(dir, 'never.sqlite')]);
			assert.ok(notStore.code instanceof Error, from);
			assert.match(notStore.code.message, /is not (a loyalty store \(it has no loyalty_migrations table\)|an SQLite database)/);
			assert.equal(existsSync(path.join(dir, 'never.sqlite')), false);
		}
		const backupOfPlain = await run(['backup', '--store', plain, '--to', path.join(dir, 'never.sqlite')]);
		assert.ok(backupOfPlain.code instanceof Error);
		assert.match(backupOfPlain.code.message, /is not a loyalty store/);

		// PostgreSQL: pg_dump / pg_restore, exit code 2, nothing written.
		for (const [command, tool] of [['backup', 'pg_dump'], ['restore', 'pg_restore']]) {
			const pg = await run([command, '--pg', 'postgres://postgres@127.0.0.1:5432/test', command === 'backup' ? '--to' : '--from', path.join(dir, 'pg.dump')]);
			assert.equal(pg.code, 2);
			assert.match(pg.err.join('\n'), new RegExp(`use ${tool}`));
		}
		assert.equal(existsSync(path.join(dir, 'pg.dump')), false);
	} finally {
		await writer.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});
