import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { claimDueEventsFrom, Ledger, observedBirthday, isoDate, openStore, type CustomerInput, type DueEvent, type LoyaltyEvent, type ScheduleSettings, type Store, type StoreConfig } from '../../engine';
import { backends } from '../support/stores';
import { paidOrder } from '../support/fixtures';

const run = promisify(execFile);
let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;
const emailOf = (name: string) => `${unique(name)}@example.com`;
const at = (iso: string) => new Date(iso);

function settings(kinds: ScheduleSettings['kinds'], overrides: Partial<ScheduleSettings> = {}): ScheduleSettings {
	return { programId: unique('program'), programTimeZone: 'UTC', currency: 'USD', kinds, ...overrides };
}

function cartEvent(email: string, cart: { id: string; totalMinor: number; updatedAt: string; status?: 'open' | 'recovered' }): LoyaltyEvent {
	return {
		id: unique('delivery'),
		type: 'cart_updated',
		source: 'klaviyo',
		occurredAt: cart.updatedAt,
		idempotencyKey: `klaviyo:cart:${cart.id}:${cart.updatedAt}:${cart.status ?? 'open'}`,
		customer: { identities: { email } },
		cart: { status: 'open', currency: 'USD', lines: [{ sku: 'BEANS-1', quantity: 1 }], checkoutUrl: 'https://shop.example.com/cart/recover', ...cart },
	};
}

function purchaseEvent(email: string, placedAt: string): LoyaltyEvent {
	const order = paidOrder(email, 2500, { placedAt });
	return { id: unique('delivery'), type: 'purchase', source: 'woocommerce', occurredAt: placedAt, idempotencyKey: `woocommerce:order:${order.id}:paid`, customer: order.customer, order: { ...order, lines: order.lines ?? [] } as LoyaltyEvent['order'] };
}

const keys = (events: DueEvent[]) => events.map((e) => e.idempotencyKey);
const mine = (events: DueEvent[], ...customerIds: string[]) => events.filter((e) => customerIds.includes(e.data.customerId));

describe('schedule mode: due events from the store', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let config: StoreConfig;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, config, cleanup } = await backend.open());
			});
			after(async () => cleanup());

			async function customer(input: Omit<CustomerInput, 'identities'> = {}): Promise<{ id: string; email: string }> {
				const email = emailOf('shopper');
				const saved = await store.upsertCustomer({ identities: { email }, ...input });
				return { id: saved.id, email };
			}

			describe('birthdays', () => {
				test('Nov 25 in Tokyo is due at 02:00Z (11:00 there); in Los Angeles only from 09:00 local, 17:00Z', async () => {
					const tokyo = await customer({ timeZone: 'Asia/Tokyo', birthday: { month: 11, day: 25 }, firstName: 'Aiko' });
					const la = await customer({ timeZone: 'America/Los_Angeles', birthday: { month: 11, day: 25 } });
					const s = settings({ birthday: { when: 'on_day' } });
					const first = mine(await claimDueEventsFrom(store, s, at('2026-11-25T02:00:00Z')), tokyo.id, la.id);
					assert.deepEqual(keys(first), [`due:birthday:${tokyo.id}:2026`]);
					assert.equal(first[0].type, 'birthday_due');
					assert.equal(first[0].source, 'schedule');
					assert.equal(first[0].occurredAt, '2026-11-25T00:00:00.000Z', '09:00 in Tokyo');
					assert.deepEqual(first[0].customer, { identities: { email: tokyo.email }, timeZone: 'Asia/Tokyo', birthday: { month: 11, day: 25 }, firstName: 'Aiko' });
					assert.deepEqual(first[0].data.birthday, { date: '2026-11-25', month: 11, day: 25 });
					assert.equal(first[0].data.localDate, '2026-11-25');
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-11-25T16:59:00Z')), tokyo.id, la.id), [], '08:59 in LA: too early; Tokyo already told');
					const second = mine(await claimDueEventsFrom(store, s, at('2026-11-25T17:00:00Z')), tokyo.id, la.id);
					assert.deepEqual(keys(second), [`due:birthday:${la.id}:2026`]);
					assert.equal(second[0].occurredAt, '2026-11-25T17:00:00.000Z');
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-11-25T23:00:00Z')), tokyo.id, la.id), []);
				});

				test('on the day only: a poll that missed the whole day emits nothing late; the program zone stands in for a missing one', async () => {
					const missed = await customer({ birthday: { month: 3, day: 3 } });
					const s = settings({ birthday: { when: 'on_day', fromLocalHour: 10 } }, { programTimeZone: 'Asia/Tokyo' });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-03T00:59:00Z')), missed.id), [], '09:59 in Tokyo');
					assert.equal(mine(await claimDueEventsFrom(store, s, at('2026-03-03T01:00:00Z')), missed.id).length, 1, '10:00 in Tokyo');
					const late = await customer({ birthday: { month: 3, day: 4 } });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-05T02:00:00Z')), late.id), [], 'Mar 5 in Tokyo: Mar 4 is over');
				});

				test('N days before: a Jan 3 birthday is announced on Dec 27 of the year before, for the new year', async () => {
					const c = await customer({ birthday: { month: 1, day: 3, year: 1990 } });
					const s = settings({ birthday: { when: 'days_before', daysBefore: 7 } });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-12-26T12:00:00Z')), c.id), []);
					const [due] = mine(await claimDueEventsFrom(store, s, at('2026-12-27T12:00:00Z')), c.id);
					assert.equal(due.idempotencyKey, `due:birthday:${c.id}:2027`);
					assert.deepEqual(due.data.birthday, { date: '2027-01-03', month: 1, day: 3, age: 37 });
					assert.equal(due.occurredAt, '2026-12-27T09:00:00.000Z');
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-12-27T13:00:00Z')), c.id), []);
				});

				test('birthday month: once, anywhere in the month, not before the first day at the local hour', async () => {
					const c = await customer({ birthday: { month: 6, day: 20 } });
					const s = settings({ birthday: { when: 'month' } });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-05-31T23:00:00Z')), c.id), []);
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-06-01T08:59:00Z')), c.id), []);
					const [due] = mine(await claimDueEventsFrom(store, s, at('2026-06-15T12:00:00Z')), c.id);
					assert.equal(due.occurredAt, '2026-06-01T09:00:00.000Z');
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-06-16T12:00:00Z')), c.id), []);
					assert.equal(mine(await claimDueEventsFrom(store, s, at('2027-06-02T12:00:00Z')), c.id).length, 1, 'next year is a new occurrence');
				});

				test('Feb 29 is celebrated on Feb 28 in other years; yearless birthdays work and carry no age', async () => {
					const leapling = await customer({ birthday: { month: 2, day: 29, year: 2000 } });
					const yearless = await customer({ birthday: { month: 7, day: 4 } });
					const s = settings({ birthday: { when: 'on_day' } });
					const [feb28] = mine(await claimDueEventsFrom(store, s, at('2027-02-28T10:00:00Z')), leapling.id);
					assert.deepEqual(feb28.data.birthday, { date: '2027-02-28', month: 2, day: 29, age: 27 });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2028-02-28T10:00:00Z')), leapling.id), [], '2028 has a Feb 29');
					const [feb29] = mine(await claimDueEventsFrom(store, s, at('2028-02-29T10:00:00Z')), leapling.id);
					assert.deepEqual(feb29.data.birthday, { date: '2028-02-29', month: 2, day: 29, age: 28 });
					const [july] = mine(await claimDueEventsFrom(store, s, at('2026-07-04T10:00:00Z')), yearless.id);
					assert.deepEqual(july.data.birthday, { date: '2026-07-04', month: 7, day: 4 });
				});

				test('property: hourly polls around the birthday emit it exactly once, on the customer\'s local date', async () => {
					const zones = ['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe', 'Europe/Berlin', 'Pacific/Chatham'];
					await fc.assert(
						fc.asyncProperty(
							fc.constantFrom(...zones),
							fc.integer({ min: 1, max: 12 }),
							fc.integer({ min: 1, max: 31 }),
							fc.option(fc.integer({ min: 1950, max: 2010 }), { nil: undefined }),
							fc.integer({ min: 2025, max: 2029 }),
							fc.integer({ min: 0, max: 23 }),
							async (zone, month, rawDay, birthYear, year, fromLocalHour) => {
								const day = Math.min(rawDay, new Date(Date.UTC(2000, month, 0)).getUTCDate());
								// A Feb 29 birthday needs a leap year of birth, when the year is known.
								const bornIn = birthYear !== undefined && month === 2 && day === 29 ? birthYear - (birthYear % 4) : birthYear;
								const c = await customer({ timeZone: zone, birthday: { month, day, ...(bornIn !== undefined ? { year: bornIn } : {}) } });
								const s = settings({ birthday: { when: 'on_day', fromLocalHour } });
								const celebrated = isoDate(observedBirthday({ month, day }, year));
								const start = Date.parse(`${celebrated}T00:00:00Z`) - 2 * 86_400_000;
								const emitted: Array<{ event: DueEvent; at: number }> = [];
								for (let t = start; t <= start + 4 * 86_400_000; t += 3_600_000) {
									for (const event of mine(await claimDueEventsFrom(store, s, new Date(t)), c.id)) emitted.push({ event, at: t });
								}
								assert.equal(emitted.length, 1, `${zone} ${month}-${day} ${year}: ${emitted.length} emissions`);
								const local = DateTime.fromMillis(emitted[0].at, { zone });
								assert.equal(local.toISODate(), celebrated);
								assert.ok(local.hour >= fromLocalHour);
								assert.equal(emitted[0].event.data.occurrence, String(year));
							},
						),
						{ numRuns: 12 },
					);
				});
			});

			describe('inactivity', () => {
				test('N days after the last paid order, once per lapse; a new order starts a new lapse', async () => {
					const c = await customer();
					const s = settings({ inactivity: { days: 30 } });
					const ledger = new Ledger(store, { id: s.programId }, { now: () => at('2026-01-01T10:00:00Z') });
					const first = paidOrder(c.email, 3000, { placedAt: '2026-01-01T10:00:00Z' });
					await ledger.earnForOrder(first);
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-01-31T09:59:59Z')), c.id), []);
					const [due] = mine(await claimDueEventsFrom(store, s, at('2026-01-31T10:00:00Z')), c.id);
					assert.equal(due.type, 'inactivity_due');
					assert.equal(due.idempotencyKey, `due:inactivity:${c.id}:woocommerce:${first.id}`);
					assert.deepEqual(due.data.lastOrder, { source: 'woocommerce', id: first.id, placedAt: '2026-01-01T10:00:00.000Z' });
					assert.equal(due.data.daysInactive, 30);
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-02-05T10:00:00Z')), c.id), [], 'one nudge per lapse');
					await ledger.earnForOrder(paidOrder(c.email, 3000, { placedAt: '2026-02-10T10:00:00Z' }));
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-12T09:00:00Z')), c.id), []);
					assert.equal(mine(await claimDueEventsFrom(store, s, at('2026-03-12T10:00:00Z')), c.id).length, 1);
				});

				test('relative to rhythm: a customer who buys every 40 days is due after 2 × 40 days, not 30', async () => {
					const c = await customer();
					const s = settings({ inactivity: { days: 30, relativeToRhythm: true } });
					const ledger = new Ledger(store, { id: s.programId });
					for (const placedAt of ['2026-01-01T10:00:00Z', '2026-02-10T10:00:00Z', '2026-03-22T10:00:00Z']) await ledger.earnForOrder(paidOrder(c.email, 3000, { placedAt }));
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-06-10T09:00:00Z')), c.id), [], '80 days after Mar 22 is Jun 10 10:00');
					const [due] = mine(await claimDueEventsFrom(store, s, at('2026-06-10T10:00:00Z')), c.id);
					assert.equal(due.data.thresholdDays, 80);
					assert.equal(due.data.medianGapDays, 40);
				});
			});

			describe('abandoned carts', () => {
				test('$49 vs $50 with a $50 minimum; idle 1 h 59 → nothing, 2 h → due once, polled again → nothing', async () => {
					const small = await customer();
					const big = await customer();
					await store.recordEvent(cartEvent(small.email, { id: unique('cart'), totalMinor: 4900, updatedAt: '2026-03-10T10:00:00Z' }));
					const cartId = unique('cart');
					await store.recordEvent(cartEvent(big.email, { id: cartId, totalMinor: 5000, updatedAt: '2026-03-10T10:00:00Z' }));
					const s = settings({ cartAbandoned: { idleHours: 2, minTotalMinor: 5000 } });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-10T11:59:00Z')), small.id, big.id), []);
					const due = mine(await claimDueEventsFrom(store, s, at('2026-03-10T12:00:00Z')), small.id, big.id);
					assert.deepEqual(keys(due), [`due:cart_abandoned:${big.id}:klaviyo:${cartId}:2026-03-10T10:00:00.000Z`]);
					assert.equal(due[0].type, 'cart_abandoned');
					assert.equal(due[0].occurredAt, '2026-03-10T12:00:00.000Z');
					assert.deepEqual(due[0].cart, { id: cartId, currency: 'USD', totalMinor: 5000, idleMinutes: 120, lines: [{ sku: 'BEANS-1', quantity: 1 }], checkoutUrl: 'https://shop.example.com/cart/recover' });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-10T12:01:00Z')), small.id, big.id), []);
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-11T12:00:00Z')), small.id, big.id), []);
				});

				test('an order after the cart closes it, whether it arrives as a purchase event or only as a ledger order', async () => {
					const viaEvent = await customer();
					const viaLedger = await customer();
					await store.recordEvent(cartEvent(viaEvent.email, { id: unique('cart'), totalMinor: 9000, updatedAt: '2026-03-10T10:00:00Z' }));
					await store.recordEvent(cartEvent(viaLedger.email, { id: unique('cart'), totalMinor: 9000, updatedAt: '2026-03-10T10:00:00Z' }));
					await store.recordEvent(purchaseEvent(viaEvent.email, '2026-03-10T10:30:00Z'));
					const s = settings({ cartAbandoned: { idleHours: 2 } });
					await new Ledger(store, { id: s.programId }).earnForOrder(paidOrder(viaLedger.email, 9000, { placedAt: '2026-03-10T11:00:00Z' }));
					const [row] = await store.db.query<{ status: string; closed_at: string }>('SELECT status, closed_at FROM carts WHERE customer_id = $1', [viaEvent.id]);
					assert.deepEqual({ ...row }, { status: 'converted', closed_at: '2026-03-10T10:30:00.000Z' });
					for (const now of ['2026-03-10T12:00:00Z', '2026-03-12T12:00:00Z']) assert.deepEqual(mine(await claimDueEventsFrom(store, s, at(now)), viaEvent.id, viaLedger.id), []);
				});

				test('an order placed before the cart last changed does not close it', async () => {
					const c = await customer();
					await store.recordEvent(purchaseEvent(c.email, '2026-03-10T09:00:00Z'));
					await store.recordEvent(cartEvent(c.email, { id: unique('cart'), totalMinor: 9000, updatedAt: '2026-03-10T10:00:00Z' }));
					await store.recordEvent(purchaseEvent(c.email, '2026-03-10T09:30:00Z'));
					assert.equal(mine(await claimDueEventsFrom(store, settings({ cartAbandoned: { idleHours: 2 } }), at('2026-03-10T12:00:00Z')), c.id).length, 1);
				});

				test('a delivery older than the stored cart neither resets its idle time nor its contents; recovered carts are closed', async () => {
					const c = await customer();
					const cartId = unique('cart');
					await store.recordEvent(cartEvent(c.email, { id: cartId, totalMinor: 7000, updatedAt: '2026-03-10T10:00:00Z' }));
					await store.recordEvent(cartEvent(c.email, { id: cartId, totalMinor: 3000, updatedAt: '2026-03-10T12:30:00Z', status: 'recovered' }));
					await store.recordEvent(cartEvent(c.email, { id: cartId, totalMinor: 8000, updatedAt: '2026-03-10T12:00:00Z' }));
					const s = settings({ cartAbandoned: { idleHours: 2 } });
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-10T15:00:00Z')), c.id), [], 'recovered at 12:30; the 12:00 delivery came late');

					const other = await customer();
					const otherCart = unique('cart');
					await store.recordEvent(cartEvent(other.email, { id: otherCart, totalMinor: 7000, updatedAt: '2026-03-10T10:00:00Z' }));
					await store.recordEvent(cartEvent(other.email, { id: otherCart, totalMinor: 6000, updatedAt: '2026-03-10T09:00:00Z' }));
					assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-10T11:30:00Z')), other.id), [], 'idle since 10:00, not 09:00');
					const [due] = mine(await claimDueEventsFrom(store, s, at('2026-03-10T12:00:00Z')), other.id);
					assert.equal(due.cart?.totalMinor, 7000);
				});

				test('a cart_updated event without its cart is refused, naming the field, and nothing is written', async () => {
					const email = emailOf('nocart');
					const event: Partial<LoyaltyEvent> = cartEvent(email, { id: unique('cart'), totalMinor: 100, updatedAt: '2026-03-10T10:00:00Z' });
					delete event.cart;
					await assert.rejects(store.recordEvent(event as LoyaltyEvent), (error: Error & { field?: string }) => error.field === 'event.cart');
					assert.equal(await store.findCustomer({ identities: { email } }), undefined);
				});
			});

			test('points expiring: unspent points from the lots, within N days, once per expiry date', async () => {
				const c = await customer();
				const spentAll = await customer();
				const s = settings({ pointsExpiring: { withinDays: 7 } });
				const ledger = new Ledger(store, { id: s.programId, expiry: { kind: 'days_after_earn', days: 30 } }, { now: () => at('2026-01-01T00:00:00Z') });
				await ledger.earnForOrder(paidOrder(c.email, 10000));
				await ledger.redeem({ customer: { identities: { email: c.email } }, points: 40, idempotencyKey: unique('redeem') });
				await ledger.earnForOrder(paidOrder(spentAll.email, 10000));
				await ledger.redeem({ customer: { identities: { email: spentAll.email } }, points: 100, idempotencyKey: unique('redeem') });
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-01-23T23:59:00Z')), c.id, spentAll.id), []);
				const due = mine(await claimDueEventsFrom(store, s, at('2026-01-24T00:00:00Z')), c.id, spentAll.id);
				assert.deepEqual(keys(due), [`due:points_expiring:${c.id}:2026-01-31`]);
				assert.equal(due[0].type, 'points_expiring');
				assert.deepEqual([due[0].data.points, due[0].data.expiresAt], [60, '2026-01-31T00:00:00.000Z']);
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-01-25T00:00:00Z')), c.id, spentAll.id), []);
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-02-01T00:00:00Z')), c.id, spentAll.id), [], 'expired: nothing left to warn about');
			});

			test('tier review: due reviewEveryDays after the last review, once per review', async () => {
				const c = await customer();
				const s = settings({ tierReview: { reviewEveryDays: 30 } });
				const ledger = new Ledger(store, { id: s.programId, tiers: { basis: 'points', reviewEveryDays: 30, levels: [{ name: 'member', threshold: 0 }, { name: 'gold', threshold: 1000 }] } }, { now: () => at('2026-01-01T00:00:00Z') });
				await ledger.earnForOrder(paidOrder(c.email, 5000));
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-01-30T23:59:00Z')), c.id), []);
				const [due] = mine(await claimDueEventsFrom(store, s, at('2026-01-31T00:00:00Z')), c.id);
				assert.equal(due.type, 'tier_review_due');
				assert.deepEqual([due.data.tier, due.data.reviewedAt], ['member', '2026-01-01T00:00:00.000Z']);
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-02-15T00:00:00Z')), c.id), []);
			});

			test('replenishment: on the reminder day (day 28 of a 30-day rhythm), once per last purchase', async () => {
				const s = settings({ replenishment: {} });
				const ledger = new Ledger(store, { id: s.programId });
				const sku = unique('TEA');
				const buyers = [await customer(), await customer(), await customer()];
				for (const buyer of buyers) for (const placedAt of ['2026-01-01T10:00:00Z', '2026-01-31T10:00:00Z', '2026-03-02T10:00:00Z']) {
					await ledger.earnForOrder(paidOrder(buyer.email, 2000, { placedAt, lines: [{ sku, quantity: 1, totalMinor: 2000 }] }));
				}
				const ids = buyers.map((b) => b.id);
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-29T12:00:00Z')), ...ids), []);
				const due = mine(await claimDueEventsFrom(store, s, at('2026-03-30T12:00:00Z')), ...ids);
				assert.equal(due.length, 3);
				assert.deepEqual(due.map((e) => e.type), ['replenishment_due', 'replenishment_due', 'replenishment_due']);
				assert.deepEqual({ product: due[0].data.product, lastDate: due[0].data.lastDate, remindDate: due[0].data.remindDate, dueDate: due[0].data.dueDate }, { product: sku, lastDate: '2026-03-02', remindDate: '2026-03-30', dueDate: '2026-04-01' });
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-03-31T12:00:00Z')), ...ids), []);
				assert.deepEqual(mine(await claimDueEventsFrom(store, settings({ replenishment: { maxDaysLate: 3 } }), at('2026-04-05T12:00:00Z')), ...ids), [], 'stale reminders are not sent');
			});

			test('follow-ups are claimed through claimDueFollowUps and keep its key', async () => {
				const c = await customer();
				const s = settings({ followUps: true });
				await store.db.execute(
					`INSERT INTO rule_follow_ups (program_id, source_event_key, rule_id, customer_key, identities, unless_event, created_at, due_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)`,
					[s.programId, 'cart:abc', 'cart_recovery', c.id, JSON.stringify({ email: c.email }), '2026-03-10T10:00:00.000Z', '2026-03-11T10:00:00.000Z'],
				);
				assert.deepEqual(await claimDueEventsFrom(store, s, at('2026-03-11T09:00:00Z')), []);
				const [due] = await claimDueEventsFrom(store, s, at('2026-03-11T10:00:00Z'));
				assert.deepEqual([due.type, due.idempotencyKey, due.source, due.data.customerId], ['follow_up_due', 'follow_up:cart:abc:cart_recovery', 'schedule', c.id]);
				assert.deepEqual(await claimDueEventsFrom(store, s, at('2026-03-11T11:00:00Z')), []);
			});

			/** Customers each with a birthday and an open cart due on 2026-09-09, and the keys a complete run must emit. */
			async function dueCrowd(month: number, day: number, count: number): Promise<{ ids: string[]; expected: number }> {
				const shoppers = await Promise.all(Array.from({ length: count }, () => customer({ birthday: { month, day } })));
				for (const shopper of shoppers) await store.recordEvent(cartEvent(shopper.email, { id: unique('cart'), totalMinor: 6000, updatedAt: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T06:00:00Z` }));
				return { ids: shoppers.map((c) => c.id), expected: count * 2 };
			}

			test('two worker processes polling the same database at once emit each occurrence exactly once', async () => {
				const { ids, expected } = await dueCrowd(9, 9, 20);
				const s = settings({ birthday: { when: 'on_day' }, cartAbandoned: { idleHours: 2 } });
				const instants = ['2026-09-09T10:00:00Z', '2026-09-09T11:00:00Z', '2026-09-09T12:00:00Z', '2026-09-09T13:00:00Z', '2026-09-09T14:00:00Z', '2026-09-09T15:00:00Z'];
				const worker = join(__dirname, 'support', 'scheduleWorker.ts');
				const outputs = await Promise.all([1, 2].map(() => run(process.execPath, ['--import', 'tsx', worker, JSON.stringify(config), JSON.stringify(s), JSON.stringify(instants), '5'], { timeout: 120_000 })));
				const seen = outputs.flatMap((o) => JSON.parse(o.stdout.trim()) as string[]).filter((key) => ids.some((id) => key.includes(id)));
				assert.equal(new Set(seen).size, seen.length, 'no occurrence emitted twice');
				assert.equal(seen.length, expected, 'every birthday and every cart emitted once');
			});

			// One process holding two SQLite connections to one file would block itself (node:sqlite waits for the lock synchronously); n8n shares one store per process.
			test('two Store instances in one process claiming at once emit each occurrence exactly once', { skip: backend.name === 'sqlite' ? 'SQLite: covered by the two-process test above' : undefined }, async () => {
				const other = await openStore(config);
				try {
					const { ids, expected } = await dueCrowd(9, 10, 24);
					const s = settings({ birthday: { when: 'on_day' }, cartAbandoned: { idleHours: 2 } });
					const seen: string[] = [];
					for (let round = 0; round < 4; round++) {
						const now = at(`2026-09-10T1${round}:00:00Z`);
						const batches = await Promise.all([claimDueEventsFrom(store, s, now, 7), claimDueEventsFrom(other, s, now, 7), claimDueEventsFrom(store, s, now, 7), claimDueEventsFrom(other, s, now, 7)]);
						for (const batch of batches) seen.push(...keys(mine(batch, ...ids)));
					}
					for (let round = 0; round < 10; round++) seen.push(...keys(mine(await claimDueEventsFrom(store, s, at('2026-09-10T20:00:00Z')), ...ids)));
					assert.equal(new Set(seen).size, seen.length, 'no occurrence emitted twice');
					assert.equal(seen.length, expected, 'every birthday and every cart emitted once');
				} finally {
					await other.close();
				}
			});

			test('merging two profiles keeps one claim per occurrence and does not emit again', async () => {
				const square = await store.upsertCustomer({ identities: { square: unique('SQ') }, birthday: { month: 10, day: 10 } });
				const email = emailOf('merge');
				const woo = await store.upsertCustomer({ identities: { email }, birthday: { month: 10, day: 10 } });
				const s = settings({ birthday: { when: 'on_day' } });
				assert.equal(mine(await claimDueEventsFrom(store, s, at('2026-10-10T10:00:00Z')), square.id, woo.id).length, 2);
				const merged = await store.upsertCustomer({ identities: { square: square.identities.square, email } });
				const [{ n }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM due_emissions WHERE program_id = $1 AND customer_id = $2', [s.programId, merged.id]);
				assert.equal(Number(n), 1);
				assert.deepEqual(mine(await claimDueEventsFrom(store, s, at('2026-10-10T11:00:00Z')), square.id, woo.id), []);
			});

			test('bad settings are refused naming the field', async () => {
				await assert.rejects(claimDueEventsFrom(store, settings({ birthday: { when: 'days_before' } }), at('2026-01-01T00:00:00Z')), (error: Error & { field?: string }) => error.field === 'settings.kinds.birthday.daysBefore');
				await assert.rejects(claimDueEventsFrom(store, settings({}, { programTimeZone: 'Mars/Olympus' }), at('2026-01-01T00:00:00Z')), (error: Error & { field?: string }) => error.field === 'settings.programTimeZone');
			});
		});
	}
});
