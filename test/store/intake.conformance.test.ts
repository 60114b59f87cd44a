import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
	DeliveryStatus,
	MAX_ATTEMPTS,
	acceptEvents,
	claimOwedEvents,
	countQuarantined,
	deliveryCounts,
	discardQuarantined,
	extendLeases,
	getQuarantined,
	latestEvents,
	listParkedDeliveries,
	listQuarantine,
	markEventsDone,
	markEventsFailed,
	onRecordedEvents,
	quarantineDelivery,
	registerConsumer,
	releaseFromQuarantine,
	retryDelayMs,
	retryParkedDeliveries,
	type LoyaltyEvent,
	type Store,
} from '../../engine';
import { paidOrder } from '../support/fixtures';
import { backends } from '../support/stores';

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;

function purchase(email = `${unique('buyer')}@example.com`, totalMinor = 2500, orderId = unique('order')): LoyaltyEvent {
	const order = { ...paidOrder(email, totalMinor, { placedAt: '2026-03-10T10:00:00Z' }), id: orderId };
	return { id: unique('delivery'), type: 'purchase', source: 'woocommerce', occurredAt: order.placedAt, idempotencyKey: `woocommerce:order:${orderId}:paid`, customer: order.customer, order: { ...order, lines: order.lines ?? [] } as LoyaltyEvent['order'] };
}

function customerUpdate(email: string): LoyaltyEvent {
	return { id: unique('delivery'), type: 'customer_updated', source: 'woocommerce', occurredAt: '2026-03-10T10:00:00Z', idempotencyKey: unique('customer'), customer: { identities: { email } } };
}

const at = (iso: string) => new Date(iso);

describe('intake', async () => {
for (const backend of await backends()) {
	describe(`intake on ${backend.name}`, { skip: backend.unavailable }, () => {
		let store: Store;
		let cleanup: () => Promise<void>;
		before(async () => ({ store, cleanup } = await backend.open()));
		after(async () => cleanup?.());

		const consumer = async (eventTypes: string[] = ['purchase'], now = at('2026-03-10T09:00:00Z')) => {
			const id = unique('wf:node');
			await registerConsumer(store, { consumer: id, workflowId: 'wf', nodeName: 'On purchase', eventTypes }, now);
			return id;
		};

		test('a recorded event is owed to each consumer of its type, once, and a duplicate delivery owes nothing new', async () => {
			const buyers = await consumer(['purchase']);
			const everything = await consumer([]);
			const carts = await consumer(['cart_updated']);
			const event = purchase();
			const [first] = await acceptEvents(store, [event], at('2026-03-10T10:00:00Z'));
			assert.equal(first!.inserted, true);
			const owing = async () => (await store.db.query<{ consumer: string }>('SELECT consumer FROM event_deliveries WHERE event_id = $1 ORDER BY consumer', [event.id])).map((r) => r.consumer);
			assert.deepEqual(await owing(), [buyers, everything].sort());
			const [again] = await acceptEvents(store, [{ ...event, id: unique('redelivery') }], at('2026-03-10T10:00:01Z'));
			assert.equal(again!.inserted, false);
			assert.ok(again!.owed >= 2, 'both consumers still owe it');
			assert.deepEqual(await owing(), [buyers, everything].sort(), 'a duplicate owes nothing new');
			for (const who of [buyers, everything]) {
				const claimed = await claimOwedEvents(store, who, { instance: 'a', limit: 10, now: at('2026-03-10T10:00:02Z') });
				assert.deepEqual(claimed.map((c) => [c.event.id, c.attempt]), [[event.id, 1]]);
			}
			assert.deepEqual(await claimOwedEvents(store, carts, { instance: 'a', limit: 10, now: at('2026-03-10T10:00:02Z') }), []);
		});

		test('a consumer hears only what was recorded after it subscribed', async () => {
			const before = purchase();
			await acceptEvents(store, [before], at('2026-03-10T10:00:00Z'));
			const late = await consumer(['purchase'], at('2026-03-10T10:01:00Z'));
			const after = purchase();
			await acceptEvents(store, [after], at('2026-03-10T10:02:00Z'));
			const claimed = await claimOwedEvents(store, late, { instance: 'a', limit: 10, now: at('2026-03-10T10:02:01Z') });
			assert.deepEqual(claimed.map((c) => c.event.id), [after.id]);
		});

		test('a claim is held while its lease runs; a lapsed lease (the process died) gives the event again; done is final', async () => {
			const who = await consumer();
			const event = purchase();
			await acceptEvents(store, [event], at('2026-03-10T11:00:00Z'));
			const first = await claimOwedEvents(store, who, { instance: 'dies', limit: 10, now: at('2026-03-10T11:00:01Z'), leaseMs: 30_000 });
			assert.equal(first.length, 1);
			assert.deepEqual(await claimOwedEvents(store, who, { instance: 'other', limit: 10, now: at('2026-03-10T11:00:20Z') }), [], 'still leased');
			const recovered = await claimOwedEvents(store, who, { instance: 'other', limit: 10, now: at('2026-03-10T11:00:32Z') });
			assert.deepEqual(recovered.map((c) => [c.event.id, c.attempt]), [[event.id, 2]]);
			await markEventsDone(store, who, [event.id], at('2026-03-10T11:00:40Z'));
			assert.deepEqual(await claimOwedEvents(store, who, { instance: 'other', limit: 10, now: at('2026-03-11T11:00:00Z') }), []);
			const counts = await deliveryCounts(store, who);
			assert.deepEqual({ done: counts.done, recovered: counts.recovered, owed: counts.owed }, { done: 1, recovered: 1, owed: 0 });
		});

		test('an extended lease keeps a long run its events', async () => {
			const who = await consumer();
			const event = purchase();
			await acceptEvents(store, [event], at('2026-03-10T12:00:00Z'));
			await claimOwedEvents(store, who, { instance: 'alive', limit: 10, now: at('2026-03-10T12:00:01Z'), leaseMs: 30_000 });
			await extendLeases(store, who, [event.id], 'alive', at('2026-03-10T12:00:25Z'), 30_000);
			assert.deepEqual(await claimOwedEvents(store, who, { instance: 'other', limit: 10, now: at('2026-03-10T12:00:40Z') }), []);
			assert.equal((await claimOwedEvents(store, who, { instance: 'other', limit: 10, now: at('2026-03-10T12:00:56Z') })).length, 1);
		});

		test('a failed run is tried again after a growing pause, then parked for the owner, and can be retried by hand', async () => {
			const who = await consumer();
			const event = purchase();
			let now = at('2026-03-10T13:00:00Z');
			await acceptEvents(store, [event], now);
			for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
				const claimed = await claimOwedEvents(store, who, { instance: 'a', limit: 10, now });
				assert.deepEqual(claimed.map((c) => c.attempt), [attempt], `attempt ${attempt}`);
				await markEventsFailed(store, who, [event.id], `Award Points failed (${attempt})`, now);
				if (attempt < MAX_ATTEMPTS) {
					assert.deepEqual(await claimOwedEvents(store, who, { instance: 'a', limit: 10, now: new Date(now.getTime() + retryDelayMs(attempt) - 1000) }), [], 'waits its pause');
					now = new Date(now.getTime() + retryDelayMs(attempt));
				}
			}
			assert.deepEqual(await claimOwedEvents(store, who, { instance: 'a', limit: 10, now: new Date(now.getTime() + 30 * 86_400_000) }), [], 'parked');
			const parked = (await listParkedDeliveries(store)).filter((p) => p.consumer === who);
			assert.deepEqual(parked.map((p) => [p.eventId, p.attempts, p.lastError]), [[event.id, MAX_ATTEMPTS, `Award Points failed (${MAX_ATTEMPTS})`]]);
			assert.equal(await retryParkedDeliveries(store, event.id, now), 1);
			assert.equal((await claimOwedEvents(store, who, { instance: 'a', limit: 10, now })).length, 1);
		});

		test("the shop's retry of an event still owed makes a waiting retry due at once", async () => {
			const who = await consumer();
			const event = purchase();
			const t0 = at('2026-03-10T14:00:00Z');
			await acceptEvents(store, [event], t0);
			await claimOwedEvents(store, who, { instance: 'a', limit: 10, now: t0 });
			await markEventsFailed(store, who, [event.id], 'vendor down', t0);
			assert.deepEqual(await claimOwedEvents(store, who, { instance: 'a', limit: 10, now: new Date(t0.getTime() + 1000) }), []);
			const [retried] = await acceptEvents(store, [{ ...event, id: unique('shop-retry') }], new Date(t0.getTime() + 2000));
			assert.equal(retried!.inserted, false);
			assert.ok(retried!.owed >= 1);
			assert.equal((await claimOwedEvents(store, who, { instance: 'a', limit: 10, now: new Date(t0.getTime() + 2000) })).length, 1);
		});

		test('a delivery with several events is recorded whole or not at all', async () => {
			const good = purchase();
			const bad = { ...purchase(), type: 'nonsense' } as unknown as LoyaltyEvent;
			await assert.rejects(acceptEvents(store, [good, bad]), (error: Error & { field?: string }) => error.field === 'event.type');
			const [{ n }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE id = $1', [good.id]);
			assert.equal(Number(n), 0);
		});

		test('intake announces new events to triggers in the same process', async () => {
			let heard = 0;
			const stop = onRecordedEvents(() => heard++);
			try {
				await acceptEvents(store, [purchase()]);
				assert.equal(heard, 1);
			} finally {
				stop();
			}
		});

		test('claims are oldest first and bounded by the limit; "Test step" sees the newest without claiming', async () => {
			const who = await consumer(['customer_updated']);
			const emails = [unique('a'), unique('b'), unique('c')].map((n) => `${n}@example.com`);
			for (const [i, email] of emails.entries()) await acceptEvents(store, [customerUpdate(email)], at(`2026-03-10T15:00:0${i}Z`));
			const newest = await latestEvents(store, ['customer_updated'], 1);
			assert.equal(newest[0]!.customer.identities.email, emails[2]);
			const claimed = await claimOwedEvents(store, who, { instance: 'a', limit: 2, now: at('2026-03-10T15:01:00Z') });
			assert.deepEqual(claimed.map((c) => c.event.customer.identities.email), emails.slice(0, 2));
		});

		test('property: any interleaving of claims, crashes, failures and completions ends with every event done exactly when a run finished it', async () => {
			await fc.assert(
				fc.asyncProperty(fc.array(fc.constantFrom('claim', 'finish', 'fail', 'crash', 'wait'), { minLength: 5, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (steps, eventCount) => {
					let clock = Date.parse('2026-04-01T00:00:00Z');
					const who = await consumer(['purchase'], new Date(clock));
					const events = Array.from({ length: eventCount }, () => purchase());
					await acceptEvents(store, events, new Date(clock));
					const finished = new Set<string>();
					let held: string[] = [];
					let instance = unique('instance');
					for (const step of steps) {
						clock += 1000;
						if (step === 'claim') held = held.concat((await claimOwedEvents(store, who, { instance, limit: 2, now: new Date(clock) })).map((c) => c.event.id));
						if (step === 'finish' && held.length) {
							await markEventsDone(store, who, held, new Date(clock));
							held.forEach((id) => finished.add(id));
							held = [];
						}
						if (step === 'fail' && held.length) {
							await markEventsFailed(store, who, held, 'failed', new Date(clock));
							held = [];
						}
						if (step === 'crash') {
							held = [];
							instance = unique('instance');
						}
						if (step === 'wait') clock += 7 * 3_600_000;
					}
					// Drain: a healthy process keeps claiming and finishing until nothing is owed.
					for (let round = 0; round < 40; round++) {
						clock += 7 * 3_600_000;
						await retryParkedDeliveries(store, undefined, new Date(clock));
						const claimed = await claimOwedEvents(store, who, { instance, limit: 10, now: new Date(clock) });
						await markEventsDone(store, who, claimed.map((c) => c.event.id), new Date(clock));
						claimed.forEach((c) => finished.add(c.event.id));
					}
					assert.deepEqual([...finished].sort(), events.map((e) => e.id).sort(), 'every event finished');
					const rows = await store.db.query<{ status: string }>('SELECT status FROM event_deliveries WHERE consumer = $1', [who]);
					assert.ok(rows.every((r) => r.status === DeliveryStatus.Done));
				}),
				{ numRuns: 25 },
			);
		});

		test('quarantine keeps a signed delivery with its reason; a repeat counts up; release and discard resolve it', async () => {
			const body = Buffer.from(JSON.stringify({ id: 1, billing: { email: 'not-an-email' } }));
			const input = { source: 'woocommerce', workflowId: 'wf1', nodeName: 'WooCommerce orders', deliveryId: 'd-1', url: 'http://n8n/webhook/x/webhook', headers: { 'x-wc-webhook-signature': 'sig' }, body, error: { code: 'invalid_input', field: 'billing.email', message: 'billing.email: is not an email address' } };
			const before = await countQuarantined(store);
			const first = await quarantineDelivery(store, input, at('2026-03-10T16:00:00Z'));
			const again = await quarantineDelivery(store, { ...input, deliveryId: 'd-2' }, at('2026-03-10T16:05:00Z'));
			assert.equal(first.id, again.id);
			assert.equal(again.timesSeen, 2);
			const kept = await getQuarantined(store, first.id);
			assert.deepEqual([kept.body.equals(body), kept.errorField, kept.firstSeenAt, kept.lastSeenAt, kept.headers['x-wc-webhook-signature']], [true, 'billing.email', '2026-03-10T16:00:00.000Z', '2026-03-10T16:05:00.000Z', 'sig']);
			assert.equal(await countQuarantined(store), before + 1);
			assert.ok((await listQuarantine(store)).some((q) => q.id === first.id));
			assert.equal(await releaseFromQuarantine(store, 'woocommerce', body, 'replayed: 1 event(s), 1 new'), true);
			assert.equal(await releaseFromQuarantine(store, 'woocommerce', body, 'again'), false, 'released once');
			assert.equal((await getQuarantined(store, first.id)).status, 'replayed');
			const other = await quarantineDelivery(store, { ...input, body: Buffer.from('{"other":true}') });
			assert.equal((await discardQuarantined(store, other.id, 'test order')).status, 'discarded');
			await assert.rejects(getQuarantined(store, 'nope'), (error: Error & { code?: string }) => error.code === 'not_found');
		});
	});
}
});
