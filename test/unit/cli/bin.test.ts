import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/*
 * `npx n8n-loyalty` must work right after `npm run build`. The build writes dist/cli/main.js
 * without an execute bit, so `bin` points at bin/n8n-loyalty, a committed launcher whose execute
 * bit git tracks. Building takes about 11 s, so this test builds only when dist is missing or older
 * than the sources (in `npm test` the build step has just run).
 */

const repoRoot = path.resolve(__dirname, '../../..');
const LAUNCHER = 'bin/n8n-loyalty';
const BUILT_CLI = path.join(repoRoot, 'dist/cli/main.js');

function newestSourceTime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
		else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
	}
	return newest;
}

function ensureFreshBuild(): void {
	const sources = Math.max(...['cli', 'engine', 'connectors'].map((dir) => newestSourceTime(path.join(repoRoot, dir))));
	if (existsSync(BUILT_CLI) && statSync(BUILT_CLI).mtimeMs >= sources) return;
	console.log('# dist/cli is missing or older than the sources: building it (n8n-node build)');
	execFileSync('npx', ['n8n-node', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

test('the bin is a committed launcher with its execute bit, and is packed', () => {
	const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
	assert.equal(pkg.bin['n8n-loyalty'], LAUNCHER);
	assert.ok(pkg.files.includes(LAUNCHER), 'package.json files ships the launcher');
	const [mode] = execFileSync('git', ['ls-files', '-s', LAUNCHER], { cwd: repoRoot, encoding: 'utf8' }).split(' ');
	assert.equal(mode, '100755', 'git records the launcher as executable');
	assert.ok((statSync(path.join(repoRoot, LAUNCHER)).mode & 0o111) !== 0, 'the checked-out launcher is executable');
});

test('right after a build the launcher runs the CLI as a program (execute bit, shebang, dist)', () => {
	ensureFreshBuild();
	const help = spawnSync(path.join(repoRoot, LAUNCHER), ['--help'], { cwd: repoRoot, encoding: 'utf8' });
	assert.equal(help.error, undefined);
	assert.equal(help.status, 0, help.stderr);
	assert.match(help.stdout, /^n8n-loyalty <command> \[options\]/);
	assert.match(help.stdout, /\n {2}backup +copy the embedded store/);

	const unknown = spawnSync(path.join(repoRoot, LAUNCHER), ['no-such-command'], { cwd: repoRoot, encoding: 'utf8' });
	assert.equal(unknown.status, 1);
	assert.match(unknown.stderr, /unknown command "no-such-command"/);
});
