import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GammaGammaFitter, activityFromTransactions, dayNumberOfDate, segmentCustomers, spendHistoriesOf, spendNotApplicableReason, type CustomerActivity } from '../../../engine';
import { randomSource, simulateBetaGeoCustomer } from './simulate';
import { runCli as cli } from '../../support/cli';

const AS_OF = '2025-09-01';
const ZERO_REASON = 'repeat purchases average 0.00: spend model not applicable';

interface Order {
	customerId: string;
	placedAt: string;
	amount: number;
}

/**
 * A simulated shop of 400 customers whose order values vary by customer and by order. The
 * customers in `zero` pay for their first order only: every repeat purchase is worth 0.00 (free
 * orders, reward redemptions). With `allZero`, every repeat purchase of every customer is.
 */
function shop(options: { allZero?: boolean } = {}): { orders: Order[]; zero: Set<string> } {
	const random = randomSource(29);
	const start = dayNumberOfDate('2025-01-01', 'start');
	const last = dayNumberOfDate(AS_OF, 'asOf');
	const orders: Order[] = [];
	const zero = new Set<string>();
	let repeaters = 0;
	for (let c = 0; c < 400; c++) {
		const first = start + (c % 60);
		const h = simulateBetaGeoCustomer(random, { r: 0.5, alpha: 3, a: 0.8, b: 3 }, 30);
		const days = [first];
		for (let k = 1; k <= h.frequency; k++) days.push(first + Math.max(1, Math.round((h.recency * 7 * k) / h.frequency)));
		const distinct = [...new Set(days)].filter((d) => d <= last);
		const free = options.allZero || (distinct.length > 1 && repeaters++ % 6 === 0);
		if (free && distinct.length > 1) zero.add(`c${c}`);
		const typical = 15 + 60 * random();
		distinct.forEach((d, v) => {
			const amount = v > 0 && free ? 0 : Math.round(typical * (0.5 + random()) * 100) / 100;
			orders.push({ customerId: `c${c}`, placedAt: new Date(d * 86_400_000).toISOString(), amount });
		});
	}
	return { orders, zero };
}

function meanRepeat(a: CustomerActivity): number {
	return a.repeatSpend / (a.orders - 1);
}

describe('repeat purchases worth nothing', () => {
	test('data preparation leaves out repeat customers without positive spend, counting them by reason', () => {
		const data = spendHistoriesOf([
			{ frequency: 0, monetaryValue: 0 },
			{ frequency: 2, monetaryValue: 30 },
			{ frequency: 1, monetaryValue: 0 },
			{ frequency: 3, monetaryValue: 0 },
			{ frequency: 1, monetaryValue: -5 },
			{ frequency: 2, monetaryValue: Number.NaN },
			{ frequency: 1, monetaryValue: Number.POSITIVE_INFINITY },
		]);
		assert.deepEqual(data.histories, [{ frequency: 2, monetaryValue: 30 }]);
		assert.equal(data.skippedReason, undefined);
		assert.deepEqual(data.excluded, {
			customers: 5,
			reasons: [
				{ reason: ZERO_REASON, customers: 2 },
				{ reason: 'repeat purchases average below 0.00: spend model not applicable', customers: 1 },
				{ reason: 'repeat purchases have no finite average value: spend model not applicable', customers: 2 },
			],
		});
		assert.equal(spendNotApplicableReason(0, 0), undefined, 'one-time buyers are not excluded: they are never in the fit');
		assert.equal(spendNotApplicableReason(4, 0.01), undefined);
		// The model skeleton stays strict; only the data preparation forgives.
		assert.throws(() => new GammaGammaFitter().fit([{ frequency: 1, monetaryValue: 0 }]), /monetaryValue: must be > 0/);
	});

	test('nothing left to fit: a reason instead of an error', () => {
		const allZero = spendHistoriesOf([{ frequency: 1, monetaryValue: 0 }, { frequency: 0, monetaryValue: 0 }]);
		assert.deepEqual(allZero.histories, []);
		assert.equal(allZero.excluded.customers, 1);
		assert.match(allZero.skippedReason ?? '', /^Gamma-Gamma not fitted: no repeat customer's purchases average above 0\.00 \(repeat purchases average 0\.00: 1\), so CLV is unknown$/);
		assert.match(spendHistoriesOf([{ frequency: 0, monetaryValue: 0 }]).skippedReason ?? '', /no repeat customers/);
	});

	test('the fit succeeds without them; their CLV is unknown with the reason, everyone else\'s is what a fit without them gives', () => {
		const { orders, zero } = shop();
		const activities = activityFromTransactions(orders, AS_OF);
		assert.ok(zero.size >= 10, `enough zero-value repeaters to matter (${zero.size})`);
		for (const a of activities) assert.equal(zero.has(a.customerId), a.orders > 1 && a.repeatSpend === 0, a.customerId);

		const run = segmentCustomers(activities, { asOf: AS_OF });
		assert.ok(run.models.transaction, run.models.fallbackReason);
		assert.ok(run.models.spend, run.models.fallbackReason);
		assert.equal(run.models.fallbackReason, undefined);
		assert.deepEqual(run.models.spendExcluded, { customers: zero.size, reasons: [{ reason: ZERO_REASON, customers: zero.size }] });

		// The spend model is the one fitted on the positive repeat spenders alone.
		const positive = activities.filter((a) => a.orders > 1 && !zero.has(a.customerId));
		const alone = new GammaGammaFitter().fit(positive.map((a) => ({ frequency: a.orders - 1, monetaryValue: meanRepeat(a) })));
		assert.equal(run.models.spend.customers, positive.length);
		assert.deepEqual(run.models.spend.params, alone.params);

		// Scoring the shop without the zero-spend customers, with that spend model, gives everyone else the same CLV.
		const without = segmentCustomers(
			activities.filter((a) => !zero.has(a.customerId)),
			{ asOf: AS_OF, fitted: { transaction: run.models.transaction, spend: { params: { ...alone.params }, logLikelihood: alone.logLikelihood, customers: positive.length } } },
		);
		const expected = new Map(without.customers.map((c) => [c.customerId, c.clv]));
		for (const c of run.customers) {
			if (zero.has(c.customerId)) {
				assert.equal(c.clv, null, c.customerId);
				assert.equal(c.clvLow, null);
				assert.equal(c.clvHigh, null);
				assert.equal(c.clvUnknownReason, ZERO_REASON);
				assert.ok(c.certaintyReason.endsWith(`; CLV unknown: ${ZERO_REASON}`), c.certaintyReason);
				assert.ok(c.pAlive !== null && c.expectedOrders !== null, 'the purchase predictions are still known');
			} else {
				assert.ok(c.clv !== null && Number.isFinite(c.clv) && c.clv > 0, `${c.customerId}: ${c.clvUnknownReason}`);
				assert.equal(c.clvUnknownReason, null);
				assert.doesNotMatch(c.certaintyReason, /CLV unknown/);
				assert.equal(c.clv, expected.get(c.customerId), c.customerId);
			}
		}
		// The saved-models path says the same: the reason comes from the customer's own history.
		const again = segmentCustomers(activities, { asOf: AS_OF, fitted: run.models });
		assert.deepEqual(again.customers, run.customers);
	});

	test('when no repeat purchase is worth anything, Gamma-Gamma is skipped and every CLV is unknown with that reason', () => {
		const { orders, zero } = shop({ allZero: true });
		const activities = activityFromTransactions(orders, AS_OF);
		const run = segmentCustomers(activities, { asOf: AS_OF });
		assert.ok(run.models.transaction, 'the purchase model still fits');
		assert.equal(run.models.spend, undefined);
		assert.deepEqual(run.models.spendExcluded, { customers: zero.size, reasons: [{ reason: ZERO_REASON, customers: zero.size }] });
		const reason = run.models.spendFallbackReason ?? '';
		assert.match(reason, /^Gamma-Gamma not fitted: no repeat customer's purchases average above 0\.00/);
		for (const c of run.customers) {
			assert.equal(c.clv, null);
			assert.equal(c.clvLow, null);
			assert.equal(c.clvUnknownReason, reason);
			assert.ok(c.certaintyReason.endsWith(`; CLV unknown: ${reason}`), c.certaintyReason);
			assert.ok(c.pAlive !== null);
		}
	});
});


function csvOf(dir: string, orders: Order[]): string {
	const file = join(dir, 'orders.csv');
	writeFileSync(file, ['customer_id,placed_at,total', ...orders.map((o) => `${o.customerId},${o.placedAt.slice(0, 10)},${o.amount.toFixed(2)}`)].join('\n'));
	return file;
}

describe('repeat purchases worth nothing, on the command line', () => {
	test('segment --json: their lines carry an unknown CLV with the reason; fit counts them', () => {
		const dir = mkdtempSync(join(tmpdir(), 'loyalty-zero-spend-'));
		return (async () => {
			const { orders, zero } = shop();
			const file = csvOf(dir, orders);
			const result = await cli(['segment', '--orders', file, '--as-of', AS_OF, '--json']);
			assert.equal(result.code, 0, result.errors.join('\n'));
			assert.ok(result.errors.includes(`spend model: ${zero.size} repeat customers left out of the Gamma-Gamma fit: repeat purchases average 0.00: ${zero.size}; their CLV is unknown`), result.errors.join('\n'));
			const rows = result.lines.map((line) => JSON.parse(line));
			assert.equal(rows.length, 400);
			for (const row of rows) {
				if (zero.has(row.customer_id)) {
					assert.equal(row.clv, null);
					assert.equal(row.clv_low, null);
					assert.equal(row.clv_high, null);
					assert.equal(row.clv_unknown_reason, ZERO_REASON);
					assert.match(row.certainty_reason, /CLV unknown: repeat purchases average 0\.00/);
				} else {
					assert.equal(typeof row.clv, 'number', JSON.stringify(row));
					assert.equal(row.clv_unknown_reason, null);
				}
			}

			const fit = await cli(['fit', '--model', 'gamma-gamma', '--orders', file, '--calibration-end', AS_OF, '--json']);
			assert.equal(fit.code, 0, fit.errors.join('\n'));
			const fitted = JSON.parse(fit.lines[0]);
			assert.equal(fitted.excluded, zero.size);
			assert.deepEqual(fitted.excluded_reasons, { [ZERO_REASON]: zero.size });
			assert.ok(fitted.customers > 0 && fitted.q > 0);
			const text = await cli(['fit', '--model', 'gamma-gamma', '--orders', file, '--calibration-end', AS_OF]);
			assert.ok(text.lines.includes(`  ${zero.size} repeat customers left out of the Gamma-Gamma fit: repeat purchases average 0.00: ${zero.size}`), text.lines.join('\n'));
		})().finally(() => rmSync(dir, { recursive: true, force: true }));
	});

	test('all repeat purchases free: fit says why it did not fit (exit 3), segment prints every CLV as unknown', () => {
		const dir = mkdtempSync(join(tmpdir(), 'loyalty-zero-spend-'));
		return (async () => {
			const { orders, zero } = shop({ allZero: true });
			const file = csvOf(dir, orders);
			const fit = await cli(['fit', '--model', 'gamma-gamma', '--orders', file, '--calibration-end', AS_OF, '--json']);
			assert.equal(fit.code, 3);
			assert.match(fit.errors.join('\n'), /Gamma-Gamma not fitted: no repeat customer's purchases average above 0\.00/);
			const skipped = JSON.parse(fit.lines[0]);
			assert.equal(skipped.customers, 0);
			assert.equal(skipped.excluded, zero.size);
			assert.match(skipped.skipped, /^Gamma-Gamma not fitted/);

			const result = await cli(['segment', '--orders', file, '--as-of', AS_OF, '--json']);
			assert.equal(result.code, 0, result.errors.join('\n'));
			assert.match(result.errors.join('\n'), /predictions: Gamma-Gamma not fitted/);
			for (const row of result.lines.map((line) => JSON.parse(line))) {
				assert.equal(row.clv, null);
				assert.match(row.clv_unknown_reason, /^Gamma-Gamma not fitted: no repeat customer's purchases average above 0\.00/);
				assert.equal(typeof row.p_alive, 'number');
			}
		})().finally(() => rmSync(dir, { recursive: true, force: true }));
	});
});
