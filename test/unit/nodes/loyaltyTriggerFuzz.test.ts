/**
 * "Nothing lost": signed garbage through the Loyalty Trigger's receive path. For every source,
 * 10,000 valid payloads mutated with fast-check (seeded, so a failure reproduces with FUZZ_SEED)
 * are signed correctly and delivered to `webhook()` of a published workflow. Every delivery must be
 * answered 200 (events, a duplicate, ignored or quarantined with a reason) or, only when the fake
 * vendor answered a retryable error, 503; never thrown, never 400/401/500. The store must agree:
 * `events` grows by exactly the new events reported, a quarantined delivery wrote no event and has
 * its quarantine row.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { closeSharedStores, openSharedStore, type Store } from '../../../engine';
import { DeliveryLog } from '../../../engine/delivery/deliveryLog';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { fuzzRuns, fuzzSeed, mutatedForm, mutatedJson, type Json, type MutatedBody } from '../../support/fuzz';
import { webhookContext, type Credentials, type FakeServer, type Response } from './fakes';

const trigger = new LoyaltyTrigger();
const description = trigger.description;
const URL = 'https://n8n.example.com/webhook/hook-id/webhook';
const SECRET = 'fuzz-shared-secret-0123456789';
const WOO_SECRET = 'woo-webhook-secret-0123456789';
const SQUARE_KEY = 'square-signature-key-0123';
const TWILIO_TOKEN = 'twilio-auth-token-0123';
const RUNS = fuzzRuns();
const SEED = fuzzSeed();
let dir: string;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-fuzz-'));
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

const fixture = (vendor: string, name: string): Json => JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', vendor, name), 'utf8')) as Json;

/** One delivery as the fake n8n hands it to the node, and whether the fake vendor failed retryably. */
interface Prepared {
	context: IWebhookFunctions;
	response: Response;
	vendorFailedRetryably: () => boolean;
}

interface FuzzSource<C extends MutatedBody> {
	name: string;
	cases: fc.Arbitrary<C>;
	deliver(credentials: Credentials, fuzzCase: C, index: number): Prepared;
	/** State the deliveries refer to (a past send for engagement reports to land on). */
	prepare?(store: Store): Promise<void>;
}

type CaseOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

type Outcome = 'recorded' | 'ignored' | 'quarantined' | 'retryable';

const hmacBase64 = (algorithm: string, key: string, ...parts: Array<string | Buffer>) => {
	const hmac = createHmac(algorithm, key);
	for (const part of parts) hmac.update(part);
	return hmac.digest('base64');
};

// ---------- WooCommerce: orders and customers, signed base64 HMAC-SHA256 of the body ----------

const WOO_SEEDS: Array<{ topic: string; payload: Json }> = [
	{ topic: 'order.created', payload: fixture('woocommerce', 'order-processing.json') },
	{ topic: 'order.updated', payload: fixture('woocommerce', 'order-completed-partial-refund.json') },
	{ topic: 'order.updated', payload: fixture('woocommerce', 'order-on-hold-guest.json') },
	{ topic: 'order.updated', payload: fixture('woocommerce', 'order-refunded.json') },
	{ topic: 'customer.updated', payload: fixture('woocommerce', 'customer-updated.json') },
];
const OTHER_TOPICS = ['order.deleted', '', 'action.woocommerce_x', 'ORDER.CREATED', 'customer.created', 'order.created', 'coupon.updated'];

const wooCases = fc
	.tuple(
		mutatedJson(
			WOO_SEEDS.map((s) => s.payload),
			(seed, n) => ({ ...(seed as IDataObject), id: 5000 + n }) as Json,
		),
		fc.nat({ max: 19 }),
		fc.constantFrom('fresh', 'fresh', 'fresh', 'repeat', 'empty', 'long', 'absent'),
	)
	.map(([mutated, topicPick, deliveryId]) => ({
		...mutated,
		topic: topicPick < 17 ? WOO_SEEDS[mutated.seedIndex].topic : OTHER_TOPICS[topicPick % OTHER_TOPICS.length],
		deliveryId,
	}));

const wooSource: FuzzSource<CaseOf<typeof wooCases>> = {
	name: 'woocommerce',
	cases: wooCases,
	deliver(credentials, fuzzCase, index) {
		const deliveryId = { fresh: `fz-${index}`, repeat: `fz-repeat-${index % 7}`, empty: '', long: `fz-${'9'.repeat(320)}-${index}`, absent: undefined }[fuzzCase.deliveryId];
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'x-wc-webhook-topic': fuzzCase.topic,
			'x-wc-webhook-signature': hmacBase64('sha256', WOO_SECRET, fuzzCase.body),
		};
		if (deliveryId !== undefined) headers['x-wc-webhook-delivery-id'] = deliveryId;
		// The category lookup: a shop whose products have no categories.
		const server: FakeServer = () => ({ statusCode: 200, body: [] });
		const { context, response } = webhookContext({
			description,
			parameters: { source: 'woocommerce', wooCommerceEvents: ['order.created', 'order.updated', 'customer.created', 'customer.updated'] },
			credentials: { ...credentials, loyaltyWooCommerceApi: { shopUrl: 'https://shop.example.com/', consumerKey: 'ck_1', consumerSecret: 'cs_1', webhookSecret: WOO_SECRET } },
			body: fuzzCase.body,
			headers,
			server,
			webhookUrl: URL,
			mode: 'webhook',
		});
		return { context, response, vendorFailedRetryably: () => false };
	},
};

// ---------- Square: notifications signed with the URL; the order and customer come from Square's API ----------

const SQUARE_SEEDS: Json[] = [
	fixture('square', 'payment-updated-completed.json'),
	fixture('square', 'refund-created-pending.json'),
	fixture('square', 'refund-updated-completed.json'),
	fixture('square', 'refund-itemized-return.json'),
	fixture('square', 'customer-updated.json'),
];
const SQUARE_ORDERS: Record<string, Json> = {
	CAISEM82RcpmcFBM0TfOyiHV3es: fixture('square', 'order-retrieved.json'),
	Rt7vQm2KxW9pLd4sHc8yNb3aZfE: fixture('square', 'return-order-retrieved.json'),
};
const SQUARE_CUSTOMERS: Record<string, Json> = { JDKYHBWT1D4F8MFH63DBMEN8Y4: fixture('square', 'customer-retrieved.json') };
const SQUARE_NOT_FOUND = fixture('square', 'error-not-found.json');
const SQUARE_RATE_LIMITED = fixture('square', 'error-rate-limited.json');

/** Each notification its own event id, and each payment its own id, so most are new. */
function personalSquare(seed: Json, n: number): Json {
	const envelope = seed as { event_id?: string; data?: { id?: string; object?: { payment?: { id?: string } } } };
	envelope.event_id = `fz-evt-${n}`;
	const payment = envelope.data?.object?.payment;
	if (payment && envelope.data) {
		payment.id = `fz-pay-${n}`;
		envelope.data.id = payment.id;
	}
	return seed;
}

const squareCases = fc
	.tuple(mutatedJson(SQUARE_SEEDS, personalSquare), fc.constantFrom<'none' | 500 | 429 | 503>(...Array<'none'>(17).fill('none'), 500, 429, 503))
	.map(([mutated, fault]) => ({ ...mutated, fault }));

/** Square's API from a small table: 404 (Square's error JSON) for anything else, or the case's retryable fault. */
function squareServer(fault: 'none' | 500 | 429 | 503, failed: { retryable: boolean }): FakeServer {
	return (request) => {
		const url = request.url;
		if (url.endsWith('/v2/catalog/batch-retrieve')) return { statusCode: 200, body: { objects: [] } };
		if (fault !== 'none') {
			failed.retryable = true;
			return fault === 429 ? { statusCode: 429, body: SQUARE_RATE_LIMITED, headers: { 'retry-after': '0' } } : { statusCode: fault, body: fault === 500 ? { errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR' }] } : 'Service Unavailable' };
		}
		const id = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
		const found = url.includes('/v2/orders/') ? SQUARE_ORDERS[id] : url.includes('/v2/customers/') ? SQUARE_CUSTOMERS[id] : undefined;
		return found ? { statusCode: 200, body: found } : { statusCode: 404, body: SQUARE_NOT_FOUND };
	};
}

const squareSource: FuzzSource<CaseOf<typeof squareCases>> = {
	name: 'square',
	cases: squareCases,
	deliver(credentials, fuzzCase) {
		const failed = { retryable: false };
		const { context, response } = webhookContext({
			description,
			parameters: { source: 'square', squareEvents: ['customer.created', 'customer.updated', 'payment.created', 'payment.updated', 'refund.created', 'refund.updated'] },
			credentials: { ...credentials, loyaltySquareApi: { accessToken: 'EAAA-token', environment: 'sandbox', signatureKey: SQUARE_KEY, notificationUrl: '', baseUrl: 'http://127.0.0.1:4010' } },
			body: fuzzCase.body,
			headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': hmacBase64('sha256', SQUARE_KEY, URL, fuzzCase.body) },
			server: squareServer(fuzzCase.fault, failed),
			webhookUrl: URL,
			mode: 'webhook',
		});
		return { context, response, vendorFailedRetryably: () => failed.retryable };
	},
};

// ---------- Generic signed JSON: one event or a list ----------

const customer = { identities: { email: 'dora@example.com' } };
const GENERIC_SEEDS: Json[] = [
	{ id: 'pos-1', type: 'purchase', customer, order: { id: 'order-1', placedAt: '2026-03-03T17:45:00Z', currency: 'USD', totalMinor: 1000, lines: [{ sku: 'BEANS', name: 'Beans', quantity: 2, totalMinor: 1000 }] } },
	{ id: 'ref-1', type: 'refund', customer, refund: { id: 'r-1', orderId: 'order-1', amountMinor: 500, currency: 'USD', createdAt: '2026-03-05T09:00:00Z', reason: 'damaged' } },
	{ id: 'crm-1', type: 'customer_updated', occurredAt: '2026-03-01T08:00:00Z', customer: { identities: { email: 'a@example.com', phone: '+14155550123' }, birthday: { month: 2, day: 29 } } },
	{ id: 'cart-1', type: 'cart_updated', customer, cart: { id: 'c-1', status: 'open', currency: 'EUR', totalMinor: 4200, updatedAt: '2026-03-04T10:00:00Z', lines: [] } },
	{ id: 'upd-1', type: 'order_updated', customer, order: { id: 'order-2', status: 'cancelled', placedAt: '2026-03-03T17:45:00Z', currency: 'USD', totalMinor: 700, lines: [] } },
	[
		{ id: 'pos-2', type: 'purchase', customer, order: { id: 'order-3', placedAt: '2026-03-03T17:45:00Z', currency: 'GBP', totalMinor: 300, lines: [] } },
		{ id: 'pos-3', type: 'purchase', customer: { identities: { phone: '+14155550199' } }, order: { id: 'order-4', placedAt: '2026-03-03T18:45:00Z', currency: 'GBP', totalMinor: 900, lines: [] } },
	],
];

/** Suffixes every `id` (events, orders, refunds, carts) with the case's number. */
function personalIds(seed: Json, n: number): Json {
	if (Array.isArray(seed)) return seed.map((item) => personalIds(item, n));
	if (seed === null || typeof seed !== 'object') return seed;
	return Object.fromEntries(Object.entries(seed).map(([key, value]) => [key, (key === 'id' || key === 'orderId') && typeof value === 'string' ? `${value}-${n}` : personalIds(value, n)]));
}

const genericCases = mutatedJson(GENERIC_SEEDS, personalIds);

const genericSource: FuzzSource<CaseOf<typeof genericCases>> = {
	name: 'generic',
	cases: genericCases,
	deliver(credentials, fuzzCase) {
		const { context, response } = webhookContext({
			description,
			parameters: { source: 'generic' },
			credentials: { ...credentials, loyaltyGenericWebhookApi: { secret: SECRET } },
			body: fuzzCase.body,
			headers: { 'content-type': 'application/json', 'x-loyalty-signature': `sha256=${createHmac('sha256', SECRET).update(fuzzCase.body).digest('hex')}` },
			webhookUrl: URL,
			mode: 'webhook',
		});
		return { context, response, vendorFailedRetryably: () => false };
	},
};

// ---------- CartFlows: a form, the secret as ?token= ----------

const sessionToken = (sessionId: string) => encodeURIComponent(Buffer.from(`wcf_session_id=${sessionId}`).toString('base64'));
const CARTFLOWS_SEEDS: Array<Record<string, string>> = [
	{
		first_name: 'Ana',
		last_name: 'Silva',
		phone_number: '',
		email: 'ana@example.com',
		checkout_url: `https://shop.example.com/checkout/?wcf_ac_token=${sessionToken('sess-1')}`,
		product_names: 'Sencha 100 g & Tea Bowl',
		coupon_code: '',
		order_status: 'abandoned',
		cart_total: '1,059.50',
		product_table: '<table></table>',
	},
	{ first_name: 'Ben', email: 'ben@example.com', phone_number: '+14155550123', checkout_url: `https://shop.example.com/checkout/?wcf_ac_token=${sessionToken('sess-2')}`, product_names: 'Kettle', order_status: 'completed', cart_total: '89.00' },
];

const cartFlowsCases = fc
	.tuple(
		mutatedForm(CARTFLOWS_SEEDS, (seed, n) => ({ ...seed, checkout_url: seed.checkout_url.replace(/wcf_ac_token=.*$/, `wcf_ac_token=${sessionToken(`sess-fz-${n}`)}`) })),
		fc.constantFrom('EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', ''),
	)
	.map(([mutated, defaultCurrency]) => ({ ...mutated, defaultCurrency }));

const cartFlowsSource: FuzzSource<CaseOf<typeof cartFlowsCases>> = {
	name: 'cartflows',
	cases: cartFlowsCases,
	deliver(credentials, fuzzCase) {
		const { context, response } = webhookContext({
			description,
			parameters: { source: 'cartflows', defaultCurrency: fuzzCase.defaultCurrency },
			credentials: { ...credentials, loyaltyGenericWebhookApi: { secret: SECRET } },
			body: fuzzCase.body,
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			webhookUrl: URL,
			requestUrl: `/webhook/hook-id/webhook?token=${SECRET}`,
			mode: 'webhook',
		});
		const withQuery = { ...(context as unknown as Record<string, unknown>), getQueryData: () => ({ token: SECRET }) } as unknown as IWebhookFunctions;
		return { context: withQuery, response, vendorFailedRetryably: () => false };
	},
};

// ---------- Klaviyo: Started Checkout and the offer flow's open/click reports, secret in a header ----------

const KLAVIYO_DECISION = 'kl-fz-1';
const KLAVIYO_EMAIL = 'kl-fuzz@example.com';
const KLAVIYO_SEEDS: Json[] = [
	{
		event_id: 'evt-1',
		cart_id: 'rebuild-1',
		email: 'dora@example.com',
		phone: '',
		first_name: 'Dora',
		last_name: '',
		value: '84.50',
		currency: '',
		checkout_url: 'https://shop.example.com/cart?wck_rebuild_cart=rebuild-1',
		item_names: 'Cold Brew Kit',
	},
	{ event_id: 'evt-2', cart_id: '', email: 'eve@example.com', phone: '+14155550123', value: 19.99, currency: 'EUR', checkout_url: 'https://shop.example.com/checkout', item_names: 'Beans, Filter papers' },
	{ engagement: 'clicked', decision_id: KLAVIYO_DECISION, event_id: 'evt-3', email: KLAVIYO_EMAIL },
	{ engagement: 'opened', decision_id: '', event_id: 'evt-4', email: KLAVIYO_EMAIL.toUpperCase() },
];

const klaviyoCases = mutatedJson(KLAVIYO_SEEDS, (seed, n) => ({ ...(seed as IDataObject), event_id: `evt-fz-${n}` }) as Json);

const klaviyoSource: FuzzSource<CaseOf<typeof klaviyoCases>> = {
	name: 'klaviyo',
	cases: klaviyoCases,
	async prepare(store) {
		const granted = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' };
		const owner = await store.upsertCustomer({ identities: { email: KLAVIYO_EMAIL }, consent: { email_marketing: granted } });
		const log = new DeliveryLog(store);
		const at = new Date(Date.now() - 2 * 86_400_000);
		await log.claim({ decisionId: KLAVIYO_DECISION, channel: 'email', customerId: owner.id, ruleId: 'r1', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: false, idempotencyKey: `${KLAVIYO_DECISION}:email`, sendAt: at.toISOString() }, at);
		await log.finish(KLAVIYO_DECISION, 'email', { status: 'sent', at: at.toISOString() });
	},
	deliver(credentials, fuzzCase) {
		const { context, response } = webhookContext({
			description,
			parameters: { source: 'klaviyo', defaultCurrency: 'USD' },
			credentials: { ...credentials, loyaltyGenericWebhookApi: { secret: SECRET } },
			body: fuzzCase.body,
			headers: { 'content-type': 'application/json', 'x-loyalty-token': SECRET },
			webhookUrl: URL,
			mode: 'webhook',
		});
		return { context, response, vendorFailedRetryably: () => false };
	},
};

// ---------- Twilio: inbound SMS and status callbacks, X-Twilio-Signature over URL + sorted form ----------

const TWILIO_STATUS_QUERY = '?decision=dec-fz-1&channel=sms';
const inbound = (body: string) => ({ ToCountry: 'US', SmsMessageSid: 'SM1', NumMedia: '0', MessageSid: 'SM1', AccountSid: 'AC1', From: '+14155550123', To: '+15005550006', Body: body, SmsStatus: 'received', ApiVersion: '2010-04-01' });
const status = (messageStatus: string, errorCode?: string) => ({ MessageSid: 'SM1', MessageStatus: messageStatus, SmsStatus: messageStatus, AccountSid: 'AC1', From: '+15005550006', To: '+14155550123', ApiVersion: '2010-04-01', ...(errorCode ? { ErrorCode: errorCode } : {}) });
const TWILIO_SEEDS: Array<Record<string, string>> = [inbound('STOP'), inbound('start'), inbound('Do you open on Sunday?'), status('delivered'), status('undelivered', '30003'), status('failed', '21610')];
const TWILIO_STATUS_SEEDS = new Set([3, 4, 5]);

const twilioCases = mutatedForm(TWILIO_SEEDS, (seed, n) => ({ ...seed, MessageSid: `SMfz${n}`, ...(seed.SmsMessageSid ? { SmsMessageSid: `SMfz${n}` } : {}) }));

/** Twilio's own scheme, written out here rather than borrowed from the connector under test. */
function twilioSigned(body: Buffer, query: string): { signature: string; query: string } {
	if (['{', '['].includes(body.toString('utf8').trimStart()[0])) {
		// A JSON body (a link click callback): the URL carries the body's SHA-256 and only the URL is signed.
		const withHash = `${query ? `${query}&` : '?'}bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
		return { signature: hmacBase64('sha1', TWILIO_TOKEN, URL + withHash), query: withHash };
	}
	const params = new URLSearchParams(body.toString('utf8'));
	const hmac = createHmac('sha1', TWILIO_TOKEN).update(URL + query, 'utf8');
	for (const name of [...new Set(params.keys())].sort()) for (const value of params.getAll(name)) hmac.update(name + value, 'utf8');
	return { signature: hmac.digest('base64'), query };
}

const twilioSource: FuzzSource<CaseOf<typeof twilioCases>> = {
	name: 'twilio',
	cases: twilioCases,
	deliver(credentials, fuzzCase) {
		const signed = twilioSigned(fuzzCase.body, TWILIO_STATUS_SEEDS.has(fuzzCase.seedIndex) ? TWILIO_STATUS_QUERY : '');
		const { context, response } = webhookContext({
			description,
			parameters: { source: 'twilio' },
			credentials: { ...credentials, loyaltyTwilioApi: { accountSid: 'AC1', authType: 'authToken', authToken: TWILIO_TOKEN, from: '+15005550006' } },
			body: fuzzCase.body,
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signed.signature, 'i-twilio-idempotency-token': `idem-${fuzzCase.seedIndex}` },
			webhookUrl: URL,
			requestUrl: `/webhook/hook-id/webhook${signed.query}`,
			mode: 'webhook',
		});
		return { context, response, vendorFailedRetryably: () => false };
	},
};

// ---------- The properties, per delivery ----------

interface Tally {
	recorded: number;
	ignored: number;
	quarantined: number;
	retryable: number;
	failures: string[];
}

/** What the node answered: its own JSON (200) or the status and body it wrote itself. */
function answerOf(result: IWebhookResponseData, response: Response): { status: number; body: IDataObject } {
	if (result.noWebhookResponse) return { status: response.status ?? 0, body: (response.body ?? {}) as IDataObject };
	return { status: 200, body: (result.webhookResponse ?? {}) as IDataObject };
}

async function checkOne(store: Store, prepared: Prepared): Promise<Outcome> {
	const [{ last }] = await store.db.query<{ last: number | null }>('SELECT MAX(rowid) AS last FROM events');
	const before = Number(last ?? 0);
	let result: IWebhookResponseData;
	try {
		result = await trigger.webhook.call(prepared.context);
	} catch (error) {
		throw new Error(`webhook() threw: ${error instanceof Error ? `${error.message} ${(error as { description?: string }).description ?? ''}\n${error.stack}` : String(error)}`);
	}
	assert.equal(result.workflowData, undefined, 'a published trigger starts no run itself');
	const { status, body } = answerOf(result, prepared.response);
	const written = await store.db.query<{ id: string; payload: string }>('SELECT id, payload FROM events WHERE rowid > $1', [before]);
	if (status === 503) {
		assert.ok(prepared.vendorFailedRetryably(), `503 without a retryable vendor error: ${JSON.stringify(body)}`);
		assert.equal(written.length, 0, 'a delivery answered 503 wrote events');
		return 'retryable';
	}
	assert.equal(status, 200, `answered ${status}: ${JSON.stringify(body)}`);
	assert.equal(body.received, true, `answer without received: ${JSON.stringify(body)}`);
	if (body.quarantined === true) {
		assert.ok(typeof body.reason === 'string' && body.reason.trim() !== '', `quarantined without a reason: ${JSON.stringify(body)}`);
		assert.equal(written.length, 0, `quarantined, yet ${written.length} event(s) written: ${written.map((w) => w.id).join(', ')}`);
		const kept = await store.db.query<{ status: string }>('SELECT status FROM intake_quarantine WHERE id = $1', [String(body.id)]);
		assert.deepEqual(kept.map((k) => k.status), ['quarantined'], `no quarantine row for ${String(body.id)}`);
		return 'quarantined';
	}
	if (typeof body.ignored === 'string') {
		assert.equal(written.length, 0, `ignored (${body.ignored}), yet events were written`);
		return 'ignored';
	}
	assert.ok(typeof body.events === 'number' && body.events > 0, `neither events, ignored nor quarantined: ${JSON.stringify(body)}`);
	assert.equal(written.length, body.new, `answered ${String(body.new)} new event(s), wrote ${written.length}`);
	if (body.new === 0) assert.equal(body.duplicate, true, 'no new event but not called a duplicate');
	for (const row of written) assert.equal(typeof (JSON.parse(row.payload) as { type?: unknown }).type, 'string', `event ${row.id} cannot be read back`);
	if (body.duplicate === true) {
		const [{ n }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events');
		assert.ok(Number(n) >= Number(body.events), 'a duplicate of events the store does not have');
	}
	return 'recorded';
}

async function fuzz<C extends MutatedBody>(source: FuzzSource<C>): Promise<Tally> {
	const path = join(dir, `${source.name}.sqlite`);
	const credentials: Credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: path } };
	const store = await openSharedStore({ kind: 'sqlite', path });
	await source.prepare?.(store);
	const tally: Tally = { recorded: 0, ignored: 0, quarantined: 0, retryable: 0, failures: [] };
	const cases = fc.sample(source.cases, { seed: SEED, numRuns: RUNS });
	const started = performance.now();
	for (const [index, fuzzCase] of cases.entries()) {
		try {
			tally[await checkOne(store, source.deliver(credentials, fuzzCase, index))] += 1;
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			tally.failures.push(`#${index} (${fuzzCase.how}) body ${JSON.stringify(fuzzCase.body.toString('utf8').slice(0, 300))}: ${message}`);
		}
	}
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	console.log(`# fuzz ${source.name}: ${RUNS} deliveries: ${tally.recorded} recorded, ${tally.ignored} ignored, ${tally.quarantined} quarantined, ${tally.retryable} retryable (${seconds} s, seed ${SEED})`);
	return tally;
}

const SOURCES = [wooSource, squareSource, genericSource, cartFlowsSource, klaviyoSource, twilioSource] as Array<FuzzSource<MutatedBody & { seedIndex: number }>>;

describe('Loyalty Trigger intake fuzz: signed, mutated deliveries are answered and kept, never lost', () => {
	for (const source of SOURCES) {
		test(`${source.name}: ${RUNS} signed mutated deliveries`, async () => {
			const tally = await fuzz(source);
			assert.deepEqual(tally.failures.slice(0, 5), [], `${tally.failures.length} of ${RUNS} deliveries broke a property (FUZZ_SEED=${SEED})`);
			assert.equal(tally.recorded + tally.ignored + tally.quarantined + tally.retryable, RUNS);
		});
	}
});

describe('Loyalty Trigger intake: what the fuzzer found', () => {
	const quarantinedReply = async (prepared: Prepared) => {
		const result = await trigger.webhook.call(prepared.context);
		assert.equal(prepared.response.status, undefined, JSON.stringify(prepared.response.body));
		return result.webhookResponse as IDataObject;
	};
	const credentials = (): Credentials => ({ loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'found.sqlite') } });
	const asCase = (body: Json, seedIndex: number) => ({ body: Buffer.from(JSON.stringify(body)), how: 'regression', seedIndex });

	test('a WooCommerce customer whose date has an impossible offset (+99:00) is quarantined naming it, not a 500', async () => {
		const payload = { ...(WOO_SEEDS[4].payload as IDataObject), date_modified_gmt: '2026-03-02T14:05:11.412+99:00' } as Json;
		const reply = await quarantinedReply(wooSource.deliver(credentials(), { ...asCase(payload, 4), topic: 'customer.updated', deliveryId: 'fresh' }, 1));
		assert.equal(reply.quarantined, true);
		assert.match(String(reply.field), /occurredAt|date_modified/);
	});

	test('a Square payment naming an order id with a lone surrogate is quarantined, not a 500', async () => {
		const payload = structuredClone(SQUARE_SEEDS[0]) as { data: { object: { payment: { order_id: string } } } };
		payload.data.object.payment.order_id = 'CAISEM\ud800';
		const reply = await quarantinedReply(squareSource.deliver(credentials(), { ...asCase(payload as unknown as Json, 0), fault: 'none' }, 1));
		assert.equal(reply.quarantined, true);
		assert.match(String(reply.reason), /not a valid Square id/);
	});
});
