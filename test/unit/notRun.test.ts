import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { notRunNotices, notRunSummary } from '../../scripts/notRun.mjs';
import { NOT_RUN_PREFIX, notRun, notRunLine } from '../support/notRun';

const repoRoot = path.resolve(__dirname, '../..');

test('a notice printed by a suite is read back by npm test as suite, reason and how to run it', () => {
	const line = notRunLine('Square contract (Prism)', 'vendor spec square-api.prism.json not found in /x/specs', 'set LOYALTY_REFERENCE_DIR to the reference folder');
	assert.equal(line, '# NOT RUN: Square contract (Prism) — vendor spec square-api.prism.json not found in /x/specs; set LOYALTY_REFERENCE_DIR to the reference folder');
	assert.deepEqual(notRunNotices(`${line}\n`), [line.slice(NOT_RUN_PREFIX.length)]);
});

test('a reason spanning lines (an error message) still makes one notice line', () => {
	const line = notRunLine('PostgreSQL store tests', 'not reachable (connect ECONNREFUSED\n   127.0.0.1:5432)', 'start it');
	assert.equal(line.includes('\n'), false);
	assert.deepEqual(notRunSummary(notRunNotices(line)), ['not run: PostgreSQL store tests — not reachable (connect ECONNREFUSED 127.0.0.1:5432); start it']);
});

test('notRun prints the line and hands back the reason for a skip option', () => {
	const printed: string[] = [];
	const { log } = console;
	console.log = (text: string) => printed.push(text);
	try {
		assert.equal(notRun('Redis suite', 'Redis did not answer', 'start Redis'), 'Redis did not answer');
	} finally {
		console.log = log;
	}
	assert.deepEqual(printed, ['# NOT RUN: Redis suite — Redis did not answer; start Redis']);
});

test('the parser takes only whole notice lines from a test run, each once, in first-seen order', () => {
	const output = [
		'# NOT RUN: Square contract (Prism) — vendor spec square-api.prism.json not found in /r/specs; set LOYALTY_REFERENCE_DIR',
		'▶ square connector',
		'  ✔ lists locations (3.1ms)',
		'# NOT RUN: PostgreSQL store tests — PostgreSQL at 127.0.0.1:5432/test is not reachable (ECONNREFUSED); start PostgreSQL\r',
		'﹣ prism square (0.2ms) # vendor spec square-api.prism.json not found',
		'# NOT RUN: Square contract (Prism) — vendor spec square-api.prism.json not found in /r/specs; set LOYALTY_REFERENCE_DIR',
		'# NOTICE: an old-style notice, not part of the convention',
		'  log text that mentions # NOT RUN: in passing',
		'ℹ tests 3',
		'ℹ pass 1',
		'ℹ skipped 1',
	].join('\n');
	const notices = notRunNotices(output);
	assert.deepEqual(notices, [
		'Square contract (Prism) — vendor spec square-api.prism.json not found in /r/specs; set LOYALTY_REFERENCE_DIR',
		'PostgreSQL store tests — PostgreSQL at 127.0.0.1:5432/test is not reachable (ECONNREFUSED); start PostgreSQL',
	]);
	// Two steps reporting the same gate still give one closing line.
	assert.deepEqual(notRunSummary([...notices, ...notRunNotices(output)]), notices.map((n) => `not run: ${n}`));
	assert.deepEqual(notRunNotices('ℹ pass 12\nℹ fail 0\n'), []);
});

test('npm test ends with the totals line alone, then one line per step that did not run', () => {
	// No step name contains this word, so nothing runs and every step is reported as not run.
	const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/test.mjs'), 'no-step-is-called-this'], { cwd: repoRoot, encoding: 'utf8' });
	assert.equal(run.status, 0, run.stderr);
	const lines = run.stdout.trim().split('\n');
	const totals = lines.indexOf('0 passed, 0 failed, 0 skipped');
	assert.ok(totals >= 0, run.stdout);
	const after = lines.slice(totals + 1);
	assert.equal(after.length, 6);
	assert.deepEqual(after.map((l) => /^not run: (.+?) — not selected by `npm test no-step-is-called-this`; run `npm test` for every step$/.exec(l)?.[1]), [
		'build',
		'lint',
		'lint: import rules',
		'typecheck',
		'unit, store and sandbox tests',
		'end-to-end tests (real n8n)',
	]);
});
