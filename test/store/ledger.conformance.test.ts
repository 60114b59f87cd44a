import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ledger, LoyaltyError, type ProgramInput, type Store } from '../../engine';
import { backends } from '../support/stores';
import { manualClock, paidOrder, refundOf } from '../support/fixtures';

/** The same ledger behaviour, asserted on every store backend. */
describe('ledger conformance', async () => {
	for (const backend of await backends()) {
		describe(`ledger on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());

			const ledgerWith = (program: ProgramInput = {}, clock = manualClock()) => ({ ledger: new Ledger(store, program, { now: clock.now }), clock });
			const uniqueEmail = () => `c${Math.random().toString(36).slice(2)}@example.com`;

			async function entryCount(): Promise<number> {
				const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries');
				return Number(row.n);
			}

			test('migrating again applies nothing', async () => {
				assert.equal(await store.migrate(), 0);
			});

			test('earns per currency unit with the configured rounding', async () => {
				for (const [rounding, expected] of [
					['floor', 25],
					['round', 26],
					['ceil', 26],
				] as const) {
					const { ledger } = ledgerWith({ rounding, earnRates: { USD: { points: 1, perMinor: 100 } } });
					const result = await ledger.earnForOrder(paidOrder(uniqueEmail(), 2599));
					assert.equal(result.change.available, expected, rounding);
					assert.equal(result.balance.available, expected);
					assert.equal(result.replay, false);
				}
			});

			test('a replayed order returns the original result and writes nothing', async () => {
				const { ledger } = ledgerWith();
				const order = paidOrder(uniqueEmail(), 5000);
				const first = await ledger.earnForOrder(order);
				const entries = await entryCount();
				const second = await ledger.earnForOrder(order);
				assert.equal(second.replay, true);
				assert.deepEqual({ ...second, replay: false }, first);
				assert.equal(await entryCount(), entries);
				assert.equal((await ledger.getBalance({ customerId: first.customerId })).available, 50);
			});

			test('concurrent deliveries of one order award once; different orders all count', async () => {
				const { ledger } = ledgerWith();
				const email = uniqueEmail();
				const order = paidOrder(email, 1000);
				const same = await Promise.all(Array.from({ length: 12 }, () => ledger.earnForOrder(order)));
				assert.equal(same.filter((r) => !r.replay).length, 1);
				const others = await Promise.all(Array.from({ length: 12 }, () => ledger.earnForOrder(paidOrder(email, 1000))));
				assert.equal(others.filter((r) => r.replay).length, 0);
				const balance = await ledger.getBalance({ identities: { email } });
				assert.equal(balance.available, 130);
				assert.deepEqual(await store.verifyBalances(), []);
			});

			test('points stay pending through the return period, then are released', async () => {
				const { ledger, clock } = ledgerWith({ pendingDays: 14 });
				const email = uniqueEmail();
				const earned = await ledger.earnForOrder(paidOrder(email, 4000));
				assert.deepEqual(earned.change, { available: 0, pending: 40 });
				await assert.rejects(ledger.redeem({ customer: { identities: { email } }, points: 10, idempotencyKey: `r-${email}` }), (error: LoyaltyError) => {
					assert.equal(error.code, 'insufficient_points');
					assert.equal(error.field, 'points');
					assert.match(error.message, /40 more are pending/);
					return true;
				});
				clock.advanceDays(13);
				assert.equal((await ledger.getBalance({ identities: { email } })).pending, 40);
				clock.advanceDays(1);
				const balance = await ledger.getBalance({ identities: { email } });
				assert.deepEqual([balance.available, balance.pending], [40, 0]);
				const history = await ledger.getHistory({ identities: { email } });
				assert.deepEqual(
					history.map((e) => e.kind),
					['release', 'pending'],
				);
				assert.deepEqual(await store.verifyBalances(), []);
			});

			test('partial refunds reverse their share; more than was paid is refused and writes nothing', async () => {
				const { ledger } = ledgerWith();
				const order = paidOrder(uniqueEmail(), 10000);
				await ledger.earnForOrder(order);
				const first = await ledger.reverseForRefund(refundOf(order, 3000));
				assert.equal(first.change.available, -30);
				const entries = await entryCount();
				await assert.rejects(ledger.reverseForRefund(refundOf(order, 7001)), (error: LoyaltyError) => error.field === 'refund.amountMinor' && /70\.00 USD/.test(error.message));
				assert.equal(await entryCount(), entries);
				const rest = await ledger.reverseForRefund(refundOf(order, 7000));
				assert.equal(rest.change.available, -70);
				assert.equal(rest.balance.available, 0);
				await assert.rejects(ledger.reverseForRefund(refundOf(order, 1, 'one-cent-more')), (error: LoyaltyError) => error.field === 'refund.amountMinor' && /0\.00 USD/.test(error.message));
				assert.equal((await ledger.reverseForRefund(refundOf(order, 7000, rest.idempotencyKey.split(':').pop()))).replay, true);
			});

			test('a refund for an unknown order, or in another currency, names the field', async () => {
				const { ledger } = ledgerWith();
				await assert.rejects(
					ledger.reverseForRefund({ source: 'square', id: 'r-x', orderId: 'nope', amountMinor: 100, currency: 'USD', createdAt: '2026-03-01T00:00:00Z' }),
					(error: LoyaltyError) => error.code === 'not_found' && error.field === 'refund.orderId',
				);
				const order = paidOrder(uniqueEmail(), 1000);
				await ledger.earnForOrder(order);
				await assert.rejects(ledger.reverseForRefund({ ...refundOf(order, 100), currency: 'EUR' }), (error: LoyaltyError) => error.field === 'refund.currency');
			});

			test('any split of refunds reverses exactly what the order earned', async () => {
				await fc.assert(
					fc.asyncProperty(
						fc.integer({ min: 1, max: 500_000 }),
						fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
						fc.constantFrom('floor', 'round', 'ceil'),
						async (total, weights, rounding) => {
							const { ledger } = ledgerWith({ rounding: rounding as 'floor' });
							const order = paidOrder(uniqueEmail(), total);
							const earned = (await ledger.earnForOrder(order)).change.available;
							const sum = weights.reduce((a, b) => a + b, 0);
							let left = total;
							let reversed = 0;
							for (let i = 0; i < weights.length && left > 0; i++) {
								const amount = i === weights.length - 1 ? left : Math.min(left, Math.max(1, Math.floor((total * weights[i]) / sum)));
								left -= amount;
								const result = await ledger.reverseForRefund(refundOf(order, amount));
								reversed -= result.change.available;
								assert.ok(result.balance.available >= 0);
							}
							if (left === 0) assert.equal(reversed, earned);
						},
					),
					{ numRuns: 25 },
				);
				assert.deepEqual(await store.verifyBalances(), []);
			});

			test('a refund after the points were spent takes what is left, never below zero', async () => {
				const { ledger } = ledgerWith();
				const email = uniqueEmail();
				const order = paidOrder(email, 10000);
				await ledger.earnForOrder(order);
				await ledger.redeem({ customer: { identities: { email } }, points: 80, idempotencyKey: `redeem-${email}` });
				const result = await ledger.reverseForRefund(refundOf(order, 10000));
				assert.equal(result.change.available, -20);
				assert.equal(result.shortfall, 80);
				assert.equal(result.balance.available, 0);
			});

			test('a program that allows negative balances takes the whole reversal', async () => {
				const { ledger } = ledgerWith({ allowNegativeBalance: true, id: 'negative-ok' });
				const email = uniqueEmail();
				const order = paidOrder(email, 10000);
				await ledger.earnForOrder(order);
				await ledger.redeem({ customer: { identities: { email } }, points: 80, idempotencyKey: `redeem-${email}` });
				const result = await ledger.reverseForRefund(refundOf(order, 10000));
				assert.equal(result.balance.available, -80);
				assert.equal(result.shortfall, undefined);
				assert.deepEqual(await store.verifyBalances(), []);
			});

			test('redeem and adjust are idempotent by key and refuse overdrafts', async () => {
				const { ledger } = ledgerWith();
				const email = uniqueEmail();
				await ledger.earnForOrder(paidOrder(email, 5000));
				const customer = { identities: { email } };
				const redeemed = await ledger.redeem({ customer, points: 20, idempotencyKey: 'coupon-1', reason: 'coupon' });
				assert.equal(redeemed.balance.available, 30);
				assert.equal((await ledger.redeem({ customer, points: 20, idempotencyKey: 'coupon-1' })).replay, true);
				await assert.rejects(ledger.redeem({ customer, points: 31, idempotencyKey: 'coupon-2' }), (e: LoyaltyError) => e.code === 'insufficient_points');
				await assert.rejects(ledger.adjust({ customer, points: -31, idempotencyKey: 'adj-1', reason: 'fix' }), (e: LoyaltyError) => e.code === 'insufficient_points');
				const bonus = await ledger.adjust({ customer, points: 15, idempotencyKey: 'adj-2', reason: 'goodwill' });
				assert.equal(bonus.balance.available, 45);
				assert.equal(bonus.balance.lifetimeEarned, 65);
				await assert.rejects(
					ledger.redeem({ customer: { identities: { email: 'nobody@example.com' } }, points: 1, idempotencyKey: 'x' }),
					(e: LoyaltyError) => e.code === 'not_found' && e.field === 'customer',
				);
				await assert.rejects(ledger.redeem({ customer, points: 1.5, idempotencyKey: 'x' }), (e: LoyaltyError) => e.field === 'points');
				await assert.rejects(ledger.adjust({ customer, points: 5, idempotencyKey: 'x', reason: ' ' }), (e: LoyaltyError) => e.field === 'reason');
			});

			test('points expire N days after they became available', async () => {
				const { ledger, clock } = ledgerWith({ id: 'expiry-days', expiry: { kind: 'days_after_earn', days: 30 }, pendingDays: 5 });
				const email = uniqueEmail();
				await ledger.earnForOrder(paidOrder(email, 3000));
				clock.advanceDays(34);
				assert.equal((await ledger.getBalance({ identities: { email } })).available, 30);
				clock.advanceDays(1);
				const balance = await ledger.getBalance({ identities: { email } });
				assert.equal(balance.available, 0);
				assert.equal((await ledger.getHistory({ identities: { email } }, { limit: 1 }))[0].kind, 'expire');
			});

			test('points expire at the end of the month N months later, in the program time zone', async () => {
				const clock = manualClock('2026-01-15T12:00:00Z');
				const { ledger } = ledgerWith({ id: 'expiry-month', expiry: { kind: 'end_of_month_after', months: 2 }, timeZone: 'America/New_York' }, clock);
				const email = uniqueEmail();
				const earned = await ledger.earnForOrder(paidOrder(email, 1000));
				const [entry] = await ledger.getHistory({ customerId: earned.customerId });
				assert.equal(entry.expiresAt, '2026-04-01T03:59:59.999Z');
				clock.set('2026-04-01T03:59:00Z');
				assert.equal((await ledger.getBalance({ identities: { email } })).available, 10);
				clock.set('2026-04-01T04:00:00Z');
				assert.equal((await ledger.getBalance({ identities: { email } })).available, 0);
			});

			test('inactivity expiry lapses everything after N quiet days; activity resets it', async () => {
				const { ledger, clock } = ledgerWith({ id: 'expiry-inactive', expiry: { kind: 'inactivity', days: 90 } });
				const email = uniqueEmail();
				await ledger.earnForOrder(paidOrder(email, 2000));
				clock.advanceDays(80);
				await ledger.earnForOrder(paidOrder(email, 1000));
				clock.advanceDays(80);
				assert.equal((await ledger.getBalance({ identities: { email } })).available, 30);
				clock.advanceDays(11);
				assert.equal((await ledger.getBalance({ identities: { email } })).available, 0);
				assert.deepEqual(await store.verifyBalances(), []);
			});

			test('tiers upgrade at once and downgrade only at review', async () => {
				const clock = manualClock('2026-01-01T00:00:00Z');
				const program: ProgramInput = {
					id: 'tiers',
					tiers: {
						basis: 'spend',
						windowDays: 365,
						reviewEveryDays: 180,
						levels: [
							{ name: 'Bronze', threshold: 0 },
							{ name: 'Silver', threshold: 20000 },
							{ name: 'Gold', threshold: 50000 },
						],
					},
				};
				const { ledger } = ledgerWith(program, clock);
				const email = uniqueEmail();
				const first = await ledger.earnForOrder(paidOrder(email, 10000, { placedAt: clock.now().toISOString() }));
				assert.equal(first.balance.tier, 'Bronze');
				const big = paidOrder(email, 45000, { placedAt: clock.now().toISOString() });
				const second = await ledger.earnForOrder(big);
				assert.equal(second.balance.tier, 'Gold');
				assert.deepEqual(second.tierChange, { from: 'Bronze', to: 'Gold' });
				const refunded = await ledger.reverseForRefund(refundOf(big, 45000));
				assert.equal(refunded.balance.tier, 'Gold', 'no downgrade before the review');
				clock.advanceDays(181);
				assert.equal((await ledger.getBalance({ identities: { email } })).tier, 'Bronze');
			});

			test('one profile per person across Square and WooCommerce, merged when an event links them', async () => {
				const { ledger } = ledgerWith({ id: 'merge' });
				const email = uniqueEmail();
				const square = `SQ-${email}`;
				const fromWoo = await ledger.earnForOrder(paidOrder(email, 2000));
				const fromSquare = await ledger.earnForOrder(paidOrder('', 3000, { source: 'square', customer: { identities: { square } } }));
				assert.notEqual(fromWoo.customerId, fromSquare.customerId);
				const linked = await ledger.earnForOrder(paidOrder(email, 1000, { source: 'square', customer: { identities: { email, square } } }));
				assert.equal(linked.balance.available, 60);
				const byEmail = await ledger.getBalance({ identities: { email } });
				const bySquare = await ledger.getBalance({ identities: { square } });
				assert.equal(byEmail.customerId, bySquare.customerId);
				assert.deepEqual(await store.verifyBalances(), []);
			});

			test('bad orders name the field and write nothing', async () => {
				const { ledger } = ledgerWith({ id: 'bad-input' });
				const entries = await entryCount();
				const cases: Array<[Record<string, unknown>, string]> = [
					[{ currency: 'XYZ' }, 'order.currency'],
					[{ totalMinor: -5 }, 'order.totalMinor'],
					[{ totalMinor: 10.5 }, 'order.totalMinor'],
					[{ customer: { identities: {} } }, 'order.customer.identities'],
					[{ status: 'pending' }, 'order.status'],
					[{ currency: 'EUR' }, 'order.currency'],
				];
				for (const [override, field] of cases) {
					await assert.rejects(ledger.earnForOrder({ ...paidOrder(uniqueEmail(), 1000), ...override } as never), (error: LoyaltyError) => {
						assert.equal(error.field, field, JSON.stringify(override));
						return true;
					});
				}
				assert.equal(await entryCount(), entries);
			});

			test('an event is recorded once per delivery id and per business key', async () => {
				const event = {
					id: `evt-${uniqueEmail()}`,
					type: 'customer_updated' as const,
					source: 'generic' as const,
					occurredAt: '2026-03-01T00:00:00Z',
					idempotencyKey: `key-${uniqueEmail()}`,
					customer: { identities: { email: uniqueEmail() }, firstName: 'Ana' },
				};
				const first = await store.recordEvent(event);
				const second = await store.recordEvent(event);
				const sameFactNewDelivery = await store.recordEvent({ ...event, id: `${event.id}-redelivered` });
				assert.equal(first.inserted, true);
				assert.equal(second.inserted, false);
				assert.equal(sameFactNewDelivery.inserted, false);
				assert.equal((await store.findCustomer({ identities: event.customer.identities }))?.firstName, 'Ana');
			});
		});
	}
});
