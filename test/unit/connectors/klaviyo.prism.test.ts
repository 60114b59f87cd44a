import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction, HttpRequest } from '../../../connectors/http';
import { createKlaviyoClient, loyaltyProfileProperties, type KlaviyoClient } from '../../../connectors/klaviyo';
import { alteringHttp, fetchHttp, recordingHttp } from '../../support/http';
import { type PrismServer, specOrSkip, startPrism } from '../../support/prism';
import { assertVendorError } from './helpers';

/*
 * Klaviyo's own documents (revision 2026-07-15, with nullable-without-type schemas stripped so
 * validation is live) served by Prism. Each endpoint: a valid request passes, and one
 * deliberately broken request is refused by Prism's validator.
 */
const events = specOrSkip('klaviyo-events.prism.json');
const profiles = specOrSkip('klaviyo-profiles.prism.json');
const noRetry = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

interface JsonApiDocument {
	data: { type: string; attributes: Record<string, unknown> };
}
type ConsentJob = { profiles: { data: Array<{ attributes: { subscriptions: { email: { marketing: { consent: string } } } } }> } };

/** Rewrites the JSON:API body before it is sent. */
function breaking(alter: (json: JsonApiDocument) => void): HttpFunction {
	return alteringHttp(fetchHttp, (request: HttpRequest) => {
		const json = structuredClone(request.json) as JsonApiDocument;
		alter(json);
		return { ...request, json };
	});
}

describe('Klaviyo events against Prism', { skip: events.skip }, () => {
	let prism: PrismServer;
	let client: (http?: HttpFunction) => KlaviyoClient;
	before(async () => {
		prism = await startPrism({ spec: events.path as string });
		client = (http = fetchHttp) => createKlaviyoClient(http, { apiKey: 'pk_prism_test', baseUrl: prism.baseUrl, retry: noRetry });
	});
	after(async () => prism?.stop());

	const offerEvent = {
		metricName: 'Loyalty Offer: Coffee 10%',
		uniqueId: 'dec-2026-06-10-c1-coffee',
		profile: { email: 'ana@example.com', externalId: 'cus_1', firstName: 'Ana' },
		properties: { coupon_code: 'LOY-ABCDEFGHJK', message: 'Ana, your beans are running low', points: 450 },
		time: '2026-06-10T12:00:00Z',
	};

	test('createEvent: a valid event is accepted, carrying the decision id as unique_id and the revision header', async () => {
		const recorder = recordingHttp(fetchHttp);
		await client(recorder.http).createEvent(offerEvent);
		const [call] = recorder.calls;
		assert.equal(call.response.status, 202);
		assert.equal(call.request.headers?.revision, '2026-07-15');
		assert.equal((call.request.json as JsonApiDocument).data.attributes.unique_id, 'dec-2026-06-10-c1-coffee');
	});

	test('createEvent: an event without its metric is refused by validation', async () => {
		const error = await assertVendorError(client(breaking((json) => delete json.data.attributes.metric)).createEvent(offerEvent), { vendor: 'klaviyo', retryable: false });
		assert.ok(error.status && error.status >= 400 && error.status < 500);
	});

	test('createEvent: without the revision header the request is refused', async () => {
		const noRevision = alteringHttp(fetchHttp, (r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => k !== 'revision')) }));
		await assertVendorError(client(noRevision).createEvent(offerEvent), { vendor: 'klaviyo', retryable: false });
	});
});

describe('Klaviyo profiles against Prism', { skip: profiles.skip }, () => {
	let prism: PrismServer;
	let client: (http?: HttpFunction) => KlaviyoClient;
	before(async () => {
		prism = await startPrism({ spec: profiles.path as string });
		client = (http = fetchHttp) => createKlaviyoClient(http, { apiKey: 'pk_prism_test', baseUrl: prism.baseUrl, retry: noRetry });
	});
	after(async () => prism?.stop());

	const properties = loyaltyProfileProperties({ points: 450, pendingPoints: 20, tier: 'Gold', segment: 'champions', lifecycle: 'active', nextBestAction: 'coffee-10', clv: 312.5, currency: 'USD', updatedAt: '2026-06-10T12:00:00Z' });

	test('upsertProfile: a profile with loyalty properties is accepted and its id returned', async () => {
		const recorder = recordingHttp(fetchHttp);
		const { id } = await client(recorder.http).upsertProfile({ email: 'ana@example.com', firstName: 'Ana', externalId: 'cus_1', properties });
		assert.equal(typeof id, 'string');
		assert.equal(((recorder.calls[0].request.json as JsonApiDocument).data.attributes.properties as Record<string, unknown>).loyalty_tier, 'Gold');
	});

	test('upsertProfile: a profile of the wrong JSON:API type is refused by validation', async () => {
		await assertVendorError(client(breaking((json) => (json.data.type = 'customer'))).upsertProfile({ email: 'ana@example.com', properties }), { vendor: 'klaviyo', retryable: false });
	});

	test('subscribe: email and SMS marketing consent is accepted', async () => {
		await client().subscribe({ email: 'ana@example.com', phoneNumber: '+14155550123', channels: { email: true, sms: true }, consentedAt: '2026-06-01T10:00:00Z', listId: 'Y6nRLr' });
	});

	test('subscribe: a consent of an unknown value is refused by validation', async () => {
		await assertVendorError(
			client(breaking((json) => ((json.data.attributes as unknown as ConsentJob).profiles.data[0].attributes.subscriptions.email.marketing.consent = 'MAYBE'))).subscribe({ email: 'ana@example.com', channels: { email: true } }),
			{ vendor: 'klaviyo', retryable: false },
		);
	});

	test('unsubscribe: an SMS opt-out is accepted', async () => {
		await client().unsubscribe({ phoneNumber: '+14155550123', channels: { sms: true } });
	});

	test('unsubscribe: a job without profiles is refused by validation', async () => {
		await assertVendorError(client(breaking((json) => delete json.data.attributes.profiles)).unsubscribe({ phoneNumber: '+14155550123', channels: { sms: true } }), { vendor: 'klaviyo', retryable: false });
	});
});
