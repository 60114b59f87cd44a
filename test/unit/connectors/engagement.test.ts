import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';

import { isKlaviyoEngagement, klaviyoEngagementTemplate, normalizeKlaviyoEngagement } from '../../../connectors/klaviyo';
import { isTwilioLinkClick, normalizeTwilioLinkClick, TWILIO_LINK_CLICKED_EVENT, verifyTwilioJsonSignature } from '../../../connectors/twilio';
import type { LoyaltyError } from '../../../engine';

const RECEIVED = '2026-06-10T12:00:00.000Z';

describe('Klaviyo offer-flow engagement reports', () => {
	test('the template is JSON once Klaviyo fills it, and names the trigger event’s decision_id', () => {
		for (const name of ['opened', 'clicked'] as const) {
			const template = klaviyoEngagementTemplate(name);
			assert.match(template, /event\.decision_id/);
			const rendered = JSON.parse(template.replace(/\{\{[^}]*\}\}/g, 'x')) as Record<string, string>;
			assert.equal(rendered.engagement, name);
			assert.ok(isKlaviyoEngagement(rendered));
		}
		assert.equal(isKlaviyoEngagement({ event_id: 'e', value: '1' }), false, 'a Started Checkout body is not an engagement');
	});

	test('a report with a decision id is a fact keyed by decision and kind', () => {
		assert.deepEqual(normalizeKlaviyoEngagement({ engagement: 'clicked', decision_id: 'dec-1', event_id: 'dec-1', email: 'Ana@Example.com' }, RECEIVED), {
			idempotencyKey: 'klaviyo:engagement:dec-1:click',
			channel: 'email',
			kind: 'click',
			at: RECEIVED,
			source: 'klaviyo:flow',
			decisionId: 'dec-1',
			identities: { email: 'ana@example.com' },
		});
	});

	test('without a decision id (Klaviyo renders "None" or ""): keyed by the trigger event, matched by email', () => {
		const fact = normalizeKlaviyoEngagement({ engagement: 'opened', decision_id: 'None', event_id: 'evt-9', email: 'ana@example.com' }, RECEIVED);
		assert.equal(fact.idempotencyKey, 'klaviyo:engagement:evt-9:open');
		assert.equal(fact.decisionId, undefined);
		assert.deepEqual(fact.identities, { email: 'ana@example.com' });
	});

	test('bad reports name the field', () => {
		const field = (body: unknown) => {
			try {
				normalizeKlaviyoEngagement(body, RECEIVED);
			} catch (error) {
				return (error as LoyaltyError).field;
			}
			return undefined;
		};
		assert.equal(field([]), 'body');
		assert.equal(field({ engagement: 'bounced', decision_id: 'd' }), 'engagement');
		assert.equal(field({ engagement: 'opened', decision_id: '', event_id: '' }), 'decision_id');
		assert.equal(field({ engagement: 'opened', event_id: 'evt' }), 'email');
		assert.equal(field({ engagement: 'opened', decision_id: 'd', email: 'not-an-email' }), 'email');
		assert.equal(field({ engagement: 'opened', decision_id: 42 }), 'decision_id');
	});

	test('property: the key depends only on the decision (or event) and the kind, never on when it arrived', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.constantFrom('opened' as const, 'clicked' as const), fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }), (id, name, at) => {
				const a = normalizeKlaviyoEngagement({ engagement: name, decision_id: id }, RECEIVED);
				const b = normalizeKlaviyoEngagement({ engagement: name, decision_id: id }, at.toISOString());
				assert.equal(a.idempotencyKey, b.idempotencyKey);
				assert.equal(a.kind, name === 'opened' ? 'open' : 'click');
			}),
		);
	});
});

describe('Twilio JSON signature (bodySHA256)', () => {
	const TOKEN = 'twilio-auth-token';
	const BASE = 'https://n8n.example.com/webhook/hook/webhook';
	const signedRequest = (body: string) => {
		const url = `${BASE}?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
		return { url, signature: createHmac('sha1', TOKEN).update(url).digest('base64') };
	};
	const body = JSON.stringify({ event_type: 'click', sms_sid: 'SM1', to: '+14155550123', click_time: '2026-06-09T10:00:00Z' });

	test('a body signed as Twilio signs it is accepted', () => {
		const { url, signature } = signedRequest(body);
		assert.deepEqual(verifyTwilioJsonSignature(Buffer.from(body), signature, TOKEN, url), { valid: true });
	});

	test('one refusal per reason, failing closed', () => {
		const { url, signature } = signedRequest(body);
		const reason = (raw: string, header: string | undefined, token: string, at: string) => {
			const check = verifyTwilioJsonSignature(Buffer.from(raw), header, token, at);
			return check.valid ? 'valid' : check.reason;
		};
		assert.match(reason(body, signature, '', url), /no webhook secret/);
		assert.match(reason(body, signature, TOKEN, ''), /not configured/);
		assert.match(reason(body, undefined, TOKEN, url), /header is missing/);
		assert.match(reason(body, 'not base64!', TOKEN, url), /not in the expected format/);
		assert.match(reason(body, signature, TOKEN, BASE), /bodySHA256/);
		assert.match(reason(body.replace('SM1', 'SM2'), signature, TOKEN, url), /does not match bodySHA256/);
		assert.match(reason(body, createHmac('sha1', 'other').update(url).digest('base64'), TOKEN, url), /does not match the body/);
		// A forger who recomputes the hash for a changed body still lacks the token.
		const forged = body.replace('SM1', 'SM2');
		assert.match(reason(forged, signature, TOKEN, signedRequest(forged).url), /does not match the body/);
	});
});

describe('Twilio link click callbacks', () => {
	test('a click is a fact keyed by message and click; matched by sid, then by the recipient', () => {
		const click = normalizeTwilioLinkClick({ event_type: 'click', sms_sid: 'SM1', to: '+14155550123', link: 'https://shop.example.com/x', click_time: '2026-06-09T10:00:00Z' }, RECEIVED);
		assert.equal(click.kind, 'click');
		assert.deepEqual(click.kind === 'click' && click.fact, {
			idempotencyKey: 'twilio:click:SM1:2026-06-09T10:00:00Z:https://shop.example.com/x',
			channel: 'sms',
			kind: 'click',
			at: '2026-06-09T10:00:00.000Z',
			source: 'twilio:link_click',
			vendorMessageId: 'SM1',
			identities: { phone: '+14155550123' },
		});
	});

	test('a link preview drawn by a messaging app, or an unknown event type, is not a click', () => {
		assert.equal(normalizeTwilioLinkClick({ event_type: 'preview', sms_sid: 'SM1' }, RECEIVED).kind, 'ignored');
		assert.equal(normalizeTwilioLinkClick({ event_type: 'shortened', sms_sid: 'SM1' }, RECEIVED).kind, 'ignored');
	});

	test('the Event Streams form of the same click is read too, keyed by its event id', () => {
		const event = { specversion: '1.0', type: TWILIO_LINK_CLICKED_EVENT, id: 'NO1', data: { message_sid: 'SM9', to: '+14155550123', click_time: '2026-06-09T10:00:00.000Z' } };
		assert.ok(isTwilioLinkClick(event));
		const click = normalizeTwilioLinkClick(event, RECEIVED);
		assert.deepEqual(click.kind === 'click' && [click.fact.idempotencyKey, click.fact.vendorMessageId], ['twilio:click:NO1', 'SM9']);
	});

	test('status callbacks and inbound SMS are not clicks; a click without a message sid names the field', () => {
		assert.equal(isTwilioLinkClick({ MessageSid: 'SM1', MessageStatus: 'delivered' }), false);
		assert.equal(isTwilioLinkClick({ MessageSid: 'SM1', Body: 'STOP', From: '+1' }), false);
		assert.throws(() => normalizeTwilioLinkClick({ event_type: 'click' }, RECEIVED), (e: LoyaltyError) => e.field === 'twilio.sms_sid');
	});
});
