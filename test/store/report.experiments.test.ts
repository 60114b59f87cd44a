import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger, buildReport, newcombeDifferenceInterval, sampleSizePerArm, type Store } from '../../engine';
import { paidOrder } from '../support/fixtures';
import { backends } from '../support/stores';

const NOW = new Date('2026-03-20T12:00:00Z');
const DECIDED = '2026-02-01T10:00:00.000Z';

/**
 * A rule with a holdout: `holdout` customers were held back, `treated` got the reward. Converters
 * buy within the 14-day window after the decision; one more buys after it closed (not counted).
 */
async function fill(store: Store, arms: { holdout: [number, number]; treated: [number, number] }, tag: string): Promise<void> {
	const ledger = new Ledger(store, { id: 'shop' }, { now: () => new Date('2026-02-05T10:00:00Z') });
	for (const [arm, [customers, converters]] of Object.entries(arms)) {
		for (let i = 0; i < customers; i++) {
			const email = `${tag}-${arm}-${i}@example.com`;
			const customer = await store.upsertCustomer({ identities: { email } }, new Date(DECIDED));
			await store.db.execute(
				`INSERT INTO rule_firings (program_id, event_key, rule_id, customer_key, outcome, arm, fired_at, points, offers, cost_minor, revenue_minor, reward, detail)
				 VALUES ('shop', $1, 'winback', $2, $3, $4, $5, 0, 0, 0, 0, $6, $7)`,
				[`ev-${tag}-${arm}-${i}`, customer.id, arm === 'holdout' ? 'holdout' : 'fired', arm === 'holdout' ? 'holdout' : 'bonus', DECIDED, arm === 'holdout' ? 0 : 1, arm === 'holdout' ? '{"experimentId":"winback-test"}' : '[]'],
			);
			if (i < converters) await ledger.earnForOrder(paidOrder(email, 4_000, { placedAt: '2026-02-05T10:00:00Z' }));
			else if (i === converters) await ledger.earnForOrder(paidOrder(email, 4_000, { placedAt: '2026-02-20T10:00:00Z' }));
		}
	}
}

describe('report experiments', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => ({ store, cleanup } = await backend.open()));
			after(async () => cleanup?.());

			test('few customers: no verdict, but how many more per arm a 5-point lift needs', async () => {
				await fill(store, { holdout: [6, 1], treated: [6, 3] }, 'small');
				const report = await buildReport(store, { programId: 'shop', now: NOW });
				const [experiment] = report.experiments;
				assert.equal(experiment.id, 'winback-test');
				assert.equal(experiment.control?.customers, 6);
				assert.equal(experiment.control?.converted, 1, 'the purchase after the 14-day window does not count');
				assert.equal(experiment.treatment?.converted, 3);
				assert.equal(experiment.control?.revenuePerCustomerMinor, Math.round(4_000 / 6));
				assert.equal(experiment.requiredPerArm, 686);
				assert.equal(experiment.verdict.kind, 'not_enough_data');
				assert.match(experiment.verdict.text, /^Not enough data yet: about 680 more customers per arm would show a 5-point lift/);
				const expected = newcombeDifferenceInterval(3, 6, 1, 6);
				assert.deepEqual([experiment.lift?.low, experiment.lift?.high], [expected.low, expected.high]);
			});

			test('once both arms reach the fixed sample size, a clear lift is called, with its interval', async () => {
				// A 40-point lift needs 20 per arm (10% → 50%): the verdict may now be given.
				assert.equal(sampleSizePerArm(0.1, 0.5), 20);
				const report = await buildReport(store, { programId: 'shop', now: NOW, baselineRate: 0.1, minimumLift: 0.4 });
				assert.equal(report.experiments[0].verdict.kind, 'not_enough_data', '6 per arm is still short of 20');
				const fresh = await backend.open();
				try {
					await fill(fresh.store, { holdout: [20, 2], treated: [20, 16] }, 'big');
					const big = await buildReport(fresh.store, { programId: 'shop', now: NOW, baselineRate: 0.1, minimumLift: 0.4 });
					const [experiment] = big.experiments;
					assert.equal(experiment.progress, 1);
					assert.equal(experiment.verdict.kind, 'better');
					assert.match(experiment.verdict.text, /\+70 points \(95% interval/);
					const same = await buildReport(fresh.store, { programId: 'shop', now: NOW, baselineRate: 0.1, minimumLift: 0.4 });
					assert.deepEqual(same.experiments, big.experiments);
				} finally {
					await fresh.cleanup();
				}
			});
		});
	}
});
