import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { notRun } from './notRun';

/*
 * Prism mock servers built from the vendors' own OpenAPI documents: every request a connector
 * sends is validated against the vendor's schema, and an invalid one is answered 4xx with the
 * violations in the `sl-violations` header.
 */

export const repoRoot = path.resolve(__dirname, '../..');

/** The reference specs are not part of the package; tests find them beside the checkout. */
export function referenceDir(): string {
	return process.env.LOYALTY_REFERENCE_DIR ?? path.resolve(repoRoot, '../shared/reference');
}

/** Either a spec path, or a skip reason to hand to `describe`/`test` options or `t.skip()`. */
export type SpecLookup = { path: string; skip: false } | { path: undefined; skip: string };

/** The vendor a spec file describes, for naming the contract suite that needs it. */
function vendorOf(specFile: string): string {
	const vendors: Record<string, string> = { square: 'Square', klaviyo: 'Klaviyo', twilio: 'Twilio', woocommerce: 'WooCommerce' };
	return vendors[specFile.split(/[-.]/)[0]] ?? specFile;
}

export function specOrSkip(name: string): SpecLookup {
	const file = path.join(referenceDir(), 'specs', name);
	if (existsSync(file)) return { path: file, skip: false };
	const reason = `vendor spec ${name} not found in ${path.dirname(file)} (set LOYALTY_REFERENCE_DIR to the reference folder to run these tests)`;
	notRun(`${vendorOf(name)} contract (Prism)`, `vendor spec ${name} not found in ${path.dirname(file)}`, 'set LOYALTY_REFERENCE_DIR to the reference folder (with specs/) to run it');
	return { path: undefined, skip: reason };
}

export interface PrismServer {
	baseUrl: string;
	stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 120_000;
const LOG_TAIL_CHARS = 8_000;

/**
 * Starts `prism mock <spec> --errors` on a free port and resolves once it answers HTTP. Prism runs
 * in its own process group so `stop` also ends anything it forked.
 */
export async function startPrism(options: { spec: string; port?: number }): Promise<PrismServer> {
	const port = options.port ?? (await freePort());
	const host = '127.0.0.1';
	const cli = path.join(repoRoot, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
	const child = spawn(process.execPath, [cli, 'mock', options.spec, '--host', host, '--port', String(port), '--errors'], {
		cwd: repoRoot,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let log = '';
	// Prism logs every request; the pipes must be drained or it blocks once they fill.
	const keep = (chunk: Buffer): void => {
		log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

	// Prism is detached; if the test process dies without calling stop, it must not outlive it.
	const killOnExit = (): void => {
		try {
			if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	};
	process.once('exit', killOnExit);

	const baseUrl = `http://${host}:${port}`;
	const stop = async (): Promise<void> => {
		process.removeListener('exit', killOnExit);
		await stopGroup(child, exited);
	};
	try {
		await waitUntilAnswering(baseUrl, exited, () => log);
	} catch (error) {
		await stop();
		throw error;
	}
	return { baseUrl, stop };
}

async function waitUntilAnswering(baseUrl: string, exited: Promise<number | null>, tail: () => string): Promise<void> {
	let exitCode: number | null | undefined;
	void exited.then((code) => {
		exitCode = code;
	});
	const deadline = Date.now() + STARTUP_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (exitCode !== undefined) throw new Error(`prism exited with code ${String(exitCode)} before listening:\n${tail()}`);
		try {
			// Any HTTP answer (even 404 or 401) means the server is up.
			await fetch(baseUrl, { signal: AbortSignal.timeout(2_000) });
			return;
		} catch {
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
	throw new Error(`prism did not answer on ${baseUrl} within ${STARTUP_TIMEOUT_MS / 1000} s:\n${tail()}`);
}

async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
	const signalGroup = (signal: NodeJS.Signals): void => {
		try {
			process.kill(-(child.pid as number), signal);
		} catch {
			// Already gone.
		}
	};
	signalGroup('SIGTERM');
	const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
	await exited;
	clearTimeout(timer);
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}

/**
 * Prism matches request paths against the spec's `paths` keys and ignores the base path in
 * `servers`. Specs whose real API lives under a prefix (WooCommerce: /wp-json/wc/v3) are served
 * from a copy with the prefix written into every path, in a temp dir, never in the repository.
 */
export async function prefixSpecPaths(specPath: string, prefix: string): Promise<{ path: string; cleanup(): Promise<void> }> {
	const source = await readFile(specPath, 'utf8');
	const prefixed = specPath.endsWith('.json') ? prefixJsonPaths(source, prefix) : prefixYamlPaths(source, prefix);
	const dir = await mkdtemp(path.join(tmpdir(), 'loyalty-prism-'));
	const file = path.join(dir, path.basename(specPath));
	await writeFile(file, prefixed);
	return { path: file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function prefixJsonPaths(source: string, prefix: string): string {
	const document = JSON.parse(source) as { paths?: Record<string, unknown> };
	document.paths = Object.fromEntries(Object.entries(document.paths ?? {}).map(([key, value]) => [`${prefix}${key}`, value]));
	return JSON.stringify(document);
}

/** Path keys are the two-space-indented keys of the top-level `paths:` block. */
function prefixYamlPaths(source: string, prefix: string): string {
	let inPaths = false;
	let count = 0;
	const lines = source.split('\n').map((line) => {
		if (/^\S/.test(line)) inPaths = /^paths:\s*$/.test(line);
		if (!inPaths) return line;
		const match = /^ {2}(['"]?)(\/[^'":]*)\1:(.*)$/.exec(line);
		if (!match) return line;
		count++;
		return `  ${match[1]}${prefix}${match[2]}${match[1]}:${match[3]}`;
	});
	if (count === 0) throw new Error('no paths found to prefix; the spec layout is not the expected YAML');
	return lines.join('\n');
}
