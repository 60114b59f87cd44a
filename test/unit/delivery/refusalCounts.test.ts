import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { buildReport, defaultProgramSettings, DeliveryLog, openStore, parseOfferDecision, parseOfferTemplates, sendOffer as sendOfferWith, type PersonalFields, type SendOfferSettings, type Store } from '../../../engine';
import { offerVendors } from '../../../nodes/SendOffer/helpers/offerVendors';
import { readSettings } from '../../../nodes/SendOffer/helpers/settings';

/*
 * Send Offer's refusals reach the owner's report as counted suppressions by reason (no consent,
 * frequency caps, quiet hours), once per decision, with no customer or message kept.
 * Nothing here needs a vendor: each offer is held back before one would be called.
 */
const NOON_LA = new Date('2026-06-10T19:00:00Z');
const NIGHT_LA = new Date('2026-06-10T10:00:00Z');
const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' };
const templates = parseOfferTemplates([{ id: 'coffee-10', metricName: 'Loyalty Offer: Coffee', emailSubject: 'Hi', emailBody: 'Hi {{firstName}}', smsBody: 'Hi {{firstName}}, 10% off.' }]);
const settings: SendOfferSettings = readSettings({ version: 1, settings: defaultProgramSettings('America/Los_Angeles') }, '', 'none', '');
const decision = (id: string, email: string) => parseOfferDecision({ decisionId: id, customer: { identities: { email } }, offerTemplateId: 'coffee-10', ruleId: 'win_back' });
let dir: string;
let store: Store;
/** The engine's Send Offer with no vendor at all: every offer here is held back before one would be called. */
const sendOffer = (on: Store, decisionInput: ReturnType<typeof decision>, offerTemplates: typeof templates, personal: PersonalFields, sendSettings: SendOfferSettings, _vendors: object, now: Date) =>
	sendOfferWith({ store: on, decision: decisionInput, templates: offerTemplates, personal, settings: sendSettings, vendors: offerVendors({}), now });

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-refusals-'));
	store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
});

after(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

test('refused and deferred offers are counted by reason among the suppressions, a replay once', async () => {
	await store.upsertCustomer({ identities: { email: 'no-consent@example.com' } });
	const refused = await sendOffer(store, decision('d-no-consent', 'no-consent@example.com'), templates, {}, settings, {}, NOON_LA);
	assert.equal(refused.status, 'refused');
	assert.equal(refused.reason, 'no_channel', 'no consent on either channel');
	await sendOffer(store, decision('d-no-consent', 'no-consent@example.com'), templates, {}, settings, {}, NOON_LA);

	// Quiet hours hold back marketing texts: a text-only customer at 03:00 in Los Angeles.
	await store.upsertCustomer({ identities: { email: 'night@example.com', phone: '+14155550123' }, consent: { sms_marketing: GRANTED } });
	const deferred = await sendOffer(store, decision('d-night', 'night@example.com'), templates, {}, settings, {}, NIGHT_LA);
	assert.equal(deferred.status, 'deferred');
	assert.equal(deferred.channel, 'sms');

	const capped = await store.upsertCustomer({ identities: { email: 'capped@example.com' }, consent: { email_marketing: GRANTED } });
	const earlier = new Date(NOON_LA.getTime() - 3_600_000);
	const log = new DeliveryLog(store);
	await log.claim({ decisionId: 'd-earlier', channel: 'email', customerId: capped.id, ruleId: 'welcome', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: false, idempotencyKey: 'd-earlier', sendAt: earlier.toISOString() }, earlier);
	await log.finish('d-earlier', 'email', { status: 'sent', at: earlier.toISOString() });
	const tooSoon = await sendOffer(store, decision('d-capped', 'capped@example.com'), templates, {}, settings, {}, NOON_LA);
	assert.equal(tooSoon.status, 'refused');
	assert.equal(tooSoon.reason, 'frequency_cap');

	const rows = await store.db.query<Record<string, unknown>>('SELECT * FROM delivery_refusals ORDER BY decision_id');
	assert.deepEqual(rows.map((r) => [r.decision_id, r.reason, r.rule_id]), [
		['d-capped', 'frequency_cap', 'win_back'],
		['d-night', 'quiet_hours', 'win_back'],
		['d-no-consent', 'no_channel', 'win_back'],
	]);
	assert.deepEqual(Object.keys(rows[0]).sort(), ['channel', 'decision_id', 'offer_template_id', 'reason', 'refused_at', 'rule_id'], 'no customer, no message');

	const report = await buildReport(store, { now: NOON_LA, timeZone: 'America/Los_Angeles' });
	assert.deepEqual(report.campaigns.suppressions, { 'frequency caps': 1, 'held for quiet hours': 1, 'no consented channel or address': 1 });
	assert.ok(!report.notes.some((note) => /not stored/.test(note)), 'the old caveat is gone');
});
