import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { closeSharedStores, eraseCustomer, listQuarantine, openSharedStore, type Store } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { findPersonalValues } from '../../support/schemaWalk';
import { webhookContext, type Credentials } from './fakes';

/*
 * After an erasure, the shop and Twilio keep sending webhooks about the person. The trigger
 * acknowledges them and keeps nothing (no event, no profile, no quarantined copy of the body),
 * except a consent given anew, which brings the person back.
 */
const trigger = new LoyaltyTrigger();
const SECRET = 'a-generic-shared-secret-of-some-length';
const TOKEN = 'twilio-auth-token';
const TWILIO_URL = 'https://n8n.example.com/webhook/twilio-id/webhook';
const EMAIL = 'gone.customer@example.org';
const PHONE = '+14155550177';
let dir: string;
let credentials: Credentials;
let store: Store;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-trigger-erased-'));
	const sqlitePath = join(dir, 'loyalty.sqlite');
	credentials = {
		loyaltyStoreApi: { storage: 'embedded', sqlitePath },
		loyaltyGenericWebhookApi: { secret: SECRET },
		loyaltyTwilioApi: { accountSid: 'AC1', authType: 'authToken', authToken: TOKEN, from: '+15005550006' },
	};
	store = await openSharedStore({ kind: 'sqlite', path: sqlitePath });
	const gone = await store.upsertCustomer({ identities: { email: EMAIL, phone: PHONE }, firstName: 'Gone' }, new Date('2026-05-01T00:00:00Z'));
	await eraseCustomer(store, { customerId: gone.id }, { source: 'test', now: new Date('2026-05-02T00:00:00Z') });
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

function purchase(id: string, email: string) {
	return { id, type: 'purchase', customer: { identities: { email }, firstName: 'Gone' }, order: { id: `order-${id}`, placedAt: '2026-06-03T17:45:00Z', currency: 'USD', totalMinor: 1000, lines: [] } };
}

async function deliverGeneric(body: unknown) {
	const raw = Buffer.from(JSON.stringify(body));
	const signature = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
	const { context } = webhookContext({ description: trigger.description, parameters: { source: 'generic' }, credentials, body: raw, headers: { 'content-type': 'application/json', 'x-loyalty-signature': signature }, mode: 'webhook', webhookUrl: 'https://n8n.example.com/webhook/generic-id/webhook' });
	return (await trigger.webhook.call(context)).webhookResponse as IDataObject;
}

async function deliverTwilio(form: Record<string, string>) {
	const params = Object.entries(form).sort(([a], [b]) => (a < b ? -1 : 1));
	const signature = createHmac('sha1', TOKEN).update(params.reduce((acc, [k, v]) => acc + k + v, TWILIO_URL)).digest('base64');
	const { context } = webhookContext({ description: trigger.description, parameters: { source: 'twilio' }, credentials, body: Buffer.from(new URLSearchParams(form).toString()), headers: { 'x-twilio-signature': signature }, mode: 'webhook', webhookUrl: TWILIO_URL });
	Object.assign(context.getRequestObject(), { originalUrl: '/webhook/twilio-id/webhook' });
	return (await trigger.webhook.call(context as IWebhookFunctions)).webhookResponse as IDataObject;
}

async function count(table: string): Promise<number> {
	const [row] = await store.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
	return Number(row.n);
}

describe('Loyalty Trigger after an erasure', () => {
	test('an order about the erased person is acknowledged and kept nowhere, not even in quarantine', async () => {
		const [events, customers] = [await count('events'), await count('customers')];
		const reply = await deliverGeneric(purchase('after-erase-1', EMAIL));
		assert.equal(reply.received, true);
		assert.match(String(reply.ignored), /not recorded: this person asked for their data to be erased/);
		assert.deepEqual([await count('events'), await count('customers')], [events, customers]);
		assert.deepEqual(await listQuarantine(store), []);
		assert.deepEqual((await findPersonalValues(store, [EMAIL, PHONE, 'Gone'])).hits, []);
	});

	test('a delivery naming the erased person and someone else records the other one and says what it left out', async () => {
		const reply = await deliverGeneric([purchase('after-erase-2', EMAIL), purchase('after-erase-3', 'someone.else@example.org')]);
		assert.deepEqual([reply.events, reply.new, reply.notRecorded], [2, 1, 1]);
		assert.ok(await store.findCustomer({ identities: { email: 'someone.else@example.org' } }));
		assert.deepEqual((await findPersonalValues(store, [EMAIL, PHONE])).hits, []);
	});

	test('a STOP from the erased number is acknowledged and changes nothing; a START (consent anew) brings them back', async () => {
		const stop = await deliverTwilio({ MessageSid: 'SMgone1', From: PHONE, To: '+15005550006', Body: 'STOP' });
		assert.match(String(stop.ignored), /asked for their data to be erased/);
		assert.deepEqual(await listQuarantine(store), []);
		assert.deepEqual((await findPersonalValues(store, [EMAIL, PHONE])).hits, []);
		const start = await deliverTwilio({ MessageSid: 'SMgone2', From: PHONE, To: '+15005550006', Body: 'START' });
		assert.match(String(start.ignored), /restored/);
		const back = await store.findCustomer({ identities: { phone: PHONE } });
		assert.equal(back?.consent.sms_marketing?.granted, true);
	});
});
