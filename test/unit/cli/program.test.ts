import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changesFromAssignments } from '../../../cli/commands/program';
import { runCli } from '../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-cli-program-'));
const store = join(dir, 'loyalty.sqlite');
after(() => rmSync(dir, { recursive: true, force: true }));

const json = (line: string) => JSON.parse(line) as { programId: string; version: number; source: string; settings: Record<string, unknown> & { delivery: Record<string, unknown> } };

describe('n8n-loyalty program', () => {
	test('key=value assignments: dots nest, JSON values parse, the rest is text', () => {
		assert.deepEqual(changesFromAssignments(['pointsPerCurrencyUnit=2', 'delivery.quietHoursStart=21:00', 'timeZone=Europe/Berlin', 'tiers=null', 'expiry={"kind":"never"}']), {
			pointsPerCurrencyUnit: 2,
			delivery: { quietHoursStart: '21:00' },
			timeZone: 'Europe/Berlin',
			tiers: null,
			expiry: { kind: 'never' },
		});
		assert.throws(() => changesFromAssignments(['pointsPerCurrencyUnit']), /is not key=value/);
	});

	test('show before any set prints the defaults as version 0 and writes nothing; set, show and history follow the versions', async () => {
		const env = process.env.GENERIC_TIMEZONE;
		process.env.GENERIC_TIMEZONE = 'America/Chicago';
		try {
			const set0 = await runCli(['program', 'set', 'pointsPerCurrencyUnit=2', '--store', store, '--create']);
			assert.equal(set0.code, 0, set0.errors.join('\n'));
			const first = json(set0.lines[0]);
			assert.deepEqual([first.version, first.source, first.settings.pointsPerCurrencyUnit, first.settings.timeZone], [1, 'cli', 2, 'America/Chicago']);

			const fresh = await runCli(['program', 'show', '--program-id', 'other-shop', '--store', store]);
			assert.equal(json(fresh.lines[0]).version, 0);
			assert.match(fresh.errors.join('\n'), /never set/);
			assert.deepEqual((await runCli(['program', 'history', '--program-id', 'other-shop', '--store', store])).lines, []);

			const set1 = await runCli(['program', 'set', 'delivery.quietHoursStart=21:30', 'pendingDays=14', '--store', store]);
			assert.deepEqual([json(set1.lines[0]).version, json(set1.lines[0]).settings.delivery.quietHoursStart, json(set1.lines[0]).settings.pointsPerCurrencyUnit], [2, '21:30', 2]);
			assert.match(set1.errors.join('\n'), /now version 2 \(was 1\)/);

			const same = await runCli(['program', 'set', 'pendingDays=14', '--store', store]);
			assert.match(same.errors.join('\n'), /nothing changed/);

			const file = join(dir, 'program.json');
			writeFileSync(file, JSON.stringify({ currency: 'EUR', timeZone: 'Europe/Berlin' }));
			const replaced = await runCli(['program', 'set', '--file', file, '--replace', '--store', store]);
			const v3 = json(replaced.lines[0]);
			assert.deepEqual([v3.version, v3.settings.currency, v3.settings.pendingDays, v3.settings.pointsPerCurrencyUnit], [3, 'EUR', 0, 1]);

			const history = await runCli(['program', 'history', '--store', store]);
			assert.deepEqual(history.lines.map((l) => json(l).version), [1, 2, 3]);
			assert.deepEqual((await runCli(['program', 'list', '--store', store])).lines, ['default']);
		} finally {
			if (env === undefined) delete process.env.GENERIC_TIMEZONE;
			else process.env.GENERIC_TIMEZONE = env;
		}
	});

	test('a bad setting names the field and stores nothing; the old --program JSON says where settings live now', async () => {
		await assert.rejects(runCli(['program', 'set', 'currency=XYZ', '--program-id', 'strict', '--store', store]), /program\.currency/);
		assert.deepEqual((await runCli(['program', 'history', '--program-id', 'strict', '--store', store])).lines, []);
		await assert.rejects(runCli(['balance', '--email', 'a@example.com', '--program', '{"pendingDays":1}', '--store', store]), /program set/);
	});

	test('the ledger commands book with the stored program and name its version', async () => {
		const events = join(dir, 'events.jsonl');
		const at = '2026-03-01T10:00:00Z';
		const order = { source: 'generic', id: 'cli-1', status: 'paid', placedAt: at, currency: 'EUR', totalMinor: 2500, lines: [], customer: { identities: { email: 'eve@example.com' } } };
		writeFileSync(events, JSON.stringify({ id: 'generic:cli-1', type: 'purchase', source: 'generic', occurredAt: at, idempotencyKey: 'generic:order:cli-1:paid', customer: order.customer, order }) + '\n');
		const replay = await runCli(['replay', events, '--store', store]);
		assert.equal(replay.code, 0, replay.errors.join('\n'));
		const balance = await runCli(['balance', '--email', 'eve@example.com', '--store', store]);
		// Version 3 above: EUR at 1 point per euro.
		assert.equal(JSON.parse(balance.lines[0]).available, 25);
	});
});
