import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VendorApiError } from '../../../connectors/http';
import { createKlaviyoClient } from '../../../connectors/klaviyo';
import { createTwilioClient, TwilioApiError } from '../../../connectors/twilio';
import { deliver, IN_FLIGHT_MS, openStore, type ClaimInput, type DeliverySteps, type SendFailure, type Store } from '../../../engine';
import { DeliveryLog } from '../../../engine/delivery/deliveryLog';
import { createFetchHttp } from '../../support/http';

/*
 * A local vendor that misbehaves on purpose: 429 with Retry-After, 500, and a hang. It keeps what
 * it "delivered": Klaviyo drops a repeated unique_id (as the real API does), Twilio does not.
 */
type Fault = 'rate_limit' | 'error' | 'hang' | 'twilio_busy' | 'ok';

class FaultyVendor {
	faults: Fault[] = [];
	requests = 0;
	readonly klaviyoEvents = new Set<string>();
	readonly smsSent: string[] = [];
	private server!: Server;
	private hanging: ServerResponse[] = [];
	baseUrl = '';

	async start(): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		for (const res of this.hanging) res.destroy();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks).toString('utf8');
		this.requests += 1;
		const fault = this.faults.shift() ?? 'ok';
		if (fault === 'rate_limit') return void res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ status: 429, code: 'throttled', detail: 'Request was throttled.' }] }));
		if (fault === 'twilio_busy') return void res.writeHead(429, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }));
		if (fault === 'error') return void res.writeHead(500, { 'Content-Type': 'application/json' }).end('{}');
		if (req.url?.endsWith('/api/events')) {
			const uniqueId = (JSON.parse(body) as { data: { attributes: { unique_id: string } } }).data.attributes.unique_id;
			this.klaviyoEvents.add(uniqueId);
			if (fault === 'hang') return void this.hanging.push(res); // accepted, but the answer never comes
			return void res.writeHead(202).end();
		}
		if (req.url?.endsWith('/Messages.json')) {
			if (fault === 'hang') {
				this.smsSent.push(new URLSearchParams(body).get('Body') ?? '');
				return void this.hanging.push(res);
			}
			this.smsSent.push(new URLSearchParams(body).get('Body') ?? '');
			return void res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sid: `SM${this.smsSent.length}`, status: 'queued' }));
		}
		res.writeHead(404).end();
	}
}

function classify(error: unknown): SendFailure {
	if (error instanceof TwilioApiError) return { retryable: error.retryable, ambiguous: error.ambiguous, optedOut: error.optedOut, message: error.message };
	if (error instanceof VendorApiError) return { retryable: error.retryable, ambiguous: false, optedOut: false, message: error.message };
	return { retryable: false, ambiguous: true, optedOut: false, message: String(error) };
}

describe('fault injection: retries with backoff, exactly one message per decision', () => {
	const vendor = new FaultyVendor();
	let store: Store;
	let log: DeliveryLog;
	let dir: string;
	let customerId: string;
	const waits: number[] = [];
	const retry = { attempts: 4, baseDelayMs: 50, maxDelayMs: 2_000, sleep: async (ms: number) => void waits.push(ms) };
	const http = createFetchHttp({ timeoutMs: 300 });
	const NOW = new Date('2026-06-10T16:00:00Z');

	before(async () => {
		await vendor.start();
		dir = mkdtempSync(join(tmpdir(), 'loyalty-faults-'));
		store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
		log = new DeliveryLog(store);
		customerId = (await store.upsertCustomer({ identities: { email: 'ana@example.com', phone: '+14155550123' } })).id;
	});
	after(async () => {
		await vendor.stop();
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	});

	const claim = (decisionId: string, channel: 'email' | 'sms'): ClaimInput => ({
		decisionId, channel, customerId, ruleId: 'r1', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: false, idempotencyKey: channel === 'email' ? decisionId : `${decisionId}:sms`, sendAt: NOW.toISOString(),
	});
	const emailSteps = (): DeliverySteps => ({
		vendorDeduplicates: true,
		classify,
		send: async (key) => {
			await createKlaviyoClient(http, { apiKey: 'pk_test', baseUrl: vendor.baseUrl, retry }).createEvent({ metricName: 'Loyalty Offer', uniqueId: key, profile: { email: 'ana@example.com' }, properties: {} });
			return {};
		},
	});
	const smsSteps = (): DeliverySteps => ({
		vendorDeduplicates: false,
		classify,
		send: async () => {
			const message = await createTwilioClient(http, { auth: { kind: 'authToken', accountSid: 'AC1', authToken: 't' }, baseUrl: vendor.baseUrl, retry }).sendSms({ to: '+14155550123', from: '+15005550006', body: 'hi' });
			return { vendorMessageId: message.sid };
		},
	});

	test('Klaviyo: 429 (Retry-After honoured), then 500 (backoff), then accepted: one event; the replay sends nothing', async () => {
		waits.length = 0;
		vendor.faults = ['rate_limit', 'error', 'ok'];
		const before = vendor.requests;
		const result = await deliver(log, claim('dec-k1', 'email'), emailSteps(), NOW);
		assert.equal(result.status, 'sent');
		assert.equal(vendor.requests - before, 3);
		assert.equal(waits[0], 1000, 'Retry-After: 1 → waited 1 s');
		assert.ok(waits[1] >= 50 && waits[1] <= 100, `backoff after the 500 was ${waits[1]} ms`);
		assert.equal((await deliver(log, claim('dec-k1', 'email'), emailSteps(), NOW)).status, 'replay');
		assert.equal(vendor.requests - before, 3, 'the replay made no request');
		assert.ok(vendor.klaviyoEvents.has('dec-k1'));
	});

	test('Klaviyo: a hang times out, the retry carries the same unique_id, so Klaviyo holds one event', async () => {
		vendor.faults = ['hang', 'ok'];
		const eventsBefore = vendor.klaviyoEvents.size;
		const before = vendor.requests;
		const result = await deliver(log, claim('dec-k2', 'email'), emailSteps(), NOW);
		assert.equal(result.status, 'sent');
		assert.equal(vendor.requests - before, 2);
		assert.equal(vendor.klaviyoEvents.size - eventsBefore, 1);
	});

	test('Klaviyo: every try fails → row stays claimed; the next run resumes with the same key and sends once', async () => {
		vendor.faults = ['error', 'error', 'error', 'error'];
		const first = await deliver(log, claim('dec-k3', 'email'), emailSteps(), NOW);
		assert.equal(first.status, 'retry_later');
		assert.equal((await log.sends('dec-k3'))[0].status, 'claimed');
		const second = await deliver(log, claim('dec-k3', 'email'), emailSteps(), NOW);
		assert.equal(second.status, 'sent');
		assert.ok(vendor.klaviyoEvents.has('dec-k3'));
		assert.equal((await log.sends('dec-k3'))[0].attempts, 2);
	});

	test('Twilio: 20429 then 500 are retried with backoff; one SMS; the replay sends nothing', async () => {
		waits.length = 0;
		vendor.faults = ['twilio_busy', 'error', 'ok'];
		const sentBefore = vendor.smsSent.length;
		const result = await deliver(log, claim('dec-t1', 'sms'), smsSteps(), NOW);
		assert.equal(result.status, 'sent');
		assert.equal(waits.length, 2);
		assert.ok(waits[1] > waits[0] / 2, 'backoff grows');
		assert.equal(vendor.smsSent.length - sentBefore, 1);
		assert.equal((await deliver(log, claim('dec-t1', 'sms'), smsSteps(), NOW)).status, 'replay');
		assert.equal(vendor.smsSent.length - sentBefore, 1);
		assert.equal((await log.sends('dec-t1'))[0].vendorMessageId, `SM${vendor.smsSent.length}`);
	});

	test('Twilio: a hang is ambiguous (no idempotency key), so it is never retried: "unknown", at most one SMS', async () => {
		vendor.faults = ['hang'];
		const sentBefore = vendor.smsSent.length;
		const requestsBefore = vendor.requests;
		const result = await deliver(log, claim('dec-t2', 'sms'), smsSteps(), NOW);
		assert.equal(result.status, 'unknown');
		assert.equal(vendor.requests - requestsBefore, 1);
		assert.equal((await deliver(log, claim('dec-t2', 'sms'), smsSteps(), NOW)).status, 'replay');
		assert.equal(vendor.smsSent.length - sentBefore, 1);
	});

	test('Twilio: a crash after the claim (row claimed, vendor never answered) is not resent', async () => {
		await log.claim(claim('dec-t3', 'sms'), NOW);
		const requestsBefore = vendor.requests;
		// The next run comes after the in-flight window: a younger claim may still be a live run.
		const result = await deliver(log, claim('dec-t3', 'sms'), smsSteps(), new Date(NOW.getTime() + IN_FLIGHT_MS));
		assert.equal(result.status, 'unknown');
		assert.equal(vendor.requests, requestsBefore);
	});

	test('Twilio: attempts that certainly failed (5xx every time) are resumed by the next run', async () => {
		vendor.faults = ['error', 'error', 'error', 'error'];
		assert.equal((await deliver(log, claim('dec-t4', 'sms'), smsSteps(), NOW)).status, 'retry_later');
		const sentBefore = vendor.smsSent.length;
		assert.equal((await deliver(log, claim('dec-t4', 'sms'), smsSteps(), NOW)).status, 'sent');
		assert.equal(vendor.smsSent.length - sentBefore, 1);
	});
});
