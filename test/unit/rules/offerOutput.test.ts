/**
 * From a rule decision to what Send Offer takes: one offer decision per offer action, with a
 * stable id, the customer, the wording, the channel wish, the coupon and the experiment arm.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { birthdayReward, cartRecovery, closeSharedStores, compileRules, evaluate, offerDecisionId, offerDecisionsFrom, parseOfferDecision, winBack } from '../../../engine';
import { EvaluateRules } from '../../../nodes/EvaluateRules/EvaluateRules.node';
import { executeContext, type Credentials } from '../nodes/fakes';
import { cartAbandoned, contextFor } from './helpers';

const NOW = new Date('2026-03-10T15:00:00Z');

describe('offer decisions from rule decisions', () => {
	test('the win-back offer becomes a valid Send Offer decision with a percent coupon and the favourite category', () => {
		const set = compileRules(winBack.build());
		const event = { type: 'inactivity_due', occurredAt: NOW.toISOString(), idempotencyKey: 'due:inactivity:cus_ana:generic:o1', source: 'schedule', customer: { identities: { email: 'ana@example.com' } } };
		const decision = evaluate(set, contextFor(event, { spendMinor: 40000, lastOrderAt: '2025-12-01T00:00:00Z', favouriteCategory: 'tea' }), NOW);
		const [only, ...rest] = offerDecisionsFrom(decision, event);
		assert.equal(rest.length, 0);
		const offer = parseOfferDecision(only.offer);
		assert.equal(offer.offerTemplateId, 'win_back_favourite_category');
		assert.equal(offer.ruleId, 'win_back_high_value');
		assert.deepEqual(offer.customer, { identities: { email: 'ana@example.com' } });
		assert.deepEqual(offer.coupon, { kind: 'percent', amount: 20, validDays: 14 });
		assert.equal(only.action.category, 'tea');
		assert.equal(offer.decisionId, offerDecisionId(event.idempotencyKey, 'win_back_high_value', 0));
	});

	test('the cart follow-up coupon is valid exactly one day, prefers SMS, and has its own wording', () => {
		const set = compileRules(cartRecovery.build());
		const followUp = { type: 'follow_up_due', occurredAt: NOW.toISOString(), idempotencyKey: 'follow_up:cart:ana:cart_recovery', source: 'schedule', customer: { identities: { email: 'ana@example.com' } }, data: { followUp: { ruleId: 'cart_recovery', sourceEventKey: 'cart:ana' } } };
		const decision = evaluate(set, contextFor(followUp), NOW);
		const [coupon] = offerDecisionsFrom(decision, followUp);
		const offer = parseOfferDecision(coupon.offer);
		assert.deepEqual([offer.offerTemplateId, offer.channelPreference, offer.coupon?.amount, offer.coupon?.validDays], ['cart_coupon', 'sms', 10, 1]);
	});

	test('a birthday coupon runs to the end of the birthday month in the customer’s time zone', () => {
		const set = compileRules(birthdayReward.build());
		const event = { type: 'birthday_due', occurredAt: NOW.toISOString(), idempotencyKey: 'due:birthday:cus_ana:2026', source: 'schedule', customer: { identities: { email: 'ana@example.com' } } };
		const decision = evaluate(set, contextFor(event, { birthday: { month: 3, day: 10 }, timeZone: 'Asia/Tokyo' }), NOW);
		const [birthday] = offerDecisionsFrom(decision, event);
		assert.equal(birthday.action.expiresAt, '2026-03-31T14:59:59.999Z', '31 March, 23:59:59 in Tokyo');
		assert.equal(parseOfferDecision(birthday.offer).coupon?.validDays, 21, 'whole days, rounded up');
	});

	test('property: ids are valid for every vendor, the same for the same event and different across events and rules', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 80 }), fc.nat(20), (a, b, rule, index) => {
				const id = offerDecisionId(a, rule, index);
				assert.match(id, /^[A-Za-z0-9._:@-]{1,100}$/);
				assert.equal(id, offerDecisionId(a, rule, index));
				if (a !== b) assert.notEqual(id, offerDecisionId(b, rule, index));
				assert.notEqual(id, offerDecisionId(a, rule, index + 1));
			}),
		);
	});
});

describe('Evaluate Rules: the Offer output', () => {
	let dir: string;
	before(() => {
		dir = mkdtempSync(join(tmpdir(), 'evaluate-rules-offers-'));
	});
	after(async () => {
		await closeSharedStores();
		rmSync(dir, { recursive: true, force: true });
	});

	test('carries one item per offer, each shaped for Send Offer, paired with its input', async () => {
		const node = new EvaluateRules();
		const items: INodeExecutionData[] = [{ json: cartAbandoned(4900, 150, '2026-03-10T10:00:00Z', 'offers@example.com') as unknown as IDataObject }, { json: cartAbandoned(6000, 150, '2026-03-10T11:00:00Z', 'offers@example.com') as unknown as IDataObject }];
		const credentials = { loyaltyStoreApi: { storage: 'sqlite', sqlitePath: join(dir, 'loyalty.sqlite') } } as Credentials;
		const [, offer, other] = await node.execute.call(
			executeContext({ description: node.description, parameters: (i) => ({ rulesSource: 'presets', presets: ['cart_recovery'], event: items[i].json }) as INodeParameters, items, credentials }) as never,
		);
		assert.equal(offer.length, 1);
		assert.deepEqual(offer[0].pairedItem, { item: 1 });
		const decision = parseOfferDecision(offer[0].json.offer);
		assert.deepEqual([decision.offerTemplateId, decision.ruleId, decision.customer.identities?.email], ['cart_reminder', 'cart_recovery', 'offers@example.com']);
		assert.equal(other.length, 1, 'the scheduled follow-up goes to Other Action');
	});
});
