import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SignatureRejection } from '../../../connectors/shared/hmac';
import { normalizeTwilioRequest, twilioError, verifyTwilioSignature } from '../../../connectors/twilio';
import { LoyaltyError } from '../../../engine';

// Twilio's published example (docs: "Validating requests"): token 12345, this URL, these parameters.
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const BODY = Buffer.from('CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212');
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

/** Independent of the code under test. */
function sign(token: string, url: string, params: Array<[string, string]>): string {
	const data = [...params].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).reduce((acc, [k, v]) => acc + k + v, url);
	return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

describe('Twilio X-Twilio-Signature', () => {
	test("accepts Twilio's published example", () => {
		assert.deepEqual(verifyTwilioSignature(BODY, SIGNATURE, TOKEN, URL_), { valid: true });
	});

	test('refuses when no Auth Token is configured (fails closed)', () => {
		assert.deepEqual(verifyTwilioSignature(BODY, SIGNATURE, '', URL_), { valid: false, reason: SignatureRejection.MissingSecret });
	});

	test('refuses when the webhook URL is unknown', () => {
		const check = verifyTwilioSignature(BODY, SIGNATURE, TOKEN, '');
		assert.equal(check.valid, false);
		assert.match(!check.valid ? check.reason : '', /URL is not configured/);
	});

	test('refuses a request without the header', () => {
		const check = verifyTwilioSignature(BODY, undefined, TOKEN, URL_);
		assert.equal(!check.valid && check.reason, `${SignatureRejection.MissingHeader} (x-twilio-signature)`);
	});

	test('refuses a malformed header (not base64 of 20 bytes, or non-canonical base64)', () => {
		for (const header of ['not base64!', 'c2hvcnQ=', `${SIGNATURE.slice(0, -2)}9=`]) {
			const check = verifyTwilioSignature(BODY, header, TOKEN, URL_);
			assert.equal(!check.valid && check.reason, `${SignatureRejection.MalformedHeader} (base64 HMAC-SHA1)`, header);
		}
	});

	test('refuses a changed body, URL or token', () => {
		const tampered = Buffer.from(BODY.toString().replace('Digits=1234', 'Digits=1235'));
		assert.deepEqual(verifyTwilioSignature(tampered, SIGNATURE, TOKEN, URL_), { valid: false, reason: SignatureRejection.Mismatch });
		assert.deepEqual(verifyTwilioSignature(BODY, SIGNATURE, TOKEN, 'https://mycompany.com/myapp.php?foo=1&bar=3'), { valid: false, reason: SignatureRejection.Mismatch });
		assert.deepEqual(verifyTwilioSignature(BODY, SIGNATURE, '12346', URL_), { valid: false, reason: SignatureRejection.Mismatch });
	});

	test('property: any form body signed the documented way verifies, and any one-character change to the header fails', () => {
		const param = fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/), fc.string({ maxLength: 12 }));
		fc.assert(
			fc.property(fc.uniqueArray(param, { selector: (p) => p[0], maxLength: 8 }), fc.nat(), (params, flip) => {
				const body = Buffer.from(new URLSearchParams(params).toString());
				const signature = sign(TOKEN, URL_, params);
				assert.deepEqual(verifyTwilioSignature(body, signature, TOKEN, URL_), { valid: true });
				const i = flip % signature.length;
				const changed = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
				assert.equal(verifyTwilioSignature(body, changed, TOKEN, URL_).valid, false);
			}),
		);
	});
});

describe('Twilio requests → notifications', () => {
	const form = (o: Record<string, string>) => new URLSearchParams(o);

	test('an inbound STOP (any synonym) is an opt-out, START an opt-in, other text nothing', () => {
		for (const body of ['STOP', 'stopall', 'Unsubscribe', 'cancel', 'END', 'quit', 'REVOKE', 'optout']) {
			const n = normalizeTwilioRequest(form({ MessageSid: 'SM1', From: '+14155550123', To: '+15005550006', Body: body, SmsStatus: 'received' }));
			assert.equal(n.kind === 'inbound_sms' && n.consentIntent, 'opt_out', body);
		}
		const start = normalizeTwilioRequest(form({ MessageSid: 'SM2', From: '+14155550123', Body: 'START' }));
		assert.equal(start.kind === 'inbound_sms' && start.consentIntent, 'opt_in');
		const chat = normalizeTwilioRequest(form({ MessageSid: 'SM3', From: '+14155550123', Body: 'Do you open on Sunday?' }));
		assert.equal(chat.kind === 'inbound_sms' && chat.consentIntent, undefined);
	});

	test("Twilio's own OptOutType wins over the wording", () => {
		const n = normalizeTwilioRequest(form({ MessageSid: 'SM4', From: '+14155550123', Body: 'arrêt', OptOutType: 'STOP' }));
		assert.equal(n.kind === 'inbound_sms' && n.consentIntent, 'opt_out');
	});

	test('a final status callback carries the decision id from its URL; intermediate ones are ignored', () => {
		const n = normalizeTwilioRequest(form({ MessageSid: 'SM5', MessageStatus: 'undelivered', ErrorCode: '30003', To: '+14155550123' }), 'https://n8n.example/webhook/abc/twilio?decision=dec-1&channel=sms');
		assert.deepEqual(n, { kind: 'status', messageSid: 'SM5', to: '+14155550123', status: 'undelivered', errorCode: 30003, decisionId: 'dec-1' });
		assert.equal(normalizeTwilioRequest(form({ MessageSid: 'SM5', MessageStatus: 'queued' })).kind, 'ignored');
	});

	test('an inbound message without sender names the field', () => {
		assert.throws(() => normalizeTwilioRequest(form({ MessageSid: 'SM6', Body: 'STOP' })), (e: LoyaltyError) => e.field === 'twilio.From');
	});
});

describe('Twilio errors', () => {
	test('21610 means the number opted out: not retryable, flagged, explained', () => {
		const error = twilioError({ status: 400, headers: {}, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 } });
		assert.equal(error.optedOut, true);
		assert.equal(error.retryable, false);
		assert.match(error.message, /replied STOP/);
	});

	test('20429 and 5xx are retryable; Retry-After is kept as a hint', () => {
		const busy = twilioError({ status: 429, headers: { 'Retry-After': '3' }, body: { code: 20429, message: 'Too Many Requests' } });
		assert.equal(busy.retryable, true);
		assert.deepEqual((busy.details as { retryHint: unknown }).retryHint, { retryAfterMs: 3000 });
		assert.equal(twilioError({ status: 503, headers: {}, body: undefined }).retryable, true);
		assert.equal(twilioError({ status: 400, headers: {}, body: { code: 21211, message: 'Invalid To' } }).retryable, false);
	});
});
