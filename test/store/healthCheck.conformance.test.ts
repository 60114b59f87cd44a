import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertKind, acceptEvents, claimHealthAlerts, currentHealthAlerts, quarantineDelivery, type LoyaltyEvent, type Store } from '../../engine';
import { LoyaltyError } from '../../engine/model/errors';
import { paidOrder } from '../support/fixtures';
import { backends } from '../support/stores';

const HOUR_MS = 3_600_000;
const T0 = new Date('2026-06-03T08:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR_MS);

function purchase(id: number, when: Date): LoyaltyEvent {
	const order = paidOrder(`guest${id}@example.com`, 1250, { placedAt: when.toISOString() });
	return {
		id: `delivery-${id}`,
		type: 'purchase',
		source: 'woocommerce',
		occurredAt: when.toISOString(),
		idempotencyKey: `${order.source}:order:${order.id}:${order.status}`,
		customer: order.customer,
		order: { ...order, lines: order.lines ?? [] } as LoyaltyEvent['order'],
	};
}

describe('health check: each problem told once', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			const settings = { programId: 'default', minQuietHours: 24 };

			before(async () => {
				({ store, cleanup } = await backend.open());
				// WooCommerce sends an order every hour for four hours.
				for (let i = 0; i < 4; i++) await acceptEvents(store, [purchase(9001 + i, at(i))], at(i));
			});
			after(async () => cleanup?.());

			test('while the source sends as usual, nothing is told', async () => {
				assert.deepEqual(await claimHealthAlerts(store, settings, at(5)), []);
			});

			test('a source quiet for longer than its usual gap (and the floor) is told once, naming it', async () => {
				const [alert, ...rest] = await claimHealthAlerts(store, settings, at(40));
				assert.deepEqual(rest, []);
				assert.equal(alert.kind, AlertKind.QuietSource);
				assert.equal(alert.subject, 'woocommerce');
				assert.match(alert.message, /^No event from woocommerce for 37 hours; it usually sends one every 1 hour\./);
				assert.equal(alert.idempotencyKey, `health:default:quiet_source:woocommerce:${at(40).toISOString()}`);
				assert.deepEqual(await claimHealthAlerts(store, settings, at(41)), [], 'the next look: the same problem, not told again');
				assert.equal((await currentHealthAlerts(store, settings, at(41))).length, 1, 'a look-only check still shows it');
			});

			test('a quarantined delivery is a problem of its own; the quiet source stays told', async () => {
				await quarantineDelivery(store, { source: 'woocommerce', headers: {}, body: Buffer.from('{}'), error: { code: 'invalid_input', message: 'order.total is missing' } }, at(42));
				const told = await claimHealthAlerts(store, settings, at(42));
				assert.deepEqual(told.map((a) => a.kind), [AlertKind.Quarantine]);
				assert.match(told[0].message, /^1 delivery is in quarantine \(1 invalid_input\)/);
			});

			test('a threshold leaves smaller problems alone, and a fixed problem that comes back is told again', async () => {
				// Quarantine above 1: the one delivery is no longer a problem, so its occurrence closes.
				assert.deepEqual(await claimHealthAlerts(store, { ...settings, quarantineAbove: 1 }, at(43)), []);
				// The source speaks again: the quiet problem closes.
				await acceptEvents(store, [purchase(9100, at(44))], at(44));
				assert.deepEqual(await claimHealthAlerts(store, { ...settings, quarantineAbove: 1 }, at(44)), []);
				// Quiet again for long enough: a new occurrence, told again.
				const again = await claimHealthAlerts(store, { ...settings, quarantineAbove: 1 }, at(100));
				assert.deepEqual(again.map((a) => [a.kind, a.subject]), [[AlertKind.QuietSource, 'woocommerce']]);
			});

			test('bad settings name their field', async () => {
				await assert.rejects(claimHealthAlerts(store, { ...settings, quietFactor: 1 }, at(100)), (error: unknown) => error instanceof LoyaltyError && /healthCheck\.quietFactor/.test(error.field ?? ''));
			});
		});
	}
});
