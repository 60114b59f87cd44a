import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction } from '../../../connectors/http';
import { createTwilioClient, type TwilioClient } from '../../../connectors/twilio';
import { alteringHttp, fetchHttp, recordingHttp, withoutHeader } from '../../support/http';
import { type PrismServer, specOrSkip, startPrism } from '../../support/prism';
import { assertVendorError } from './helpers';

/* Twilio's own v2010 document served by Prism: form-encoded bodies are validated. */
const spec = specOrSkip('twilio-api-v2010.json');
const noRetry = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const SERVICE = 'MG0123456789abcdef0123456789abcdef';

describe('Twilio client against Prism', { skip: spec.skip }, () => {
	let prism: PrismServer;
	let client: (http?: HttpFunction) => TwilioClient;
	before(async () => {
		prism = await startPrism({ spec: spec.path as string });
		client = (http = fetchHttp) => createTwilioClient(http, { auth: { kind: 'authToken', accountSid: ACCOUNT, authToken: 'prism-token' }, baseUrl: prism.baseUrl, retry: noRetry });
	});
	after(async () => prism?.stop());

	test('sendSms from a number: valid form-encoded request is accepted and returns the message sid', async () => {
		const recorder = recordingHttp(fetchHttp);
		const message = await client(recorder.http).sendSms({ to: '+14155550123', from: '+15005550006', body: 'Ana, 10% off coffee: LOY-ABCDEFGHJK. Reply STOP to opt out.', statusCallback: 'https://n8n.example/webhook/abc/twilio?decision=dec-1&channel=sms' });
		assert.equal(typeof message.sid, 'string');
		assert.equal(recorder.calls[0].response.status, 201);
		assert.deepEqual(Object.keys(recorder.calls[0].request.form ?? {}).sort(), ['Body', 'From', 'StatusCallback', 'To']);
	});

	test('sendSms through a Messaging Service, scheduled for the end of quiet hours', async () => {
		const message = await client().sendSms({ to: '+14155550123', messagingServiceSid: SERVICE, body: 'Good morning', sendAt: '2026-06-11T16:00:00Z' });
		assert.equal(typeof message.sid, 'string');
	});

	test('sendSms: a request without To is refused by validation', async () => {
		const noTo = alteringHttp(fetchHttp, (r) => ({ ...r, form: Object.fromEntries(Object.entries(r.form ?? {}).filter(([k]) => k !== 'To')) }));
		const error = await assertVendorError(client(noTo).sendSms({ to: '+14155550123', from: '+15005550006', body: 'x' }), { vendor: 'twilio', retryable: false });
		assert.ok(error.status && error.status >= 400 && error.status < 500);
	});

	test('sendSms: a malformed Messaging Service sid is refused by validation', async () => {
		await assertVendorError(client().sendSms({ to: '+14155550123', messagingServiceSid: 'MG-not-a-sid', body: 'x' }), { vendor: 'twilio', retryable: false });
	});

	test('sendSms: without credentials the request is refused', async () => {
		await assertVendorError(client(withoutHeader(fetchHttp, 'Authorization')).sendSms({ to: '+14155550123', from: '+15005550006', body: 'x' }), { vendor: 'twilio', status: 401, retryable: false });
	});
});
