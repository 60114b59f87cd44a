import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';

function capture(): { lines: string[]; errors: string[]; restore(): void } {
	const lines: string[] = [];
	const errors: string[] = [];
	const log = console.log;
	const error = console.error;
	console.log = (text: string) => lines.push(String(text));
	console.error = (text: string) => errors.push(String(text));
	return { lines, errors, restore: () => Object.assign(console, { log, error }) };
}

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
	assert.match(out.errors[0], /line 4: event\.order\.currency/);
	assert.match(out.errors[1], /line 5: /);
});
