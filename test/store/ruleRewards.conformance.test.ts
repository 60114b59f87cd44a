import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, decideEvent, Ledger, type RuleEvent, type Store } from '../../engine';
import { backends } from '../support/stores';

const NOW = new Date('2026-03-10T15:00:00Z');

/** What a fired rule gives through Award Points' "Apply Rule Decision", and what rules read from Segment Customer. */
describe('rule rewards and saved insights', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());
			const email = () => `r${Math.random().toString(36).slice(2)}@example.com`;

			test('bonus points and a tier are given once per event; a replay gives nothing', async () => {
				const customer = await store.upsertCustomer({ identities: { email: email() } });
				const ledger = new Ledger(store, {}, { now: () => NOW });
				const first = await ledger.applyRuleReward({ customer: { customerId: customer.id }, points: 200, tier: 'Gold', idempotencyKey: 'rules:woocommerce:order:9:paid', reason: 'rules: lifetime_spend_upgrade' });
				assert.deepEqual([first.change.available, first.balance.available, first.balance.tier, first.replay], [200, 200, 'Gold', false]);
				assert.deepEqual(first.tierChange, { from: undefined, to: 'Gold' });
				const again = await ledger.applyRuleReward({ customer: { customerId: customer.id }, points: 200, tier: 'Gold', idempotencyKey: 'rules:woocommerce:order:9:paid', reason: 'rules: lifetime_spend_upgrade' });
				assert.equal(again.replay, true);
				assert.equal((await ledger.getBalance({ customerId: customer.id })).available, 200);
			});

			test('a reward without points or tier, or with negative points, is refused naming the field, and writes nothing', async () => {
				const customer = await store.upsertCustomer({ identities: { email: email() } });
				const ledger = new Ledger(store, {}, { now: () => NOW });
				for (const [points, field] of [
					[0, 'points'],
					[-5, 'points'],
				] as const) {
					await assert.rejects(ledger.applyRuleReward({ customer: { customerId: customer.id }, points, idempotencyKey: `rules:bad:${points}`, reason: 'x' }), (error: Error & { field?: string }) => error.field === field);
				}
				assert.equal((await ledger.getBalance({ customerId: customer.id })).available, 0);
			});

			test('segment, lifecycle and value tier saved by Segment Customer are facts for rules; node fields still win', async () => {
				const address = email();
				const customer = await store.upsertCustomer({ identities: { email: address } });
				await store.db.execute(
					`INSERT INTO customer_insights (program_id, customer_id, as_of, segment, lifecycle, value_tier, recency_score, frequency_score, monetary_score, updated_at) VALUES ('default', $1, '2026-03-09', 'Champions', 'loyal', 'high-value', 5, 5, 5, $2)`,
					[customer.id, NOW.toISOString()],
				);
				const rules = compileRules([
					{
						id: 'champions_only',
						triggers: ['visit'],
						conditions: { all: [{ fact: 'profile.segment', operator: 'equal', value: 'Champions' }, { fact: 'profile.valueTier', operator: 'equal', value: 'high-value' }, { fact: 'profile.lifecycle', operator: 'equal', value: 'loyal' }] },
						actions: [{ type: 'award_points', mode: 'fixed', points: 5 }],
					},
				]);
				const visit = (key: string): RuleEvent => ({ type: 'visit', occurredAt: NOW.toISOString(), idempotencyKey: key, source: 'generic', customer: { identities: { email: address } } });
				const saved = await store.transaction((sql) => decideEvent(sql, rules, visit(`visit:${address}:1`), NOW, { record: false }));
				assert.deepEqual(saved.fired.map((f) => f.ruleId), ['champions_only']);
				const overridden = await store.transaction((sql) => decideEvent(sql, rules, visit(`visit:${address}:2`), NOW, { record: false, extras: { segment: 'At Risk' } }));
				assert.equal(overridden.fired.length, 0);
				assert.equal(overridden.explanation[0].failedCondition?.actual, 'At Risk');
			});
		});
	}
});
