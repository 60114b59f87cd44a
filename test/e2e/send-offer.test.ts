/**
 * Issue 5's promise, in a real n8n: a decision posted to n8n's own Webhook node goes through Send
 * Offer — coupon in WooCommerce, Klaviyo event or Twilio SMS accepted by the project's shop sandbox
 * (validated against the vendors' documents when present), send logged — exactly once; an inbound STOP through the Twilio trigger stops the next SMS.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../engine';
import { executionDetail, executionsOf, waitForExecutions } from './support/n8n';
import { startSendOffer, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, type SendOfferEnv, type VendorRequest } from './support/sendOffer';


const ANA = { email: 'ana@example.com' };
const BEN_PHONE = '+14155550123';
const CLEO_PHONE = '+14155550188';

/**
 * An IANA zone whose local time is early afternoon now, so Ben's marketing SMS falls inside the
 * default 09:00–20:00 window whenever the suite runs (Etc/GMT-N is UTC+N).
 */
function zoneAtMidday(now = new Date()): string {
	let offset = 13 - now.getUTCHours();
	if (offset > 14) offset -= 24;
	if (offset < -12) offset += 24;
	return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Twilio's own recipe, written here from its documentation rather than taken from the connector. */
function twilioSignature(url: string, form: Record<string, string>, authToken: string): string {
	const data = Object.keys(form)
		.sort()
		.reduce((acc, key) => acc + key + form[key], url);
	return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

describe('Send Offer, in a real n8n', { timeout: 20 * 60_000 }, () => {
	let env: SendOfferEnv;
	let store: Store;

	before(async () => {
		env = await startSendOffer({
			log: (line) => console.log(`# ${line}`),
			delivery: { programTimeZone: 'America/Los_Angeles', emailGapHours: 0, smsGapHours: 0, maxPerDay: 10, maxPerWeek: 20, rewardsPerDay: 10 },
		});
		console.log(`# n8n ready in ${env.n8n.readyMs} ms, webhooks registered in ${env.n8n.webhooksMs} ms`);
		store = await openStore({ kind: 'sqlite', path: env.storePath });
		const granted = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'v3' };
		await store.upsertCustomer({ identities: { ...ANA, woocommerce: '42' }, firstName: 'Ana', consent: { email_marketing: granted } });
		await store.upsertCustomer({ identities: { phone: BEN_PHONE }, firstName: 'Ben', timeZone: zoneAtMidday(), consent: { sms_marketing: granted } });
		await store.upsertCustomer({ identities: { phone: CLEO_PHONE }, firstName: 'Cleo', timeZone: zoneAtMidday(), consent: { sms_marketing: granted } });
	});

	after(async () => {
		await store?.close();
		await env?.stop();
	});

	const vendorCalls = () => [...env.klaviyo.requests, ...env.twilio.requests, ...env.wooCommerce.requests].length;
	/** What reached a vendor since `from`, and how the vendor's mock answered. */
	const callsSince = (requests: VendorRequest[], from: number) => requests.slice(from).map((r) => `${r.method} ${r.path.split('?')[0]} → ${r.status}`);

	/** Posts a decision to the Webhook node and returns Send Offer's output item of that run. */
	async function decide(decision: Record<string, unknown>): Promise<Record<string, unknown>> {
		const runs = executionsOf(env.userFolder, env.offerWorkflowId).length;
		const answer = await fetch(env.decisionUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(decision) });
		assert.equal(answer.status, 200, await answer.text());
		const rows = await waitForExecutions(env.userFolder, env.offerWorkflowId, runs + 1, 120_000);
		const run = rows[runs];
		const detail = executionDetail(env.userFolder, run.id);
		assert.equal(run.status, 'success', `execution ${run.id} ${run.status}: ${JSON.stringify(detail.errors)}\n${env.n8n.log().slice(-3000)}`);
		const items = detail.nodes['Send Offer']?.[0]?.[0] ?? [];
		assert.equal(items.length, 1, `Send Offer output: ${JSON.stringify(detail.nodes['Send Offer'])}`);
		return items[0];
	}

	/** Posts one decision several times at once (a shop's double click, a retried delivery); returns every run's output item. */
	async function decideConcurrently(decision: Record<string, unknown>, times: number): Promise<Array<Record<string, unknown>>> {
		const runs = executionsOf(env.userFolder, env.offerWorkflowId).length;
		const answers = await Promise.all(Array.from({ length: times }, () => fetch(env.decisionUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(decision) })));
		assert.deepEqual(answers.map((a) => a.status), Array(times).fill(200));
		const rows = (await waitForExecutions(env.userFolder, env.offerWorkflowId, runs + times, 120_000)).slice(runs);
		return rows.map((run) => {
			const detail = executionDetail(env.userFolder, run.id);
			assert.equal(run.status, 'success', `execution ${run.id} ${run.status}: ${JSON.stringify(detail.errors)}`);
			return detail.nodes['Send Offer'][0][0][0];
		});
	}

	const sendsOf = (decisionId: string) => store.db.query<{ channel: string; status: string; coupon_code: string | null; vendor_message_id: string | null }>('SELECT channel, status, coupon_code, vendor_message_id FROM delivery_sends WHERE decision_id = $1', [decisionId]);

	const emailDecision = { decisionId: 'e2e-email-1', customer: { identities: ANA }, offerTemplateId: 'coffee-10', ruleId: 'low-beans', coupon: { kind: 'percent', amount: 10, categoryIds: ['15'] } };
	let smsSid: string | undefined;
	const smsDecision = (decisionId: string) => ({ decisionId, customer: { identities: { phone: BEN_PHONE } }, offerTemplateId: 'coffee-10', ruleId: 'low-beans', isReward: false, coupon: { kind: 'percent', amount: 10 } });

	test('email: decision in → WooCommerce coupon → Klaviyo profile and event accepted → send logged', async () => {
		const woo = env.wooCommerce.requests.length;
		const klaviyo = env.klaviyo.requests.length;
		const out = await decide(emailDecision);
		assert.equal(out.status, 'sent', JSON.stringify(out));
		assert.equal(out.channel, 'email');
		assert.equal(out.replay, false);
		assert.match(String(out.couponCode), /^LOY-[A-Z0-9]+$/);
		assert.match(String(out.message), /^Hi Ana, use LOY-[A-Z0-9]+ by .+\. You have 450 points\.$/);
		const wooCalls = callsSince(env.wooCommerce.requests, woo);
		assert.equal(wooCalls.length, 1, wooCalls.join('; '));
		assert.match(wooCalls[0], /^POST \/wp-json\/wc\/v3\/coupons → 20[01]$/);
		const coupon = JSON.parse(env.wooCommerce.requests.at(-1)!.body) as Record<string, unknown>;
		assert.deepEqual([coupon.code, coupon.discount_type, coupon.amount, coupon.usage_limit, coupon.email_restrictions], [out.couponCode, 'percent', '10', 1, ['ana@example.com']]);
		// The profile first (it carries the points a Klaviyo flow shows), then the event the flow triggers on.
		const klaviyoCalls = callsSince(env.klaviyo.requests, klaviyo);
		assert.equal(klaviyoCalls.length, 2, klaviyoCalls.join('; '));
		assert.match(klaviyoCalls[0], /^POST \/api\/profile-import → 20[01]$/);
		assert.equal(klaviyoCalls[1], 'POST /api/events → 202');
		const event = (JSON.parse(env.klaviyo.requests.at(-1)!.body) as { data: { attributes: { unique_id: string; properties: Record<string, unknown> } } }).data.attributes;
		assert.equal(event.unique_id, 'e2e-email-1', 'Klaviyo drops a repeated unique_id: it is the decision id');
		assert.equal(event.properties.coupon_code, out.couponCode);
		const rows = await sendsOf('e2e-email-1');
		assert.deepEqual(rows.map((r) => [r.channel, r.status, r.coupon_code]), [['email', 'sent', out.couponCode]]);
	});

	test('the same decision posted again: the run succeeds, says replay, and nothing reaches a vendor', async () => {
		const before = vendorCalls();
		const out = await decide(emailDecision);
		assert.equal(out.status, 'replay', JSON.stringify(out));
		assert.equal(out.replay, true);
		assert.equal(vendorCalls(), before, 'no second coupon, profile or event');
		assert.equal((await sendsOf('e2e-email-1')).length, 1);
	});

	test('SMS: decision in → coupon → Twilio message accepted (with its SID) → send logged', async () => {
		const twilio = env.twilio.requests.length;
		const out = await decide(smsDecision('e2e-sms-1'));
		assert.equal(out.status, 'sent', JSON.stringify(out));
		assert.equal(out.channel, 'sms');
		assert.match(String(out.vendorMessageId), /^(SM|MM)[0-9a-fA-F]{32}$/);
		assert.match(String(out.message), /^Ben, your beans are running low: 10% off with LOY-[A-Z0-9]+\. Reply STOP to opt out\.$/);
		assert.deepEqual(callsSince(env.twilio.requests, twilio), [`POST /2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json → 201`]);
		const form = new URLSearchParams(env.twilio.requests.at(-1)!.body);
		assert.deepEqual([form.get('To'), form.get('From'), form.get('Body')], [BEN_PHONE, TWILIO_FROM, out.message]);
		assert.equal(form.get('StatusCallback'), `${env.twilioTriggerUrl}?decision=e2e-sms-1&channel=sms`, 'delivery reports come back to the Twilio trigger');
		const rows = await sendsOf('e2e-sms-1');
		// Logged as sent; the sandbox's Twilio posts its own signed delivery report right away, so it may already say delivered.
		assert.deepEqual(rows.map((r) => [r.channel, r.vendor_message_id]), [['sms', out.vendorMessageId]]);
		assert.ok(['sent', 'delivered'].includes(String(rows[0]!.status)), `status ${rows[0]!.status}`);
		smsSid = String(out.vendorMessageId);
	});

	test("Twilio's signed delivery report (decision id in the callback URL's query) updates the send log", async () => {
		assert.ok(smsSid, 'needs the SMS sent above');
		const callbackUrl = `${env.twilioTriggerUrl}?decision=e2e-sms-1&channel=sms`;
		const report = { MessageSid: smsSid, MessageStatus: 'delivered', AccountSid: TWILIO_ACCOUNT_SID, From: TWILIO_FROM, To: BEN_PHONE };
		const answer = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(callbackUrl, report, TWILIO_AUTH_TOKEN) }, body: new URLSearchParams(report).toString() });
		assert.equal(answer.status, 200, await answer.text());
		assert.deepEqual((await sendsOf('e2e-sms-1')).map((r) => r.status), ['delivered']);
	});

	for (const channel of ['email', 'sms'] as const) {
		test(`${channel}: the same decision posted 3 times at once reaches the vendor once and is logged sent once`, async () => {
			const decision = channel === 'email' ? { ...emailDecision, decisionId: 'e2e-email-race' } : { ...smsDecision('e2e-sms-race'), customer: { identities: { phone: CLEO_PHONE } } };
			const vendor = channel === 'email' ? env.klaviyo : env.twilio;
			const [vendorBefore, wooBefore] = [vendor.requests.length, env.wooCommerce.requests.length];
			vendor.delayMs = 1500;
			const outputs = await decideConcurrently(decision, 3).finally(() => (vendor.delayMs = 0));
			assert.deepEqual(outputs.map((o) => String(o.status)).sort(), ['replay', 'replay', 'sent'], JSON.stringify(outputs));
			const sendCalls = callsSince(vendor.requests, vendorBefore).filter((c) => c.includes(channel === 'email' ? '/api/events' : 'Messages.json'));
			assert.equal(sendCalls.length, 1, sendCalls.join('; '));
			assert.equal(callsSince(env.wooCommerce.requests, wooBefore).filter((c) => c.startsWith('POST')).length, 1, 'one coupon');
			// One send logged; a text may already carry the sandbox's own delivery report.
			const logged = (await sendsOf(String(decision.decisionId))).map((r) => r.status);
			assert.equal(logged.length, 1);
			assert.ok((channel === 'email' ? ['sent'] : ['sent', 'delivered']).includes(String(logged[0])), `status ${logged[0]}`);
		});
	}

	const consentRows = async () => Number((await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM delivery_consent_changes'))[0].n);
	const benSmsConsent = async () => (await store.findCustomer({ identities: { phone: BEN_PHONE } }))?.consent.sms_marketing?.granted;
	const inboundStop = { MessageSid: 'SM0123456789abcdef0123456789abcd01', AccountSid: TWILIO_ACCOUNT_SID, From: BEN_PHONE, To: TWILIO_FROM, Body: 'STOP', NumMedia: '0' };
	const postToTrigger = (form: Record<string, string>, signature: string) =>
		fetch(env.twilioTriggerUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(form).toString() });

	test('a forged Twilio signature is answered 401 and records nothing', async () => {
		const before = await consentRows();
		const wrongKey = twilioSignature(env.twilioTriggerUrl, inboundStop, 'not-the-auth-token');
		assert.equal((await postToTrigger(inboundStop, wrongKey)).status, 401);
		const signedOtherBody = twilioSignature(env.twilioTriggerUrl, { ...inboundStop, Body: 'hello' }, TWILIO_AUTH_TOKEN);
		assert.equal((await postToTrigger(inboundStop, signedOtherBody)).status, 401);
		assert.equal((await postToTrigger(inboundStop, '')).status, 401);
		assert.equal(await consentRows(), before);
		assert.equal(await benSmsConsent(), true);
	});

	test('a signed inbound STOP → 200, SMS consent withdrawn → the next SMS decision is refused and nothing is sent', async () => {
		const answer = await postToTrigger(inboundStop, twilioSignature(env.twilioTriggerUrl, inboundStop, TWILIO_AUTH_TOKEN));
		assert.equal(answer.status, 200, await answer.text());
		assert.equal(await benSmsConsent(), false);

		const before = vendorCalls();
		const out = await decide(smsDecision('e2e-sms-2'));
		assert.equal(out.status, 'refused', JSON.stringify(out));
		assert.equal(out.reason, 'consent_withdrawn');
		assert.equal(vendorCalls(), before, 'no coupon and no SMS');
		assert.deepEqual((await sendsOf('e2e-sms-2')).filter((r) => r.status === 'sent'), []);
	});

	test("the shop sandbox saw no request or answer that breaks the vendors' documents", () => {
		env.sandbox.assertNoViolations();
	});
});
