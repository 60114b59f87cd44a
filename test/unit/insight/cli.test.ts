import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdnowOrSkip, cdnowTransactions } from './referenceSample';
import { runCli as run } from '../../support/cli';


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
	assert.deepEqual(Object.keys(spend), ['model', 'p', 'q', 'gamma', 'log_likelihood', 'customers', 'excluded', 'excluded_reasons']);
	assert.equal(spend.customers, 946);
	assert.equal(spend.excluded, 0, 'every CDNOW repeat customer spent something');
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
	assert.deepEqual(Object.keys(row), [
		'customer_id',
		'recency_score',
		'frequency_score',
		'monetary_score',
		'segment',
		'lifecycle',
		'value_tier',
		'p_alive',
		'expected_orders_90d',
		'clv',
		'next_order_date',
		'p_alive_low',
		'p_alive_high',
		'expected_orders_90d_low',
		'expected_orders_90d_high',
		'clv_low',
		'clv_high',
		'clv_unknown_reason',
		'certainty',
		'certainty_reason',
	]);
	for (const line of result.lines) {
		const r = JSON.parse(line);
		assert.ok(['high', 'medium', 'low'].includes(r.certainty) && typeof r.certainty_reason === 'string', line);
		// This shop's fit has no positive definite Hessian, so its lines carry no ranges: only checked when present.
		if (r.p_alive === null || r.p_alive_low === null) continue;
		assert.ok(r.p_alive_low <= r.p_alive && r.p_alive <= r.p_alive_high, line);
		assert.ok(r.expected_orders_90d_low <= r.expected_orders_90d && r.expected_orders_90d <= r.expected_orders_90d_high, line);
		if (r.clv !== null && r.clv_low !== null) assert.ok(r.clv_low <= r.clv && r.clv <= r.clv_high, line);
	}
});

/** The 50 customers above plus two whose orders sit at a day boundary in New York. */
function boundaryShop(dir: string): string {
	const file = join(dir, 'orders.csv');
	const lines = ['customer_id,placed_at,total,order_id'];
	for (let c = 0; c < 50; c++) {
		for (let v = 0; v <= c % 5; v++) lines.push(`c${c},2025-${String(1 + ((c + v * 2) % 9)).padStart(2, '0')}-${String(1 + (c % 27)).padStart(2, '0')},${10 + c},o${c}-${v}`);
	}
	// 23:30 and 00:30 UTC: two days in UTC, one evening (18:30 and 19:30) in New York.
	lines.push('evening,2025-06-01T23:30:00Z,20,e1', 'evening,2025-06-02T00:30:00Z,20,e2');
	// 02:00 UTC on 2 October is 22:00 on 1 October in New York: on or before --as-of only there.
	lines.push('late,2025-10-02T02:00:00Z,30,l1');
	writeFileSync(file, lines.join('\n'));
	return file;
}

test('segment --time-zone: same-day merging and the as-of day follow the shop\'s zone', async () => {
	using temp = tempDir();
	const file = boundaryShop(temp.dir);
	const rows = async (...zone: string[]) => {
		const result = await run(['segment', '--orders', file, '--as-of', '2025-10-01', '--json', ...zone]);
		assert.equal(result.code, 0, result.errors.join('\n'));
		return new Map(result.lines.map((line) => JSON.parse(line)).map((r) => [r.customer_id, r]));
	};
	const utc = await rows();
	const newYork = await rows('--time-zone', 'America/New_York');
	assert.equal(utc.get('late'), undefined, 'after --as-of in UTC');
	assert.ok(newYork.get('late'), 'on --as-of in New York');
	assert.match(utc.get('evening').certainty_reason, /^1 repeat order/, 'two purchase days in UTC');
	assert.match(newYork.get('evening').certainty_reason, /^one purchase/, 'one purchase day in New York');
});

test('fit --time-zone counts the customers of the calibration period in the shop\'s zone', async () => {
	using temp = tempDir();
	const file = boundaryShop(temp.dir);
	const customers = async (...zone: string[]) => JSON.parse((await run(['fit', '--model', 'bgnbd', '--orders', file, '--calibration-end', '2025-10-01', '--json', ...zone])).lines[0]).customers;
	assert.equal(await customers(), 51);
	assert.equal(await customers('--time-zone', 'America/New_York'), 52);
});

test('a zone that is not an IANA time zone is refused, naming --time-zone', async () => {
	using temp = tempDir();
	const file = boundaryShop(temp.dir);
	await assert.rejects(run(['segment', '--orders', file, '--as-of', '2025-10-01', '--time-zone', 'Mars/Olympus']), /segment: --time-zone must be an IANA time zone.*Mars\/Olympus/);
	await assert.rejects(run(['segment', '--orders', file, '--as-of', '2025-10-01', '--time-zone']), /--time-zone/);
	await assert.rejects(run(['fit', '--model', 'bgnbd', '--orders', file, '--calibration-end', '2025-10-01', '--time-zone', 'EST+5']), /fit: --time-zone/);
});

test('fit refuses a missing flag or an unknown model by name', async () => {
	await assert.rejects(run(['fit', '--model', 'bgnbd']), /--orders is required/);
	await assert.rejects(run(['fit', '--model', 'nope', '--orders', 'x.csv', '--calibration-end', '2025-01-01']), /--model must be one of/);
});
