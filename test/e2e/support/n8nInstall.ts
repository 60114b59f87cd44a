/**
 * Installing: n8n itself (once, into a cache folder outside the project's node_modules) and this
 * package, packed and installed into a user folder the way n8n installs a community package.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot, childEnv, NODE24, PROJECT_ROOT, run, withLock } from './n8nProcesses';

export const DEFAULT_N8N_VERSION = '2.41.1';

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

export function cachedInstall(version = process.env.LOYALTY_N8N_VERSION ?? DEFAULT_N8N_VERSION): N8nInstall {
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
