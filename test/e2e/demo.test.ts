/**
 * `npm run demo -- --exit` on a clone with nothing beside it: the script runs as a child process
 * with the reference folder pointed at nowhere, tells the coffee shop's day, prints a message a
 * customer would get, balances its books and says where the n8n editor is.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { PROJECT_ROOT, childEnv } from './support/n8n';

function runDemo(): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--exit'], {
			cwd: PROJECT_ROOT,
			env: childEnv({ LOYALTY_REFERENCE_DIR: '/nonexistent', LOYALTY_DEMO_EXIT: undefined }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
		child.once('error', reject);
		child.once('close', (code) => resolve({ code, output }));
	});
}

describe('npm run demo -- --exit', { timeout: 20 * 60_000 }, () => {
	test('tells the day through a real n8n, needing nothing outside the repository', async () => {
		const { code, output } = await runDemo();
		console.log(output.split('\n').map((line) => `# ${line}`).join('\n'));
		assert.equal(code, 0, 'the demo exits with 0');
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
	});
});
