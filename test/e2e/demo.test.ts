/**
 * `npm run demo` on a clone with nothing beside it: the script runs as a child process with the
 * reference folder pointed at nowhere, tells the coffee shop's day, prints a message a customer
 * would get, balances its books and says where the n8n editor and the owner's dashboard are. It is
 * run without --exit, as an owner would: while it waits for Ctrl+C the printed dashboard URL is
 * fetched, then Ctrl+C (SIGINT) ends it cleanly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { PROJECT_ROOT, childEnv } from './support/n8n';

/** Runs the demo until it waits for Ctrl+C, calls `whileRunning` with what it printed, then presses Ctrl+C. */
function runDemo(whileRunning: (output: string) => Promise<void>): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
			cwd: PROJECT_ROOT,
			env: childEnv({ LOYALTY_REFERENCE_DIR: '/nonexistent', LOYALTY_DEMO_EXIT: undefined }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		let asked = false;
		let failure: unknown;
		const onData = (chunk: Buffer) => {
			output += chunk.toString('utf8');
			if (asked || !/Press Ctrl\+C to stop/.test(output)) return;
			asked = true;
			whileRunning(output)
				.catch((error: unknown) => (failure = error))
				.finally(() => child.kill('SIGINT'));
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('error', reject);
		child.once('close', (code) => (failure ? reject(failure instanceof Error ? Object.assign(failure, { message: `${failure.message}\n${output}` }) : failure) : resolve({ code, output })));
	});
}

describe('npm run demo', { timeout: 20 * 60_000 }, () => {
	test('tells the day through a real n8n, needing nothing outside the repository, and serves the owner its dashboard', async () => {
		let page = '';
		const { code, output } = await runDemo(async (printed) => {
			const url = /The owner's dashboard \(health, points, campaigns, experiments\): (http:\/\/127\.0\.0\.1:\d+\/webhook\/\S+\/dashboard\?token=[0-9a-f]+)/.exec(printed)?.[1];
			assert.ok(url, 'the demo prints the dashboard URL with its token');
			const answer = await fetch(url);
			assert.equal(answer.status, 200);
			page = await answer.text();
		});
		console.log(output.split('\n').map((line) => `# ${line}`).join('\n'));
		assert.equal(code, 0, 'Ctrl+C ends the demo with 0');
		assert.match(output, /Tuesday 10 November 2026/, 'the day');
		assert.match(output, /\d\d:\d\d {2}Square {3}Ana buys 2 lattes \(\$9\.50\) → 9 points/, 'a counter sale, narrated');
		assert.match(output, /Web {6}\w+ orders .* → \d+ points/, 'a web order, narrated');
		assert.match(output, /→ 200 duplicate/, 'a duplicate delivery is answered and dropped');
		assert.match(output, /→ 401 refused/, 'a forged delivery is refused');
		assert.match(output, /Subject: Happy birthday, Kai!/, 'a printed customer message (the birthday email)');
		assert.match(output, /SMS to Dana .*\n\s+“Dana, 10% off your cart with code LOY/, 'a printed text with its coupon');
		assert.match(output, /Priya is now Gold/, 'the tier upgrade');
		assert.match(output, /Finn's coupon went by email, not by text: he texted STOP/, 'STOP honoured, and why');
		assert.match(output, /books balance: yes/);
		assert.match(output, /quarantine: \d+ deliver/);
		assert.match(output, /the n8n editor at http:\/\/127\.0\.0\.1:\d+ {2}\(log in as owner@loyalty\.test/, 'where to look');
		// The demo's day on the owner's page: the shop's sources, the points, a campaign, and the trial's honest verdict.
		assert.match(page, /square/, 'health: the Square counter as a source');
		assert.match(page, /woocommerce/, 'health: the web shop as a source');
		assert.match(page, /[Oo]utstanding/, 'points outstanding');
		assert.match(page, /cart_reminder|win_back|welcome/, 'a campaign of the day');
		assert.match(page, /welcome-back-trial/, 'the trial from three weeks ago');
		assert.match(page, /Not enough data yet/, 'its verdict');
	});
});
