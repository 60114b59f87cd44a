import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deliver, IN_FLIGHT_MS, openStore, type ClaimInput, type DeliverySteps, type Store } from '../../../engine';
import { DeliveryLog } from '../../../engine/delivery/deliveryLog';
import { eventually } from '../../support/eventually';

/*
 * The same decision run twice at once (found by the real-n8n suite): the second run must not
 * call the vendor while the first is still waiting for it, yet a claim left by a crashed run is
 * still resumed once it is old enough.
 */
describe('deliver: a claim still in flight in another run', () => {
	let dir: string;
	let store: Store;
	let log: DeliveryLog;
	let customerId: string;
	const NOW = new Date('2026-06-10T18:00:00Z');

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'loyalty-inflight-'));
		store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
		customerId = (await store.upsertCustomer({ identities: { phone: '+14155550123' } })).id;
		log = new DeliveryLog(store);
	});
	after(async () => {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	const claimOf = (decisionId: string, channel: 'sms' | 'email'): ClaimInput => ({ decisionId, channel, customerId, ruleId: 'r', offerTemplateId: 't', purpose: 'marketing', isReward: false, idempotencyKey: `${decisionId}:${channel}`, sendAt: NOW.toISOString() });
	const steps = (vendorDeduplicates: boolean, calls: string[]): DeliverySteps => ({
		vendorDeduplicates,
		classify: (e) => ({ retryable: false, ambiguous: false, optedOut: false, message: String(e) }),
		createCoupon: async () => void calls.push('coupon'),
		send: async (key) => {
			calls.push(key);
			return { vendorMessageId: `SM-${key}` };
		},
	});

	for (const [channel, dedupes] of [['sms', false], ['email', true]] as const) {
		test(`${channel}: a second run while the first waits on the vendor sends nothing and leaves the first run's outcome intact`, async () => {
			const calls: string[] = [];
			let release!: () => void;
			const slow: DeliverySteps = {
				...steps(dedupes, calls),
				send: async (key) => {
					calls.push(key);
					await new Promise<void>((r) => (release = r));
					return { vendorMessageId: 'SM-first' };
				},
			};
			const first = deliver(log, claimOf(`race-${channel}`, channel), slow, NOW);
			await eventually('the first send to reach the vendor', () => typeof release === 'function', { intervalMs: 5 });
			const second = await deliver(log, claimOf(`race-${channel}`, channel), steps(dedupes, calls), new Date(NOW.getTime() + 1_000));
			assert.equal(second.status, 'replay');
			release();
			assert.equal((await first).status, 'sent');
			assert.deepEqual(calls, ['coupon', `race-${channel}:${channel}`]);
			const [row] = await log.sends(`race-${channel}`);
			assert.deepEqual([row.status, row.vendorMessageId], ['sent', 'SM-first']);
		});
	}

	test('a claim older than the in-flight window is a crashed run: email resumes with the same key, SMS is left unknown', async () => {
		for (const channel of ['email', 'sms'] as const) await log.claim(claimOf(`crash-${channel}`, channel), NOW);
		const later = new Date(NOW.getTime() + IN_FLIGHT_MS + 1);
		const calls: string[] = [];
		assert.equal((await deliver(log, claimOf('crash-email', 'email'), steps(true, calls), later)).status, 'sent');
		assert.equal((await deliver(log, claimOf('crash-sms', 'sms'), steps(false, calls), later)).status, 'unknown');
		assert.deepEqual(calls, ['coupon', 'crash-email:email']);
	});
});
