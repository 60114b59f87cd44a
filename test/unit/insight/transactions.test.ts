import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ordersFromCsv, parseOrdersCsv, summaryFromTransactions } from '../../../engine/insight';

describe('summaryFromTransactions', () => {
	const transactions = [
		{ customerId: 'ana', placedAt: '2026-01-01', amount: 10 },
		{ customerId: 'ana', placedAt: '2026-01-01T18:00:00Z', amount: 5 },
		{ customerId: 'ana', placedAt: '2026-01-15T09:00:00Z', amount: 20 },
		{ customerId: 'ana', placedAt: '2026-01-29', amount: 40 },
		{ customerId: 'ana', placedAt: '2026-03-01', amount: 99 },
		{ customerId: 'bo', placedAt: '2026-01-29', amount: 7 },
		{ customerId: 'late', placedAt: '2026-02-10', amount: 7 },
	];

	test('same-day orders merge; times are weeks from the first purchase; repeat spend is averaged', () => {
		const summary = summaryFromTransactions(transactions, { calibrationEnd: '2026-02-05', timeUnit: 'week' });
		assert.deepEqual(summary, [
			{ customerId: 'ana', frequency: 2, recency: 4, T: 5, monetaryValue: 30 },
			{ customerId: 'bo', frequency: 0, recency: 0, T: 1, monetaryValue: 0 },
		]);
	});

	test('days as the unit, and holdout counts', () => {
		const [ana] = summaryFromTransactions(transactions, { calibrationEnd: '2026-02-05', holdoutEnd: '2026-03-05', timeUnit: 'day' });
		assert.equal(ana.recency, 28);
		assert.equal(ana.T, 35);
		assert.equal(ana.frequencyHoldout, 1);
		assert.equal(ana.monetaryValueHoldout, 99);
		assert.equal(ana.durationHoldout, 28);
	});

	test("a date-time belongs to its day in the shop's time zone", () => {
		const late = [
			{ customerId: 'c', placedAt: '2026-01-01T10:00:00Z', amount: 1 },
			{ customerId: 'c', placedAt: '2026-01-02T03:00:00Z', amount: 1 },
		];
		assert.equal(summaryFromTransactions(late, { calibrationEnd: '2026-01-10', timeUnit: 'day' })[0].frequency, 1);
		assert.equal(summaryFromTransactions(late, { calibrationEnd: '2026-01-10', timeUnit: 'day', timeZone: 'America/New_York' })[0].frequency, 0);
	});

	test('one precise error per broken invariant', () => {
		assert.throws(() => summaryFromTransactions([], { calibrationEnd: '2026-02-30' }), /calibrationEnd: 2026-02-30 is not a calendar date/);
		assert.throws(() => summaryFromTransactions([], { calibrationEnd: '2026-02-01', holdoutEnd: '2026-01-01' }), /holdoutEnd: must be after calibrationEnd/);
		assert.throws(() => summaryFromTransactions([{ customerId: '', placedAt: '2026-01-01', amount: 1 }], { calibrationEnd: '2026-02-01' }), /transactions\[0\]\.customerId: missing/);
		assert.throws(() => summaryFromTransactions([{ customerId: 'a', placedAt: 'yesterday', amount: 1 }], { calibrationEnd: '2026-02-01' }), /transactions\[0\]\.placedAt/);
		assert.throws(() => summaryFromTransactions([{ customerId: 'a', placedAt: '2026-01-01', amount: -1 }], { calibrationEnd: '2026-02-01' }), /transactions\[0\]\.amount/);
	});
});

describe('orders CSV', () => {
	test('bad lines are reported with their line numbers and skipped; the rest is read', () => {
		const csv = [
			'customer_id,placed_at,total,order_id,sku,quantity',
			'ana,2026-01-01,10.50,o1,COFFEE,2',
			'ana,2026-01-01,10.50,o1,MUG,1',
			',2026-01-02,3,o2,,',
			'bo,01/02/2026,3,o3,,',
			'bo,2026-01-02,-3,o4,,',
			'bo,2026-01-02,abc,o5,,',
			'"Smith, Jo",2026-01-03T10:00:00Z,7,o6,,',
			'',
		].join('\r\n');
		const { orders, problems } = parseOrdersCsv(csv);
		assert.deepEqual(problems.map((p) => p.line), [4, 5, 6, 7]);
		assert.match(problems[0].message, /customer_id: missing/);
		assert.match(problems[1].message, /placed_at/);
		assert.match(problems[2].message, /total: must not be negative/);
		assert.match(problems[3].message, /total: not a number/);
		assert.deepEqual(orders.map((o) => [o.line, o.customerId, o.total, o.sku, o.quantity]), [
			[2, 'ana', 10.5, 'COFFEE', 2],
			[3, 'ana', 10.5, 'MUG', 1],
			[8, 'Smith, Jo', 7, undefined, undefined],
		]);
		assert.equal(ordersFromCsv(orders).length, 2, 'two lines of order o1 are one order');
	});

	test('a header without the required columns is refused', () => {
		assert.throws(() => parseOrdersCsv('customer,placed_at,total\n'), /missing customer_id/);
	});
});
