/**
 * Running n8n: its environment, its CLI, `n8n start` / `n8n worker` as a process group with
 * readiness and registered webhooks awaited, and a REST session against a running instance.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureN8nInstalled, type N8nInstall } from './n8nInstall';
import { childEnv, freePort, NODE24, run, type RunResult } from './n8nProcesses';

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
