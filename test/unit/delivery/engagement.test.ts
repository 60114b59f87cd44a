import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { HttpFunction, HttpRequest } from '../../../connectors/http';
import { createKlaviyoClient, klaviyoEngagementTemplate } from '../../../connectors/klaviyo';
import { createTwilioClient } from '../../../connectors/twilio';
import { closeSharedStores, defaultProgramSettings, DeliveryLog, openSharedStore, parseOfferDecision, parseOfferTemplates, sendOffer, type SendOfferSettings, type Store } from '../../../engine';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { offerVendors, type Vendors } from '../../../nodes/SendOffer/helpers/offerVendors';
import { readSettings } from '../../../nodes/SendOffer/helpers/settings';
import { storeConfigFromCredentials } from '../../../nodes/shared/store';
import { webhookContext, type Credentials } from '../nodes/fakes';

/*
 * Engagement end to end: opens and clicks arrive through the Loyalty Trigger (Klaviyo flow reports,
 * Twilio link clicks), land in the send log, and steer Send Offer's choice between two consented
 * channels. Real SQLite store; Klaviyo and Twilio are fakes that record what they were asked.
 */
const trigger = new LoyaltyTrigger();
const TRIGGER_URL = 'https://n8n.example.com/webhook/hook-id/webhook';
const SECRET = 'klaviyo-shared-secret-0123456789';
const AUTH_TOKEN = 'twilio-auth-token';
const NOW = new Date('2026-06-10T18:00:00Z');
const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' };
let dir: string;
let credentials: Credentials;
let store: Store;
let log: DeliveryLog;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-engagement-'));
	credentials = {
		loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') },
		loyaltyGenericWebhookApi: { secret: SECRET },
		loyaltyTwilioApi: { accountSid: 'AC1', authType: 'authToken', authToken: AUTH_TOKEN, from: '+15005550006' },
	};
	store = await openSharedStore(storeConfigFromCredentials(credentials.loyaltyStoreApi));
	log = new DeliveryLog(store);
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

let customers = 0;
async function bothChannels(): Promise<{ id: string; email: string; phone: string }> {
	customers += 1;
	const email = `both${customers}@example.com`;
	const phone = `+1415777${String(1000 + customers)}`;
	const customer = await store.upsertCustomer({ identities: { email, phone }, consent: { email_marketing: GRANTED, sms_marketing: GRANTED } });
	return { id: customer.id, email, phone };
}

/** An earlier offer that went out `daysAgo` days before NOW (outside every frequency cap). */
async function pastSend(customerId: string, decisionId: string, channel: 'email' | 'sms', daysAgo: number, vendorMessageId?: string): Promise<void> {
	const at = new Date(NOW.getTime() - daysAgo * 86_400_000);
	await log.claim({ decisionId, channel, customerId, ruleId: 'r1', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: false, idempotencyKey: `${decisionId}:${channel}`, sendAt: at.toISOString() }, at);
	await log.finish(decisionId, channel, { status: 'sent', vendorMessageId, at: at.toISOString() });
}

/** Klaviyo's offer flow reporting an open or click through its webhook action. */
async function klaviyoReport(body: Record<string, string>, token = SECRET) {
	const { context, response } = webhookContext({
		description: trigger.description,
		parameters: { source: 'klaviyo' },
		credentials,
		body: Buffer.from(JSON.stringify(body)),
		headers: { 'content-type': 'application/json', 'x-loyalty-token': token },
		webhookUrl: TRIGGER_URL,
	});
	const result = await trigger.webhook.call(context);
	return { result, response };
}

/** Twilio posting a JSON link click: the URL it calls carries bodySHA256, and the signature covers that URL only. */
async function twilioClick(click: Record<string, string>, options: { tamper?: (body: string) => string; token?: string; dropHash?: boolean } = {}) {
	const text = JSON.stringify(click);
	const query = options.dropHash ? '' : `?bodySHA256=${createHash('sha256').update(text).digest('hex')}`;
	const signature = createHmac('sha1', options.token ?? AUTH_TOKEN).update(TRIGGER_URL + query).digest('base64');
	const { context, response } = webhookContext({
		description: trigger.description,
		parameters: { source: 'twilio' },
		credentials,
		body: Buffer.from(options.tamper ? options.tamper(text) : text),
		headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
		webhookUrl: TRIGGER_URL,
	});
	Object.assign(context.getRequestObject(), { originalUrl: `/webhook/hook-id/webhook${query}` });
	const result = await trigger.webhook.call(context as IWebhookFunctions);
	return { result, response };
}

describe('Loyalty Trigger: Klaviyo open/click reports', () => {
	test('the pasted template, rendered, records a click on the decision it names and starts no run; a retry writes nothing', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'kl-eng-1', 'email', 2);
		const rendered = JSON.parse(klaviyoEngagementTemplate('clicked').replace("{{ event.decision_id|default:'' }}", 'kl-eng-1').replace("{{ event|lookup:'$event_id' }}", 'kl-eng-1').replace("{{ person.email|default:'' }}", c.email)) as Record<string, string>;
		const { result } = await klaviyoReport(rendered);
		assert.equal(result.workflowData, undefined);
		assert.match(String((result.webhookResponse as IDataObject).ignored), /email click recorded for decision kl-eng-1/);
		const { result: retry } = await klaviyoReport(rendered);
		assert.match(String((retry.webhookResponse as IDataObject).ignored), /already recorded/);
		assert.deepEqual((await log.engagements('kl-eng-1')).map((e) => [e.kind, e.matchedBy, e.customerId]), [['click', 'decision', c.id]]);
	});

	test('without a decision id the open lands on the latest email to that address', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'kl-eng-old', 'email', 9);
		await pastSend(c.id, 'kl-eng-new', 'email', 3);
		await klaviyoReport({ engagement: 'opened', decision_id: '', event_id: 'evt-other-flow', email: c.email.toUpperCase() });
		assert.deepEqual((await log.engagements('kl-eng-new')).map((e) => [e.kind, e.matchedBy]), [['open', 'latest_send']]);
		assert.deepEqual(await log.engagements('kl-eng-old'), []);
	});

	test('an unknown decision is acknowledged and recorded nowhere', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'kl-eng-known', 'email', 2);
		const { result } = await klaviyoReport({ engagement: 'clicked', decision_id: 'kl-eng-forged', event_id: 'x', email: c.email });
		assert.match(String((result.webhookResponse as IDataObject).ignored), /not recorded: no email send for decision kl-eng-forged/);
		assert.deepEqual(await log.engagements('kl-eng-known'), []);
	});

	test('a forged report (wrong token) is answered 401; a bad engagement name is quarantined naming the field', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'kl-eng-forge', 'email', 2);
		const forged = await klaviyoReport({ engagement: 'clicked', decision_id: 'kl-eng-forge', email: c.email }, 'not-the-secret-0123456789');
		assert.equal(forged.response.status, 401);
		const bad = await klaviyoReport({ engagement: 'bounced', decision_id: 'kl-eng-forge', email: c.email });
		const reply = bad.result.webhookResponse as IDataObject;
		assert.equal(reply.quarantined, true);
		assert.equal(reply.field, 'engagement');
		assert.deepEqual(await log.engagements('kl-eng-forge'), []);
	});
});

describe('Loyalty Trigger: Twilio link clicks', () => {
	const click = (sid: string, to: string, extra: Record<string, string> = {}) => ({
		event_type: 'click',
		sms_sid: sid,
		to,
		from: '+15005550006',
		link: 'https://shop.example.com/beans?c=LOY-1',
		click_time: '2026-06-09T10:00:00.000Z',
		messaging_service_sid: 'MG1',
		account_sid: 'AC1',
		...extra,
	});

	test('a signed JSON click is matched by message sid and recorded once; a preview is not a click', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'tw-eng-1', 'sms', 3, 'SMclick1');
		const { result } = await twilioClick(click('SMclick1', c.phone));
		assert.equal(result.workflowData, undefined);
		assert.match(String((result.webhookResponse as IDataObject).ignored), /SMS link click recorded for decision tw-eng-1/);
		await twilioClick(click('SMclick1', c.phone));
		const preview = await twilioClick(click('SMclick1', c.phone, { event_type: 'preview', click_time: '2026-06-09T10:05:00.000Z' }));
		assert.match(String((preview.result.webhookResponse as IDataObject).ignored), /preview/);
		assert.deepEqual((await log.engagements('tw-eng-1')).map((e) => [e.kind, e.matchedBy, e.at]), [['click', 'vendor_message', '2026-06-09T10:00:00.000Z']]);
	});

	test('a click on a message sent elsewhere falls back to the number’s latest SMS; an unknown number is ignored', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'tw-eng-2', 'sms', 3, 'SMours');
		await twilioClick(click('SMnotours', c.phone, { click_time: '2026-06-09T11:00:00.000Z' }));
		assert.deepEqual((await log.engagements('tw-eng-2')).map((e) => e.matchedBy), ['latest_send']);
		const stranger = await twilioClick(click('SMnotours', '+14150000000', { click_time: '2026-06-09T12:00:00.000Z' }));
		assert.match(String((stranger.result.webhookResponse as IDataObject).ignored), /not recorded: no customer/);
	});

	test('forged clicks are refused 401 and record nothing: wrong token, body changed after signing, no bodySHA256', async () => {
		const c = await bothChannels();
		await pastSend(c.id, 'tw-eng-3', 'sms', 3, 'SMforge');
		const forgeries = [
			{ token: 'not-the-auth-token' },
			{ tamper: (body: string) => body.replace('SMforge', 'SMforgf') },
			{ dropHash: true },
		];
		for (const forgery of forgeries) {
			const { response } = await twilioClick(click('SMforge', c.phone), forgery);
			assert.equal(response.status, 401, JSON.stringify(forgery));
		}
		assert.deepEqual(await log.engagements('tw-eng-3'), []);
	});
});

describe('Send Offer: the channel the customer engages with wins', () => {
	const templates = parseOfferTemplates([{ id: 'coffee-10', metricName: 'Loyalty Offer: Coffee', emailSubject: 'Hi', emailBody: 'Hi {{firstName}}', smsBody: 'Hi {{firstName}}, 10% off.' }]);
	const settings: SendOfferSettings = readSettings({ version: 1, settings: defaultProgramSettings('America/Los_Angeles') }, '', 'none', '');
	const requests: HttpRequest[] = [];
	const fake: HttpFunction = async (request) => {
		requests.push(request);
		return request.url.includes('twilio') ? { status: 201, headers: {}, body: { sid: `SM${requests.length}`, status: 'queued' } } : { status: 202, headers: {}, body: '' };
	};
	const vendors: Vendors = {
		klaviyo: createKlaviyoClient(fake, { apiKey: 'pk_test', baseUrl: 'https://klaviyo.fake' }),
		twilio: Object.assign(createTwilioClient(fake, { auth: { kind: 'authToken', accountSid: 'AC1', authToken: AUTH_TOKEN }, baseUrl: 'https://twilio.fake' }), { from: '+15005550006' }),
	};
	/** Four offers on each channel, weeks ago; `smsClicks` of the SMS were clicked, `emailOpens` of the emails opened. */
	async function history(prefix: string, smsClicks: number, emailOpens: number) {
		const c = await bothChannels();
		for (let i = 0; i < 4; i += 1) {
			await pastSend(c.id, `${prefix}-sms-${i}`, 'sms', 20 + i);
			await pastSend(c.id, `${prefix}-email-${i}`, 'email', 30 + i);
			const at = new Date(NOW.getTime() - 10 * 86_400_000).toISOString();
			if (i < smsClicks) await log.recordEngagement({ idempotencyKey: `${prefix}-c${i}`, decisionId: `${prefix}-sms-${i}`, channel: 'sms', kind: 'click', at, source: 'test' }, NOW);
			if (i < emailOpens) await log.recordEngagement({ idempotencyKey: `${prefix}-o${i}`, decisionId: `${prefix}-email-${i}`, channel: 'email', kind: 'open', at, source: 'test' }, NOW);
		}
		return c;
	}
	const decision = (id: string, email: string) => parseOfferDecision({ decisionId: id, customer: { identities: { email } }, offerTemplateId: 'coffee-10', ruleId: 'r1' });

	test('4 SMS with 3 clicks vs 4 emails with no open: SMS, and the outcome says it was engagement', async () => {
		const c = await history('pick-sms', 3, 0);
		const outcome = await sendOffer({ store, decision: decision('pick-sms-now', c.email), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW });
		assert.equal(outcome.status, 'sent');
		assert.equal(outcome.channel, 'sms');
		assert.equal(outcome.channelWhy, 'engagement');
		assert.deepEqual(outcome.engagement, { sms: { sent: 4, engaged: 3 }, email: { sent: 4, engaged: 0 } });
		assert.ok(requests.at(-1)?.url.includes('twilio.fake'));
	});

	test('the reverse (emails opened, SMS ignored): email', async () => {
		const c = await history('pick-email', 0, 3);
		const outcome = await sendOffer({ store, decision: decision('pick-email-now', c.email), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW });
		assert.equal(outcome.status, 'sent');
		assert.equal(outcome.channel, 'email');
		assert.equal(outcome.channelWhy, 'engagement');
		assert.ok(requests.at(-1)?.url.includes('klaviyo.fake'));
	});

	test('a stated preference still beats engagement; with no history the default is email', async () => {
		const c = await history('pick-pref', 3, 0);
		await store.upsertCustomer({ identities: { email: c.email }, tags: ['prefers:email'] });
		const preferred = await sendOffer({ store, decision: decision('pick-pref-now', c.email), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW });
		assert.deepEqual([preferred.channel, preferred.channelWhy], ['email', 'stated_preference']);
		const fresh = await bothChannels();
		const first = await sendOffer({ store, decision: decision('pick-fresh-now', fresh.email), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW });
		assert.deepEqual([first.channel, first.channelWhy], ['email', 'default']);
	});
});
