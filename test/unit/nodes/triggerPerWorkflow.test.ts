import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { closeSharedStores } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { webhookContext, type Credentials } from './fakes';

const trigger = new LoyaltyTrigger();
const SECRET = 'a-generic-shared-secret-of-some-length';
let dir: string;
let store: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-trigger-per-workflow-'));
	store = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

function deliver(workflowId: string, deliveryId: string, orderId: string) {
	const raw = Buffer.from(JSON.stringify({ id: deliveryId, type: 'purchase', customer: { identities: { email: 'wanda@example.com' } }, order: { id: orderId, placedAt: '2026-03-03T17:45:00Z', currency: 'USD', totalMinor: 1000, lines: [] } }));
	const { context } = webhookContext({
		description: trigger.description,
		parameters: { source: 'generic' },
		credentials: { ...store, loyaltyGenericWebhookApi: { secret: SECRET } },
		body: raw,
		headers: { 'content-type': 'application/json', 'x-loyalty-signature': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` },
		workflowId,
	});
	return trigger.webhook.call(context);
}

test('one order delivered to the triggers of three workflows runs each once; repeats and re-sends run none', async () => {
	const runs = async (workflowId: string, deliveryId: string, orderId = 'order-77') => ((await deliver(workflowId, deliveryId, orderId)).workflowData ? 1 : 0);
	assert.deepEqual([await runs('welcomeFirstBuy1', 'd-1'), await runs('crossSellBonus01', 'd-2'), await runs('vipMilestone0001', 'd-3')], [1, 1, 1]);
	// The same delivery again, and a new delivery of the same order, to a workflow that already ran.
	assert.deepEqual([await runs('welcomeFirstBuy1', 'd-1'), await runs('crossSellBonus01', 'd-9')], [0, 0]);
	// A different order still runs.
	assert.equal(await runs('welcomeFirstBuy1', 'd-4', 'order-78'), 1);
});
