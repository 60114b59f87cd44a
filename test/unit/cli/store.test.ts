import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { main } from '../../../cli/main';
import { POSTGRES, backends } from '../../support/stores';

/** Runs the CLI in-process, collecting what it prints; restores the console whatever happens. */
async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | Error; out: string[]; err: string[] }> {
	const out: string[] = [];
	const err: string[] = [];
	const { log, error } = console;
	const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
	console.log = (text: unknown) => out.push(String(text));
	console.error = (text: unknown) => err.push(String(text));
	Object.assign(process.env, env);
	try {
		return { code: await main(args), out, err };
	} catch (thrown) {
		return { code: thrown as Error, out, err };
	} finally {
		Object.assign(console, { log, error });
		for (const [key, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	}
}

function withDir(work: (dir: string) => Promise<void>): Promise<void> {
	const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-cli-store-'));
	return work(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('verify and balance on a --store that does not exist fail, naming the path, and create nothing', () =>
	withDir(async (dir) => {
		const typo = path.join(dir, 'loyalty.sqlte');
		for (const args of [['verify', '--store', typo], ['balance', '--email', 'ana@example.com', '--store', typo]]) {
			const { code, out } = await run(args);
			assert.ok(code instanceof Error, `${args[0]} must fail`);
			assert.match(code.message, new RegExp(`no loyalty store at --store .*loyalty\\.sqlte: the file does not exist.*--store FILE.*--pg URL.*--create`));
			assert.deepEqual(out, []);
			assert.equal(existsSync(typo), false, 'no empty store is left behind');
		}
	}));

test('without --store the default store is looked for in the n8n user folder, and the error says where', () =>
	withDir(async (dir) => {
		const { code } = await run(['verify'], { N8N_USER_FOLDER: dir });
		assert.ok(code instanceof Error);
		assert.ok(code.message.includes(path.join(dir, '.n8n', 'loyalty.sqlite')), code.message);
		assert.match(code.message, /N8N_USER_FOLDER is .*--store FILE.*--pg URL/);
		assert.equal(existsSync(path.join(dir, '.n8n')), false);
	}));

test('--create starts an empty store; replay creates one because writing is its job', () =>
	withDir(async (dir) => {
		const created = path.join(dir, 'new.sqlite');
		const verified = await run(['verify', '--store', created, '--create']);
		assert.equal(verified.code, 0);
		assert.deepEqual(JSON.parse(verified.out[0]), { ok: true, mismatches: [] });
		assert.equal(existsSync(created), true);

		const events = path.join(dir, 'events.jsonl');
		writeFileSync(events, '');
		const replayed = path.join(dir, 'replayed.sqlite');
		assert.equal((await run(['replay', events, '--store', replayed])).code, 0);
		assert.equal((await run(['verify', '--store', replayed])).code, 0);
	}));

test('a file that is not a loyalty store is refused, even with --create, and left untouched', () =>
	withDir(async (dir) => {
		const other = path.join(dir, 'notes.txt');
		const content = 'not a database at all, but long enough to be more than a header\n'.repeat(20);
		writeFileSync(other, content);
		for (const args of [['verify', '--store', other], ['replay', path.join(dir, 'none.jsonl'), '--store', other], ['verify', '--store', other, '--create']]) {
			const { code } = await run(args);
			assert.ok(code instanceof Error, args.join(' '));
			assert.match(code.message, /is not a loyalty store \(it has no loyalty_migrations table\)/);
		}
		assert.equal(readFileSync(other, 'utf8'), content);
	}));

test('PostgreSQL: a --schema with no loyalty store in it is an error, not an empty ok; --create makes one', async (t) => {
	// backends() prints the "# NOT RUN" notice for PostgreSQL when no server answers.
	const reason = (await backends()).find((b) => b.name === 'postgres')?.unavailable;
	if (reason) {
		t.skip(reason);
		return;
	}
	const schema = `loyalty_cli_${randomBytes(5).toString('hex')}`;
	const url = `postgres://${POSTGRES.user}${POSTGRES.password ? `:${encodeURIComponent(POSTGRES.password)}` : ''}@${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database}`;
	try {
		const missing = await run(['verify', '--pg', url, '--schema', schema]);
		assert.ok(missing.code instanceof Error);
		assert.match(missing.code.message, new RegExp(`no loyalty store in database ${POSTGRES.database} on .*, schema ${schema}: there is no loyalty_migrations table.*--create`));
		assert.equal(await schemaExists(schema), false, 'nothing was created');

		const created = await run(['verify', '--pg', url, '--schema', schema, '--create']);
		assert.equal(created.code, 0);
		assert.equal((await run(['verify', '--pg', url, '--schema', schema])).code, 0, 'an existing store opens without --create');
	} finally {
		const client = new Client(POSTGRES);
		await client.connect();
		await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await client.end();
	}
});

async function schemaExists(schema: string): Promise<boolean> {
	const client = new Client(POSTGRES);
	await client.connect();
	try {
		return (await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).rowCount === 1;
	} finally {
		await client.end();
	}
}
