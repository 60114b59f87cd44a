import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { closeSharedStores, openSharedStore } from '../../../engine';
import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { executeContext, type Credentials } from './fakes';

const node = new AwardPoints();
let dir: string;
let credentials: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-award-rules-'));
	credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

/** Items as Evaluate Rules' Award output shapes them (see nodes/EvaluateRules/helpers/output.ts). */
async function apply(items: IDataObject[], continueOnFail = false) {
	const context = executeContext({ description: node.description, parameters: (i) => ({ resource: 'points', operation: 'applyRuleDecision', ruleDecision: items[i] }) as INodeParameters, credentials, items: items.map((json) => ({ json })), continueOnFail });
	const [output] = await node.execute.call(context);
	return output;
}

test('Apply Rule Decision gives the decision’s points and tier once per event, whichever way the customer is named', async () => {
	const store = await openSharedStore({ kind: 'sqlite', path: String(credentials.loyaltyStoreApi.sqlitePath) });
	const vip = await store.upsertCustomer({ identities: { email: 'vip@example.com' } });
	const decision = { customerKey: vip.id, eventKey: 'woocommerce:order:77:paid', pointsToAward: 200, firedRules: ['lifetime_spend_upgrade'], actions: [{ type: 'set_tier', tier: 'Gold' }, { type: 'award_points', pointsToAward: 200 }] };
	const byEmail = { customerKey: 'email:new@example.com', eventKey: 'generic:visit:1', pointsToAward: 15, firedRules: ['visit_bonus'], actions: [] };
	await store.upsertCustomer({ identities: { email: 'new@example.com' } });
	const [first, second] = await apply([decision, byEmail]);
	assert.deepEqual([first.json.balance, first.json.replay, first.json.idempotencyKey], [{ available: 200, pending: 0, lifetimeEarned: 200, tier: 'Gold' }, false, 'rules:woocommerce:order:77:paid']);
	assert.equal((second.json.balance as IDataObject).available, 15);
	const [again] = await apply([decision]);
	assert.equal(again.json.replay, true, 'the same event through Award and Other Action, or a re-run: nothing twice');
	assert.equal((again.json.balance as IDataObject).available, 200);
});

test('a decision without points or tier is skipped; a malformed one is an error item naming the field', async () => {
	const [skipped, broken] = await apply([{ customerKey: 'cus_x', eventKey: 'e1', pointsToAward: 0, actions: [] }, { customerKey: 'cus_x', pointsToAward: 5 }], true);
	assert.equal(skipped.json.skipped, true);
	assert.match(String(broken.json.error), /eventKey/);
	assert.deepEqual(broken.pairedItem, { item: 1 });
});
