import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INodeParameters, IWebhookFunctions } from 'n8n-workflow';

import { changeProgram, closeSharedStores, openSharedStore } from '../../../engine';
import { DeliveryLog } from '../../../engine/delivery/deliveryLog';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';
import { storeConfigFromCredentials } from '../../../nodes/shared/store';
import { executeContext, webhookContext, type Credentials } from '../nodes/fakes';

const sendOfferNode = new SendOffer();
const trigger = new LoyaltyTrigger();
let dir: string;
let credentials: Credentials;
const TOKEN = 'twilio-auth-token';
const TRIGGER_URL = 'https://n8n.example.com/webhook/hook-id/webhook';

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-sendoffer-node-'));
	credentials = {
		loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') },
		loyaltyKlaviyoApi: { apiKey: 'pk_test', revision: '2026-07-15', baseUrl: 'https://klaviyo.mock' },
		loyaltyTwilioApi: { accountSid: 'AC1', authType: 'authToken', authToken: TOKEN, from: '+15005550006', baseUrl: 'https://twilio.mock' },
	};
	const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
	const granted = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' };
	await store.upsertCustomer({ identities: { email: 'ana@example.com', phone: '+14155550123' }, firstName: 'Ana', consent: { email_marketing: granted, sms_marketing: granted } });
	// The caps are the program's, set once: these tests send several offers to Ana in a row.
	await changeProgram(store, 'default', { delivery: { emailGapHours: 0, rewardsPerDay: 9, maxPerDay: 9 } }, { defaultTimeZone: 'UTC', source: 'test' });
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

/** The fake n8n context plus a fake Klaviyo behind n8n's request helper. */
function sendOfferContext(parameters: INodeParameters | ((i: number) => INodeParameters), items: number, requests: IHttpRequestOptions[], continueOnFail = false): IExecuteFunctions {
	const context = executeContext({ description: sendOfferNode.description, parameters, credentials, items: Array.from({ length: items }, (_, i) => ({ json: { i } })), continueOnFail });
	const answer = async (_type: string, options: IHttpRequestOptions) => {
		requests.push(options);
		return { statusCode: 202, body: '', headers: {} };
	};
	Object.assign(context.helpers, { httpRequestWithAuthentication: answer, httpRequest: (o: IHttpRequestOptions) => answer('', o) });
	return context;
}

const templates = JSON.stringify([{ id: 'coffee-10', metricName: 'Loyalty Offer: Coffee', emailSubject: 'Hi {{firstName}}', emailBody: 'Hi {{firstName}}, 10% off.', smsBody: 'Hi {{firstName}}, 10% off.' }]);
const decision = (id: string, extra: IDataObject = {}) => JSON.stringify({ decisionId: id, customer: { identities: { email: 'ana@example.com' } }, offerTemplateId: 'coffee-10', ruleId: 'r1', channelPreference: 'email', ...extra });

describe('Send Offer node (fake n8n context, real SQLite store)', () => {
	test('sends once; the same decision run again is a replay with no request', async () => {
		const requests: IHttpRequestOptions[] = [];
		const params = { resource: 'offer', operation: 'send', decision: decision('node-dec-1'), templates, personalFields: '{}', email: true, sms: false, couponShop: 'none' };
		const [[first]] = await sendOfferNode.execute.call(sendOfferContext(params, 1, requests));
		assert.equal(first.json.status, 'sent');
		assert.equal(first.json.channel, 'email');
		assert.deepEqual(first.pairedItem, { item: 0 });
		assert.equal(requests.length, 1);
		assert.equal(requests[0].url, 'https://klaviyo.mock/api/events');
		const [[again]] = await sendOfferNode.execute.call(sendOfferContext(params, 1, requests));
		assert.equal(again.json.status, 'replay');
		assert.equal(requests.length, 1);
	});

	test('Continue On Fail: a bad decision becomes an error item naming the field, the next item is still sent', async () => {
		const requests: IHttpRequestOptions[] = [];
		const params = (i: number) => ({ resource: 'offer', operation: 'send', decision: i === 0 ? decision('node-dec-2', { offerTemplateId: 'tea' }) : decision('node-dec-3'), templates, personalFields: '{}', email: true, sms: false, couponShop: 'none' });
		const [output] = await sendOfferNode.execute.call(sendOfferContext(params, 2, requests, true));
		assert.equal(output.length, 2);
		assert.equal(output[0].json.field, 'decision.offerTemplateId');
		assert.match(String(output[0].json.error), /no offer template "tea"/);
		assert.equal(output[1].json.status, 'sent');
		assert.equal(requests.length, 1);
	});
});

describe('Send Offer node: Test Mode', () => {
	const storeOnly = () => ({ loyaltyStoreApi: credentials.loyaltyStoreApi });
	const run = async (parameters: INodeParameters) => {
		const context = executeContext({ description: sendOfferNode.description, parameters, credentials: storeOnly(), items: [{ json: {} }] });
		const requests: IHttpRequestOptions[] = [];
		Object.assign(context.helpers, { httpRequestWithAuthentication: async (_t: string, o: IHttpRequestOptions) => requests.push(o), httpRequest: async (o: IHttpRequestOptions) => requests.push(o) });
		const [[item]] = await sendOfferNode.execute.call(context);
		return { item, requests };
	};
	const rowsOf = async (decisionId: string) => new DeliveryLog(await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi))).sends(decisionId);

	test('shows the channel, the exact message, the coupon code and why — with no vendor credential, sending and writing nothing', async () => {
		const params = { resource: 'offer', operation: 'send', testMode: true, decision: decision('node-dec-test', { coupon: { kind: 'percent', amount: 10 } }), templates, personalFields: '{}', email: true, sms: true, couponShop: 'woocommerce' };
		const { item, requests } = await run(params);
		assert.equal(item.json.status, 'test');
		assert.equal(item.json.channel, 'email');
		assert.equal(item.json.subject, 'Hi Ana');
		assert.equal(item.json.message, 'Hi Ana, 10% off.');
		assert.match(String(item.json.couponCode), /^LOY-/);
		assert.match(String(item.json.wouldDo), /^would be sent now by email/);
		assert.deepEqual(item.json.program, { id: 'default', version: 1 });
		assert.equal(requests.length, 0, 'no vendor was called');
		assert.deepEqual(await rowsOf('node-dec-test'), [], 'nothing was written to the send log');
		const credentialsNeeded = sendOfferNode.description.credentials!.filter((c) => c.name !== 'loyaltyStoreApi');
		assert.ok(credentialsNeeded.every((c) => JSON.stringify(c.displayOptions?.hide?.testMode) === '[true]'), 'no vendor credential is asked for in test mode');
	});

	test('a customer the store has never seen (sample data) still gets a preview, and says why it would not go out', async () => {
		const { item } = await run({ resource: 'offer', operation: 'send', testMode: true, decision: JSON.stringify({ decisionId: 'sample-1', customer: { identities: { email: 'sample@example.com' } }, offerTemplateId: 'coffee-10', ruleId: 'r1', channelPreference: 'email' }), templates, personalFields: '{"firstName":"Sam"}', email: true, sms: false, couponShop: 'none' });
		assert.equal(item.json.status, 'test');
		assert.equal(item.json.message, 'Hi Sam, 10% off.');
		assert.match(String(item.json.wouldDo), /would not be sent: .*not in the loyalty store yet/);
		const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
		assert.equal(await store.findCustomer({ identities: { email: 'sample@example.com' } }), undefined, 'no customer was created');
	});
});

describe('Send Offer node: Record Redemption', () => {
	test('a purchase with the offer’s coupon is linked to its send; no vendor credential needed', async () => {
		const requests: IHttpRequestOptions[] = [];
		const params = { resource: 'offer', operation: 'send', decision: decision('node-dec-red', { coupon: { kind: 'percent', amount: 10 } }), templates, personalFields: '{}', email: true, sms: false, couponShop: 'none' };
		const [[refused]] = await sendOfferNode.execute.call(sendOfferContext(params, 1, requests, true));
		assert.equal(refused.json.field, 'decision.coupon', 'a coupon without a shop to create it in is refused');
		const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
		const customer = await store.findCustomer({ identities: { email: 'ana@example.com' } });
		await new DeliveryLog(store).claim({ decisionId: 'node-dec-red', channel: 'email', customerId: customer!.id, ruleId: 'r1', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: true, idempotencyKey: 'node-dec-red', couponCode: 'LOY-RED', sendAt: new Date().toISOString() }, new Date());
		const order = { source: 'woocommerce', id: '77', status: 'paid', placedAt: '2026-06-12T10:00:00Z', currency: 'USD', totalMinor: 2500, couponCodes: ['loy-red'], customer: { identities: { email: 'ana@example.com' } } };
		const noVendors = { ...credentials };
		delete noVendors.loyaltyKlaviyoApi;
		const context = executeContext({ description: sendOfferNode.description, parameters: { resource: 'offer', operation: 'recordRedemption', order: JSON.stringify(order) }, credentials: noVendors });
		const [[item]] = await sendOfferNode.execute.call(context);
		assert.equal(item.json.attributed, true);
		assert.equal((item.json.redemptions as IDataObject[])[0].decisionId, 'node-dec-red');
	});
});

function signed(url: string, form: Record<string, string>): { body: Buffer; signature: string } {
	const params = Object.entries(form).sort(([a], [b]) => (a < b ? -1 : 1));
	const signature = createHmac('sha1', TOKEN).update(params.reduce((acc, [k, v]) => acc + k + v, url)).digest('base64');
	return { body: Buffer.from(new URLSearchParams(form).toString()), signature };
}

async function deliverToTrigger(form: Record<string, string>, options: { query?: string; signature?: string } = {}) {
	const url = TRIGGER_URL + (options.query ?? '');
	const { body, signature } = signed(url, form);
	const { context, response } = webhookContext({
		description: trigger.description,
		parameters: { source: 'twilio' },
		credentials,
		body,
		headers: { 'x-twilio-signature': options.signature ?? signature },
		webhookUrl: TRIGGER_URL,
	});
	const request = context.getRequestObject();
	Object.assign(request, { originalUrl: `/webhook/hook-id/webhook${options.query ?? ''}` });
	const result = await trigger.webhook.call(context as IWebhookFunctions);
	return { result, response };
}

describe('Loyalty Trigger, Twilio mode', () => {
	test('a signed STOP withdraws SMS consent in the store and starts no workflow; START restores it', async () => {
		const { result } = await deliverToTrigger({ MessageSid: 'SMstop1', From: '+14155550123', To: '+15005550006', Body: 'Stop' });
		assert.equal(result.workflowData, undefined);
		assert.match(String((result.webhookResponse as IDataObject).ignored), /withdrawn/);
		const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
		const customer = await store.findCustomer({ identities: { phone: '+14155550123' } });
		assert.equal(customer?.consent.sms_marketing?.granted, false);
		assert.equal(customer?.consent.email_marketing?.granted, true, 'email consent is untouched');
		await deliverToTrigger({ MessageSid: 'SMstart1', From: '+14155550123', Body: 'START' });
		assert.equal((await store.findCustomer({ identities: { phone: '+14155550123' } }))?.consent.sms_marketing?.granted, true);
	});

	test('a bad signature is answered 401 and changes nothing', async () => {
		const { response } = await deliverToTrigger({ MessageSid: 'SMstop2', From: '+14155550123', Body: 'STOP' }, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
		assert.equal(response.status, 401);
		const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
		assert.equal((await store.findCustomer({ identities: { phone: '+14155550123' } }))?.consent.sms_marketing?.granted, true);
	});

	test('a status callback (decision id in its signed URL) updates the send log', async () => {
		const store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
		const log = new DeliveryLog(store);
		const customer = await store.findCustomer({ identities: { phone: '+14155550123' } });
		await log.claim({ decisionId: 'node-sms-1', channel: 'sms', customerId: customer!.id, ruleId: 'r', offerTemplateId: 't', purpose: 'marketing', isReward: false, idempotencyKey: 'node-sms-1:sms', sendAt: new Date().toISOString() }, new Date());
		await log.finish('node-sms-1', 'sms', { status: 'sent', vendorMessageId: 'SMabc', at: new Date().toISOString() });
		await deliverToTrigger({ MessageSid: 'SMabc', MessageStatus: 'delivered', To: '+14155550123' }, { query: '?decision=node-sms-1&channel=sms' });
		assert.equal((await log.sends('node-sms-1'))[0].status, 'delivered');
	});
});
