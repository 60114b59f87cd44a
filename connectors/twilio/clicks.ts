import { createHash, createHmac } from 'node:crypto';
import { type EngagementFact, LoyaltyError } from '../../engine';
import type { SignatureCheck } from '../http';
import { SignatureRejection, constantTimeEqual } from '../shared/hmac';
import { type JsonObject, isObject } from '../shared/payload';
import { TWILIO_SIGNATURE_HEADER } from './webhook';

/** Query parameter Twilio adds to the URL of a JSON callback: the hex SHA-256 of the body. */
export const TWILIO_BODY_HASH_PARAM = 'bodySHA256';

/**
 * Verifies a JSON-bodied Twilio request (link click callbacks, Event Streams). Twilio signs the
 * URL it called, which then carries `bodySHA256`, with no body parameters appended; the body is
 * bound to the signature through that hash. Fails closed: no token, no URL, no hash, no header.
 */
export function verifyTwilioJsonSignature(rawBody: Buffer, signatureHeader: string | undefined, authToken: string, url: string): SignatureCheck {
	if (!authToken) return { valid: false, reason: SignatureRejection.MissingSecret };
	if (!url) return { valid: false, reason: 'the webhook URL is not configured, so the request cannot be verified' };
	const header = signatureHeader?.trim();
	if (!header) return { valid: false, reason: `${SignatureRejection.MissingHeader} (${TWILIO_SIGNATURE_HEADER})` };
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return { valid: false, reason: `${SignatureRejection.MalformedHeader} (base64 HMAC-SHA1)` };
	let claimedHash: string | null;
	try {
		claimedHash = new URL(url).searchParams.get(TWILIO_BODY_HASH_PARAM);
	} catch {
		return { valid: false, reason: 'the webhook URL is not a valid URL' };
	}
	if (!claimedHash || !/^[0-9a-fA-F]{64}$/.test(claimedHash)) return { valid: false, reason: `a JSON body needs the ${TWILIO_BODY_HASH_PARAM} query parameter Twilio adds` };
	const bodyHash = createHash('sha256').update(rawBody).digest();
	if (!constantTimeEqual(Buffer.from(claimedHash.toLowerCase(), 'hex'), bodyHash)) return { valid: false, reason: `the body does not match ${TWILIO_BODY_HASH_PARAM}` };
	const expected = createHmac('sha1', authToken).update(url, 'utf8').digest();
	return constantTimeEqual(Buffer.from(header, 'base64'), expected) ? { valid: true } : { valid: false, reason: SignatureRejection.Mismatch };
}

/** Event Streams' name for the same click (its `data` holds the fields of the click callback). */
export const TWILIO_LINK_CLICKED_EVENT = 'com.twilio.daptbt.link-shortening.link-clicked';

export type TwilioLinkClick = { kind: 'click'; fact: EngagementFact; link?: string } | { kind: 'ignored'; why: string };

/** A form or JSON body that is a link-shortening click callback rather than a message status or inbound SMS. */
export function isTwilioLinkClick(body: JsonObject): boolean {
	return body.type === TWILIO_LINK_CLICKED_EVENT || (typeof body.event_type === 'string' && (typeof body.sms_sid === 'string' || typeof body.message_sid === 'string'));
}

/**
 * A verified click callback of Twilio Link Shortening (the domain's click tracking callback URL):
 * `event_type` (`click`, or `preview` when a messaging app fetched the link to draw a preview,
 * which is no engagement), `sms_sid`, `to`, `link`, `click_time`. Event Streams wraps the same
 * fields (`message_sid`) in a CloudEvent. The click callback URL is one per domain, so it carries
 * no decision id: the click is matched by message sid, else by the recipient's number.
 */
export function normalizeTwilioLinkClick(body: JsonObject, receivedAt: string): TwilioLinkClick {
	const cloudEvent = body.type === TWILIO_LINK_CLICKED_EVENT;
	const click = cloudEvent ? body.data : body;
	if (!isObject(click)) throw LoyaltyError.invalid('twilio.data', 'must be an object');
	const eventType = cloudEvent ? 'click' : text(click, 'event_type');
	if (eventType !== 'click') return { kind: 'ignored', why: eventType === 'preview' ? 'a link preview drawn by a messaging app, not a click' : `click event type ${eventType ?? '(none)'} is not a click` };
	const messageSid = text(click, 'sms_sid') ?? text(click, 'message_sid');
	if (!messageSid) throw LoyaltyError.invalid('twilio.sms_sid', 'is missing');
	const clickTime = text(click, 'click_time');
	const at = clickTime && Number.isFinite(Date.parse(clickTime)) ? new Date(clickTime).toISOString() : receivedAt;
	const to = text(click, 'to');
	const link = text(click, 'link');
	// One customer tapping one link twice is two clicks of one send; the engaged count is per send anyway.
	const key = cloudEvent && typeof body.id === 'string' ? `twilio:click:${body.id}` : `twilio:click:${messageSid}:${clickTime ?? receivedAt}:${link ?? ''}`;
	return {
		kind: 'click',
		fact: { idempotencyKey: key, channel: 'sms', kind: 'click', at, source: 'twilio:link_click', vendorMessageId: messageSid, ...(to && /^\+[1-9]\d{6,14}$/.test(to) ? { identities: { phone: to } } : {}) },
		...(link ? { link } : {}),
	};
}

function text(body: JsonObject, name: string): string | undefined {
	const value = body[name];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw LoyaltyError.invalid(`twilio.${name}`, 'must be text');
	const trimmed = value.trim();
	return trimmed === '' ? undefined : trimmed;
}
