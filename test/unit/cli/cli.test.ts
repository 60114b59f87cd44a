import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { captureConsole as capture } from '../../support/cli';


test('replay applies a file of events once, reports bad lines and goes on', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-cli-'));
	const store = join(dir, 'store.sqlite');
	const customer = { identities: { email: 'ana@example.com' } };
	const order = { source: 'generic', id: 'o-1', status: 'paid', placedAt: '2026-03-01T10:00:00Z', currency: 'USD', totalMinor: 4250, lines: [], customer };
	const events = [
		{ id: 'e1', type: 'purchase', source: 'generic', occurredAt: '2026-03-01T10:00:00Z', idempotencyKey: 'generic:order:o-1:paid', customer, order },
		{ id: 'e1-retry', type: 'purchase', source: 'generic', occurredAt: '2026-03-01T10:00:00Z', idempotencyKey: 'generic:order:o-1:paid', customer, order },
		{ id: 'e2', type: 'refund', source: 'generic', occurredAt: '2026-03-02T10:00:00Z', idempotencyKey: 'generic:refund:r-1', customer, refund: { source: 'generic', id: 'r-1', orderId: 'o-1', amountMinor: 1000, currency: 'USD', createdAt: '2026-03-02T10:00:00Z' } },
		{ id: 'e3', type: 'purchase', source: 'generic', occurredAt: '2026-03-03T10:00:00Z', idempotencyKey: 'k3', customer, order: { ...order, id: 'o-2', currency: 'ZZZ' } },
	];
	const file = join(dir, 'events.jsonl');
	writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\nnot json\n');
	const out = capture();
	try {
		assert.equal(await main(['replay', file, '--store', store]), 2);
		assert.equal(await main(['balance', '--email', 'ana@example.com', '--store', store]), 0);
		assert.equal(await main(['verify', '--store', store]), 0);
	} finally {
		out.restore();
		rmSync(dir, { recursive: true, force: true });
	}
	assert.deepEqual(JSON.parse(out.lines[0]), { lines: 5, applied: 2, replays: 1, failed: 2 });
	// 42 points for $42.50 (floor); the $10 refund takes back floor(42 × 10 / 42.5) = 9.
	assert.equal(JSON.parse(out.lines[1]).available, 33);
	assert.equal(JSON.parse(out.lines[2]).ok, true);
	// First the one-time notice that the program started from its defaults, then the bad lines.
	assert.match(out.errors[0], /program "default" had no settings; stored the defaults as version 1/);
	assert.match(out.errors[1], /line 4: event\.order\.currency/);
	assert.match(out.errors[2], /line 5: /);
});

test('held list, approve and decline: an order above the ceiling waits for the owner', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-cli-held-'));
	const store = join(dir, 'store.sqlite');
	const customer = { identities: { email: 'big@example.com' } };
	const order = { source: 'generic', id: 'big-1', status: 'paid', placedAt: '2026-03-01T10:00:00Z', currency: 'USD', totalMinor: 100_000_000_000, lines: [], customer };
	const events = [
		{ id: 'b1', type: 'purchase', source: 'generic', occurredAt: '2026-03-01T10:00:00Z', idempotencyKey: 'generic:order:big-1:paid', customer, order },
		{ id: 'b2', type: 'purchase', source: 'generic', occurredAt: '2026-03-01T10:00:00Z', idempotencyKey: 'generic:order:big-2:paid', customer, order: { ...order, id: 'big-2', totalMinor: 700_000 } },
	];
	const file = join(dir, 'events.jsonl');
	writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
	const out = capture();
	try {
		assert.equal(await main(['replay', file, '--store', store]), 0);
		assert.equal(await main(['held', 'list', '--store', store]), 0);
		assert.equal(await main(['held', 'decline', 'held:generic:order:big-1:paid', '--by', 'Maria', '--reason', 'mistyped total', '--store', store]), 0);
		assert.equal(await main(['held', 'approve', 'held:generic:order:big-2:paid', '--by', 'Maria', '--store', store]), 0);
		assert.equal(await main(['held', 'list', '--status', 'all', '--store', store]), 0);
		assert.equal(await main(['balance', '--email', 'big@example.com', '--store', store]), 0);
	} finally {
		out.restore();
		rmSync(dir, { recursive: true, force: true });
	}
	const json = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
	assert.deepEqual(json[0], { lines: 2, applied: 2, replays: 0, failed: 0 });
	assert.deepEqual([json[1].orderId, json[1].points, json[1].status, json[2].orderId, json[2].points], ['big-1', 1_000_000_000, 'held', 'big-2', 7000]);
	assert.deepEqual((json[3] as { decision: unknown }).decision, { approvalKey: 'held:generic:order:big-1:paid', status: 'declined', points: 1_000_000_000, decidedBy: 'Maria', reason: 'mistyped total' });
	assert.deepEqual((json[4] as { change: unknown }).change, { available: 7000, pending: 0 });
	assert.deepEqual([json[5].status, json[5].decidedBy, json[6].status], ['declined', 'Maria', 'approved']);
	assert.equal(json[7].available, 7000);
});
