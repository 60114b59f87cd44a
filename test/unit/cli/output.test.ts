import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLOSED_PIPE_EXIT_CODE } from '../../../cli/output';

/*
 * The CLI run as a real process with stdout on a pipe that is read slowly, so the pipe fills and
 * Node must hold the rest of the output until the reader takes it: every byte must still arrive,
 * with the exit code the command chose.
 */

const repoRoot = path.resolve(__dirname, '../../..');
const DEADLINE_MS = 60_000;
/** Between chunks the reader dawdles, so the child's writes back up behind a full pipe. */
const READER_PAUSE_MS = 15;

interface Finished {
	code: number | null;
	stdout: Buffer;
	stderr: string;
}

/**
 * Runs the CLI with stdout on a real pipe (a FIFO). Node's own `stdio: 'pipe'` is a socket pair
 * with a far larger buffer than a shell pipe's, which would hide output lost at exit.
 */
function runCli(args: string[], options: { stopReadingAfterFirstChunk?: boolean } = {}): Promise<Finished> {
	const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-cli-pipe-'));
	const fifo = path.join(dir, 'stdout');
	execFileSync('mkfifo', [fifo]);
	// Opening the read end without blocking first lets the write end open at once.
	const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
	const writeEnd = openSync(fifo, 'w');
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', writeEnd, 'pipe'] });
	closeSync(writeEnd);
	const stdout = new Socket({ fd: readEnd, readable: true, writable: false });
	const exited = new Promise<number | null>((resolve, reject) => {
		child.on('error', reject);
		child.on('exit', (code) => resolve(code));
	});
	const drained = new Promise<{ stdout: Buffer; stderr: string }>((resolve) => {
		const chunks: Buffer[] = [];
		let stderr = '';
		let open = 2;
		const done = (): void => {
			if (--open === 0) resolve({ stdout: Buffer.concat(chunks), stderr });
		};
		child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text)).on('end', done);
		stdout.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			if (options.stopReadingAfterFirstChunk) {
				stdout.destroy();
				done();
				return;
			}
			stdout.pause();
			setTimeout(() => stdout.resume(), READER_PAUSE_MS);
		});
		stdout.on('end', done);
	});
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`n8n-loyalty ${args.join(' ')} did not finish within ${DEADLINE_MS} ms`));
		}, DEADLINE_MS);
	});
	return Promise.race([Promise.all([exited, drained]), deadline])
		.then(([code, output]) => ({ code, ...output }))
		.finally(() => {
			clearTimeout(timer);
			rmSync(dir, { recursive: true, force: true });
		});
}

/** A shop's orders: `customers` customers with 1–6 orders each over 1997, deterministic. */
function ordersCsv(customers: number): string {
	let seed = 42;
	const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const lines = ['customer_id,placed_at,total'];
	for (let c = 1; c <= customers; c++) {
		const orders = 1 + Math.floor(random() * 6);
		for (let o = 0; o < orders; o++) {
			const day = new Date(Date.UTC(1997, 0, 1) + Math.floor(random() * 364) * 86_400_000).toISOString().slice(0, 10);
			lines.push(`c${c},${day},${(5 + random() * 95).toFixed(2)}`);
		}
	}
	return lines.join('\n') + '\n';
}

test('a large document reaches a slow pipe whole: schema rules is complete, valid JSON, exit 0', async () => {
	const { code, stdout, stderr } = await runCli(['schema', 'rules']);
	assert.equal(stderr, '');
	assert.equal(code, 0);
	assert.ok(stdout.length > 64 * 1024, `the document should exceed one pipe buffer (got ${stdout.length} bytes)`);
	assert.doesNotThrow(() => JSON.parse(stdout.toString('utf8')));
});

test('segment over a few thousand customers prints every customer through a slow pipe, and exit 2 for a bad line', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-cli-output-'));
	try {
		const customers = 3000;
		const file = path.join(dir, 'orders.csv');
		writeFileSync(file, ordersCsv(customers) + 'c1,not-a-date,10.00\n');
		const { code, stdout, stderr } = await runCli(['segment', '--orders', file, '--as-of', '1997-12-31', '--json']);
		const text = stdout.toString('utf8');
		assert.ok(text.endsWith('\n'), 'the last line is complete');
		const ids = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { customer_id: string }).customer_id);
		assert.equal(ids.length, customers);
		assert.equal(new Set(ids).size, customers);
		assert.match(stderr, /line \d+: /);
		assert.equal(code, 2);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('an error exit still delivers its whole message on stderr with exit code 1', async () => {
	const missing = path.join(tmpdir(), 'loyalty-cli-output-no-such-dir', 'store.sqlite');
	const { code, stdout, stderr } = await runCli(['verify', '--store', missing]);
	assert.equal(stdout.length, 0);
	assert.match(stderr, new RegExp(`no loyalty store at --store ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file does not exist\\..*--create to start a new, empty one there\\.\\n$`));
	assert.equal(code, 1);
});

test('a reader that stops early (| head) ends the CLI quietly with the closed-pipe status', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-cli-output-'));
	try {
		const file = path.join(dir, 'orders.csv');
		writeFileSync(file, ordersCsv(3000));
		const { code, stderr } = await runCli(['segment', '--orders', file, '--as-of', '1997-12-31', '--json'], { stopReadingAfterFirstChunk: true });
		assert.doesNotMatch(stderr, /EPIPE|\n\s+at /, 'no error or stack trace for a closed pipe');
		assert.equal(code, CLOSED_PIPE_EXIT_CODE);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
