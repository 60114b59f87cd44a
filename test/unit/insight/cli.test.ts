import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { cdnowOrSkip, cdnowTransactions } from './referenceSample';

async function run(argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
	const lines: string[] = [];
	const errors: string[] = [];
	const { log, error } = console;
	console.log = (text: string) => lines.push(String(text));
	console.error = (text: string) => errors.push(String(text));
	try {
		return { code: await main(argv), lines, errors };
	} finally {
		Object.assign(console, { log, error });
	}
}

function tempDir(): { dir: string; [Symbol.dispose](): void } {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-insight-cli-'));
	return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

const cdnow = cdnowOrSkip();

test('fit --json reproduces the published BG/NBD and Gamma-Gamma fits from a CDNOW orders CSV', { skip: cdnow.skip }, async () => {
	using temp = tempDir();
	const file = join(temp.dir, 'orders.csv');
	writeFileSync(file, ['customer_id,placed_at,total', ...cdnowTransactions(cdnow.dir as string).map((t) => `${t.customerId},${t.placedAt},${t.amount}`)].join('\n'));
	const bg = await run(['fit', '--model', 'bgnbd', '--orders', file, '--calibration-end', '1997-09-30', '--time-unit', 'week', '--json']);
	assert.equal(bg.code, 0, bg.errors.join('\n'));
	const fitted = JSON.parse(bg.lines[0]);
	assert.deepEqual(Object.keys(fitted), ['model', 'r', 'alpha', 'a', 'b', 'log_likelihood', 'customers']);
	assert.equal(fitted.customers, 2357);
	assert.ok(Math.abs(fitted.r - 0.243) < 0.002 && Math.abs(fitted.alpha - 4.414) < 0.02, bg.lines[0]);
	const gg = await run(['fit', '--model', 'gamma-gamma', '--orders', file, '--calibration-end', '1997-09-30', '--json']);
	const spend = JSON.parse(gg.lines[0]);
	assert.deepEqual(Object.keys(spend), ['model', 'p', 'q', 'gamma', 'log_likelihood', 'customers']);
	assert.equal(spend.customers, 946);
});

test('segment --json prints one line per customer and reports bad lines by number', async () => {
	using temp = tempDir();
	const file = join(temp.dir, 'orders.csv');
	const lines = ['customer_id,placed_at,total,order_id,category'];
	for (let c = 0; c < 50; c++) {
		for (let v = 0; v <= c % 5; v++) lines.push(`c${c},2025-${String(1 + ((c + v * 2) % 9)).padStart(2, '0')}-${String(1 + (c % 27)).padStart(2, '0')},${10 + c},o${c}-${v},${c % 2 ? 'tea' : 'coffee'}`);
	}
	lines.push('c1,not-a-date,10,bad1,tea');
	lines.push('c2,2025-01-05,-4,bad2,tea');
	writeFileSync(file, lines.join('\n'));
	const result = await run(['segment', '--orders', file, '--as-of', '2025-10-01', '--json']);
	assert.equal(result.code, 2, 'skipped lines make the exit code 2');
	assert.deepEqual(
		result.errors.filter((e) => e.startsWith('line ')).map((e) => e.split(':')[0]),
		[`line ${lines.length - 1}`, `line ${lines.length}`],
	);
	assert.equal(result.lines.length, 50);
	const row = JSON.parse(result.lines[0]);
	assert.deepEqual(Object.keys(row), ['customer_id', 'recency_score', 'frequency_score', 'monetary_score', 'segment', 'lifecycle', 'value_tier', 'p_alive', 'expected_orders_90d', 'clv', 'next_order_date']);
});

test('fit refuses a missing flag or an unknown model by name', async () => {
	await assert.rejects(run(['fit', '--model', 'bgnbd']), /--orders is required/);
	await assert.rejects(run(['fit', '--model', 'nope', '--orders', 'x.csv', '--calibration-end', '2025-01-01']), /--model must be one of/);
});
