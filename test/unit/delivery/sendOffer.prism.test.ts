import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createKlaviyoClient } from '../../../connectors/klaviyo';
import { createTwilioClient } from '../../../connectors/twilio';
import { createWooCommerceClient } from '../../../connectors/woocommerce';
import { consentFromSmsKeyword, defaultProgramSettings, DeliveryLog, LoyaltyError, openStore, parseOfferDecision, parseOfferTemplates, sendOffer, type SendOfferSettings, type Store } from '../../../engine';
import { offerVendors, type Vendors } from '../../../nodes/SendOffer/helpers/offerVendors';
import { readSettings } from '../../../nodes/SendOffer/helpers/settings';
import { alteringHttp, fetchHttp, recordingHttp } from '../../support/http';
import { prefixSpecPaths, specOrSkip, startPrism, type PrismServer } from '../../support/prism';

/*
 * Send Offer's whole path with real parts: a SQLite store, and Klaviyo, Twilio and WooCommerce
 * served by Prism from the vendors' own documents, so every request sent is validated.
 */
const specs = [specOrSkip('klaviyo-events.prism.json'), specOrSkip('twilio-api-v2010.json'), specOrSkip('woocommerce-openapi-unofficial.yml'), specOrSkip('klaviyo-profiles.prism.json')];
const skip = specs.find((s) => s.skip)?.skip ?? false;

const templates = parseOfferTemplates([
	{
		id: 'coffee-10',
		metricName: 'Loyalty Offer: Coffee',
		emailSubject: '{{firstName}}, 10% off your favourite beans',
		emailBody: 'Hi {{firstName}}, use {{couponCode}} by {{couponExpiresAt}}.{{#points}} You have {{points}} points.{{/points}}',
		smsBody: '{{firstName}}, your {{favouriteCategory}} are running low: 10% off with {{couponCode}}.',
	},
]);

describe('Send Offer end to end against Prism', { skip }, () => {
	const servers: PrismServer[] = [];
	let cleanupWoo: () => Promise<void> = async () => {};
	let store: Store;
	let dir: string;
	let vendors: Vendors;
	const klaviyoCalls = recordingHttp(fetchHttp);
	const twilioCalls = recordingHttp(fetchHttp);
	const wooCalls = recordingHttp(fetchHttp);
	const settings: SendOfferSettings = { ...readSettings({ version: 1, settings: defaultProgramSettings('America/Los_Angeles') }, 'https://n8n.example.com/webhook/t/webhook', 'woocommerce', ''), maxFixedMinor: { USD: 2000 } };
	const noRetry = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
	// 18:00 UTC = 11:00 in Los Angeles: inside the SMS window.
	const NOW = new Date('2026-06-10T18:00:00Z');

	before(async () => {
		const [klaviyoSpec, twilioSpec, wooSpec, profilesSpec] = specs.map((s) => s.path as string);
		const wooServed = await prefixSpecPaths(wooSpec, '/wp-json/wc/v3');
		cleanupWoo = wooServed.cleanup;
		const [kl, tw, wc, kp] = await Promise.all([startPrism({ spec: klaviyoSpec }), startPrism({ spec: twilioSpec }), startPrism({ spec: wooServed.path }), startPrism({ spec: profilesSpec })]);
		servers.push(kl, tw, wc, kp);
		// Klaviyo's events and profiles live in two documents, so two mocks; one client, routed by path.
		const klaviyoRouted = alteringHttp(klaviyoCalls.http, (r) => (r.url.includes('/api/profile') ? { ...r, url: r.url.replace(kl.baseUrl, kp.baseUrl) } : r));
		vendors = {
			klaviyo: createKlaviyoClient(klaviyoRouted, { apiKey: 'pk_test', baseUrl: kl.baseUrl, retry: noRetry }),
			twilio: Object.assign(createTwilioClient(twilioCalls.http, { auth: { kind: 'authToken', accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 't' }, baseUrl: tw.baseUrl, retry: noRetry }), { from: '+15005550006' }),
			wooCommerce: createWooCommerceClient(wooCalls.http, { baseUrl: wc.baseUrl, consumerKey: 'ck', consumerSecret: 'cs' }),
		};
		dir = mkdtempSync(join(tmpdir(), 'loyalty-sendoffer-'));
		store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
		const granted = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'v3' };
		await store.upsertCustomer({ identities: { email: 'ana@example.com', woocommerce: '42' }, firstName: 'Ana', consent: { email_marketing: granted } });
		await store.upsertCustomer({ identities: { email: 'ben@example.com', phone: '+14155550123' }, firstName: 'Ben', consent: { sms_marketing: granted } });
	});
	after(async () => {
		await Promise.all(servers.map((s) => s.stop()));
		await cleanupWoo();
		await store?.close();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	const decision = (id: string, extra: Record<string, unknown> = {}) =>
		parseOfferDecision({ decisionId: id, customer: { identities: { email: 'ana@example.com' } }, offerTemplateId: 'coffee-10', ruleId: 'low-beans', coupon: { kind: 'percent', amount: 10, categoryIds: ['15'] }, ...extra });

	test('email: decision in → WooCommerce coupon → Klaviyo event → send logged; the replay sends nothing', async () => {
		const first = await sendOffer({ store, decision: decision('dec-e1'), templates, personal: { points: 450 }, settings, vendors: offerVendors(vendors), now: NOW });
		assert.equal(first.status, 'sent', first.detail);
		assert.equal(first.channel, 'email');
		assert.match(first.couponCode ?? '', /^LOY-/);
		const coupon = wooCalls.calls.at(-1)!.request.json as Record<string, unknown>;
		assert.deepEqual([coupon.code, coupon.usage_limit, coupon.email_restrictions], [first.couponCode, 1, ['ana@example.com']]);
		const profile = klaviyoCalls.calls.at(-2)!;
		assert.equal((profile.request.json as { data: { attributes: { properties: Record<string, unknown> } } }).data.attributes.properties.loyalty_points, 450);
		const event = klaviyoCalls.calls.at(-1)!;
		assert.equal(event.response.status, 202);
		const attributes = (event.request.json as { data: { attributes: { unique_id: string; properties: { message: string } } } }).data.attributes;
		assert.equal(attributes.unique_id, 'dec-e1');
		assert.match(attributes.properties.message, /^Hi Ana, use LOY-\w+ by Jun 24, 2026\. You have 450 points\.$/);
		const [row] = await new DeliveryLog(store).sends('dec-e1');
		assert.equal(row.status, 'sent');

		const requests = klaviyoCalls.calls.length + wooCalls.calls.length;
		const replay = await sendOffer({ store, decision: decision('dec-e1'), templates, personal: { points: 450 }, settings, vendors: offerVendors(vendors), now: new Date(NOW.getTime() + 60_000) });
		assert.equal(replay.status, 'replay');
		assert.equal(replay.replay, true);
		assert.equal(klaviyoCalls.calls.length + wooCalls.calls.length, requests);
	});

	test('SMS: sent through Twilio with a status callback carrying the decision; an inbound STOP stops the next one', async () => {
		const smsDecision = (id: string) => parseOfferDecision({ decisionId: id, customer: { identities: { email: 'ben@example.com' } }, offerTemplateId: 'coffee-10', ruleId: 'low-beans', isReward: false, coupon: { kind: 'percent', amount: 10 } });
		const sent = await sendOffer({ store, decision: smsDecision('dec-s1'), templates, personal: { favouriteCategory: 'beans' }, settings: { ...settings, caps: { ...settings.caps, smsGapHours: 0 } }, vendors: offerVendors(vendors), now: NOW });
		assert.equal(sent.status, 'sent');
		assert.equal(sent.channel, 'sms');
		const form = twilioCalls.calls.at(-1)!.request.form!;
		assert.match(form.Body, /^Ben, your beans are running low: 10% off with LOY-[A-Z0-9]{10}\. Reply STOP to opt out\.$/);
		assert.equal(form.StatusCallback, 'https://n8n.example.com/webhook/t/webhook?decision=dec-s1&channel=sms');

		await new DeliveryLog(store).recordConsent({ identities: { phone: '+14155550123' }, changes: consentFromSmsKeyword('opt_out', new Date(NOW.getTime() + 1000).toISOString(), 'twilio:inbound:STOP'), idempotencyKey: 'twilio:SM-stop' }, NOW);
		const before = twilioCalls.calls.length;
		const stopped = await sendOffer({ store, decision: smsDecision('dec-s2'), templates, personal: {}, settings: { ...settings, caps: { ...settings.caps, smsGapHours: 0 } }, vendors: offerVendors(vendors), now: new Date(NOW.getTime() + 60_000) });
		assert.equal(stopped.status, 'refused');
		assert.equal(stopped.reason, 'consent_withdrawn');
		assert.equal(twilioCalls.calls.length, before);
	});

	test('bad input: an unknown template, a coupon over the maximum, an invalid phone → error naming the field, nothing sent or written', async () => {
		const count = () => klaviyoCalls.calls.length + wooCalls.calls.length + twilioCalls.calls.length;
		const before = count();
		await assert.rejects(sendOffer({ store, decision: decision('dec-b1', { offerTemplateId: 'tea' }), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW }), (e: LoyaltyError) => e.field === 'decision.offerTemplateId');
		await assert.rejects(sendOffer({ store, decision: decision('dec-b2', { coupon: { kind: 'percent', amount: 80 } }), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW }), (e: LoyaltyError) => e.field === 'decision.coupon.amount');
		await assert.rejects(sendOffer({ store, decision: decision('dec-b3', { coupon: { kind: 'fixed_cart', amount: 2500, currency: 'USD' } }), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW }), (e: LoyaltyError) => e.field === 'decision.coupon.amount' && /25\.00 USD/.test(e.message));
		await assert.rejects(
			(async () => sendOffer({ store, decision: parseOfferDecision({ decisionId: 'dec-b4', customer: { identities: { phone: '555-0123' } }, offerTemplateId: 'coffee-10', ruleId: 'r' }), templates, personal: {}, settings, vendors: offerVendors(vendors), now: NOW }))(),
			(e: LoyaltyError) => e.field === 'decision.customer.identities.phone',
		);
		assert.equal(count(), before);
		for (const id of ['dec-b1', 'dec-b2', 'dec-b3']) assert.deepEqual(await new DeliveryLog(store).sends(id), []);
	});

	test('a sent decision re-run at night is a replay, not a deferral; a claim left by a crashed run is resumed with the same unique_id', async () => {
		const sms = { ...settings, caps: { ...settings.caps, smsGapHours: 0, maxPerDay: 10, rewardsPerDay: 10 } };
		await store.upsertCustomer({ identities: { email: 'dan@example.com', phone: '+12125550123' }, consent: { sms_marketing: { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' } } });
		const danSms = parseOfferDecision({ decisionId: 'dec-n1', customer: { identities: { email: 'dan@example.com' } }, offerTemplateId: 'coffee-10', ruleId: 'r', coupon: { kind: 'percent', amount: 10 } });
		// 15:00 UTC = 11:00 in New York.
		assert.equal((await sendOffer({ store, decision: danSms, templates, personal: {}, settings: sms, vendors: offerVendors(vendors), now: new Date('2026-06-10T15:00:00Z') })).status, 'sent');
		const night = await sendOffer({ store, decision: danSms, templates, personal: {}, settings: sms, vendors: offerVendors(vendors), now: new Date('2026-06-11T04:00:00Z') });
		assert.equal(night.status, 'replay');

		const customer = await store.findCustomer({ identities: { email: 'ana@example.com' } });
		await new DeliveryLog(store).claim({ decisionId: 'dec-crash', channel: 'email', customerId: customer!.id, ruleId: 'low-beans', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: true, idempotencyKey: 'dec-crash', couponCode: 'LOY-X', sendAt: NOW.toISOString() }, NOW);
		const resumed = await sendOffer({ store, decision: decision('dec-crash'), templates, personal: {}, settings: { ...settings, caps: { ...settings.caps, emailGapHours: 0, rewardsPerDay: 10, maxPerDay: 10 } }, vendors: offerVendors(vendors), now: new Date(NOW.getTime() + 120_000) });
		assert.equal(resumed.status, 'sent', resumed.detail);
		const event = klaviyoCalls.calls.at(-1)!.request.json as { data: { attributes: { unique_id: string } } };
		assert.equal(event.data.attributes.unique_id, 'dec-crash');
		assert.equal((await new DeliveryLog(store).sends('dec-crash'))[0].attempts, 2);
	});

	test('holdout: logged as would-have-been-sent, no coupon, no message', async () => {
		const before = klaviyoCalls.calls.length + wooCalls.calls.length;
		const held = await sendOffer({ store, decision: decision('dec-h1', { experiment: { id: 'exp-1', arm: 'control', holdout: true } }), templates, personal: {}, settings: { ...settings, caps: { ...settings.caps, rewardsPerDay: 10, maxPerDay: 10, emailGapHours: 0 } }, vendors: offerVendors(vendors), now: NOW });
		assert.equal(held.status, 'held_out');
		assert.equal(klaviyoCalls.calls.length + wooCalls.calls.length, before);
		const [row] = await new DeliveryLog(store).sends('dec-h1');
		assert.deepEqual([row.status, row.experimentArm, row.couponCode], ['held_out', 'control', undefined]);
	});
});
