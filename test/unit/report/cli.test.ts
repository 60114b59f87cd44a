import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { changeProgram, Ledger, openStore, renderReportHtml, type LoyaltyReport } from '../../../engine';
import { paidOrder } from '../../support/fixtures';
import { captureConsole as capture } from '../../support/cli';


test('report --json prints the report value, and --html writes that same value as the page', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-report-cli-'));
	const file = join(dir, 'store.sqlite');
	try {
		const store = await openStore({ kind: 'sqlite', path: file });
		const ledger = new Ledger(store, { id: 'shop', earnRates: { EUR: { points: 2, perMinor: 100 } } }, { now: () => new Date('2026-03-10T10:00:00Z') });
		await ledger.earnForOrder(paidOrder('ana@example.com', 4_250, { currency: 'EUR', placedAt: '2026-03-10T09:00:00Z' }));
		// The shop's program, stored once: the report reads its currency, earn rate and zone from it.
		await changeProgram(store, 'shop', { currency: 'EUR', pointsPerCurrencyUnit: 2, timeZone: 'Europe/Berlin' }, { defaultTimeZone: 'UTC', source: 'test' });
		await store.close();

		const page = join(dir, 'report.html');
		const out = capture();
		let code: number;
		try {
			code = await main(['report', '--store', file, '--json', '--html', page, '--program-id', 'shop', '--period', 'day', '--weeks', '14', '--now', '2026-03-12T08:00:00Z']);
		} finally {
			out.restore();
		}
		assert.equal(code, 0, out.errors.join('\n'));
		assert.equal(out.lines.length, 1, 'one JSON document');
		const report = JSON.parse(out.lines[0]) as LoyaltyReport;
		assert.equal(report.programId, 'shop');
		assert.equal(report.currency, 'EUR');
		assert.equal(report.timeZone, 'Europe/Berlin');
		assert.equal(report.period, 'day');
		assert.equal(report.periods.length, 14);
		assert.equal(report.program.outstanding.total, 85, "42.50 EUR at 2 points per euro");
		assert.equal(report.program.liability.minor, 85);
		assert.equal(readFileSync(page, 'utf8'), renderReportHtml(report), 'the page is the rendering of exactly the printed value');
		assert.match(readFileSync(page, 'utf8'), /data-figure="liability">€0\.85</);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('report refuses a bad number and an unknown time zone', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-report-cli-'));
	try {
		await assert.rejects(main(['report', '--store', join(dir, 's.sqlite'), '--weeks', 'many']), /--weeks must be a number/);
		await assert.rejects(main(['report', '--store', join(dir, 's.sqlite'), '--time-zone', 'Mars/Olympus']), /not a time zone/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('report --alerts: one JSON line per alert and exit code 4, 0 when all is well', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-report-cli-'));
	const file = join(dir, 'store.sqlite');
	try {
		const store = await openStore({ kind: 'sqlite', path: file });
		await store.close();
		let out = capture();
		let code: number;
		try {
			code = await main(['report', '--store', file, '--alerts']);
		} finally {
			out.restore();
		}
		assert.equal(code, 0);
		assert.deepEqual(out.lines, []);

		const again = await openStore({ kind: 'sqlite', path: file });
		await new Ledger(again, { maxPointsPerOrder: 10 }).earnForOrder(paidOrder('big@example.com', 500_000));
		await again.close();
		out = capture();
		try {
			code = await main(['report', '--store', file, '--alerts']);
		} finally {
			out.restore();
		}
		assert.equal(code, 4);
		assert.deepEqual(out.lines.map((line) => JSON.parse(line).kind), ['held_points']);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
