import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPLAY_HEADER, claimOwedEvents, closeSharedStores, getQuarantined, listQuarantine, openSharedStore, registerConsumer, type Store } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { webhookContext, type Credentials } from './fakes';

const trigger = new LoyaltyTrigger();
const SECRET = 'a-generic-shared-secret-of-some-length';
let dir: string;
let credentials: Credentials;
let store: Store;
let serial = 0;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-trigger-intake-'));
	const sqlitePath = join(dir, 'loyalty.sqlite');
	credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath }, loyaltyGenericWebhookApi: { secret: SECRET } };
	store = await openSharedStore({ kind: 'sqlite', path: sqlitePath });
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

function purchase(overrides: Record<string, unknown> = {}) {
	serial++;
	return { id: `d-${serial}`, type: 'purchase', customer: { identities: { email: `wanda${serial}@example.com` } }, order: { id: `order-${serial}`, placedAt: '2026-03-03T17:45:00Z', currency: 'USD', totalMinor: 1000, lines: [] }, ...overrides };
}

function deliver(body: unknown, options: { secret?: string; mode?: 'manual' | 'webhook'; headers?: Record<string, string> } = {}) {
	const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
	const signature = `sha256=${createHmac('sha256', options.secret ?? SECRET).update(raw).digest('hex')}`;
	const { context, response } = webhookContext({
		description: trigger.description,
		parameters: { source: 'generic' },
		credentials,
		body: raw,
		headers: { 'content-type': 'application/json', 'x-loyalty-signature': signature, ...options.headers },
		mode: options.mode ?? 'webhook',
		webhookUrl: 'https://n8n.example.com/webhook/intake-id/webhook',
		requestUrl: '/webhook/intake-id/webhook?token=abc',
	});
	return { answer: trigger.webhook.call(context), response, raw };
}

describe('Loyalty Trigger intake (published workflow)', () => {
	test('records the event, owes it to the event triggers, starts no run itself, and says so', async () => {
		const consumer = 'campaign:on-purchase';
		await registerConsumer(store, { consumer, eventTypes: ['purchase'] });
		const event = purchase();
		const { answer } = deliver(event);
		const result = await answer;
		assert.equal(result.workflowData, undefined, 'the event triggers start the runs');
		assert.deepEqual(result.webhookResponse, { received: true, events: 1, new: 1 });
		const owed = await claimOwedEvents(store, consumer, { instance: 'test', limit: 10 });
		assert.deepEqual(owed.map((o) => o.event.order?.id), [event.order.id]);
		const again = await deliver(event).answer;
		assert.deepEqual(again.webhookResponse, { received: true, events: 1, new: 0, duplicate: true, stillOwed: 1 });
	});

	test('"Listen for test event" shows the new events on the canvas', async () => {
		const result = await deliver(purchase(), { mode: 'manual' }).answer;
		assert.equal(result.workflowData?.[0]?.length, 1);
	});

	test('a signed delivery that cannot become events is acknowledged and quarantined with the field, bytes and URL', async () => {
		const bad = purchase({ order: { id: 'order-bad', placedAt: '2026-03-03T17:45:00Z', currency: 'XXQ', totalMinor: 1000, lines: [] } });
		const { answer, raw } = deliver(bad);
		const result = await answer;
		const reply = result.webhookResponse as { received: boolean; quarantined: boolean; id: string; field: string; reason: string };
		assert.equal(reply.received, true);
		assert.equal(reply.quarantined, true);
		assert.match(reply.field, /currency/);
		const kept = await getQuarantined(store, reply.id);
		assert.ok(kept.body.equals(raw), 'the exact bytes are kept');
		assert.equal(kept.url, 'https://n8n.example.com/webhook/intake-id/webhook?token=abc');
		assert.ok(kept.headers['x-loyalty-signature']?.startsWith('sha256='));
		assert.equal(kept.headers.cookie, undefined);
		const [{ n }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE id = 'generic:order-bad' OR payload LIKE '%order-bad%'");
		assert.equal(Number(n), 0, 'nothing half-written');
		// The same delivery again is the same quarantined item, seen twice.
		await deliver(bad).answer;
		assert.equal((await getQuarantined(store, reply.id)).timesSeen, 2);
	});

	test('signed but not JSON is quarantined too; a forged or unsigned delivery is refused and not kept', async () => {
		const before = (await listQuarantine(store, { status: 'all' })).length;
		const notJson = await deliver('{"id": broken').answer;
		assert.equal((notJson.webhookResponse as { quarantined?: boolean }).quarantined, true);
		const forged = deliver(purchase(), { secret: 'not-the-secret-at-all-no' });
		const forgedResult = await forged.answer;
		assert.equal(forgedResult.noWebhookResponse, true);
		assert.equal(forged.response.status, 401);
		assert.equal((await listQuarantine(store, { status: 'all' })).length, before + 1, 'only the signed one is kept');
	});

	test('a replay that now goes through releases the quarantined delivery', async () => {
		const body = purchase();
		const raw = Buffer.from(JSON.stringify(body));
		const { quarantineDelivery } = await import('../../../engine');
		const kept = await quarantineDelivery(store, { source: 'generic', headers: {}, body: raw, error: { code: 'invalid_input', message: 'was broken before an upgrade' } });
		const result = await deliver(body, { headers: { [REPLAY_HEADER]: kept.id } }).answer;
		assert.equal((result.webhookResponse as { new: number }).new, 1);
		const released = await getQuarantined(store, kept.id);
		assert.equal(released.status, 'replayed');
		assert.match(released.resolution ?? '', /1 new/);
	});
});
