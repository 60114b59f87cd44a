import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ledger, LoyaltyError, verifyBalances, type ProgramInput, type Store } from '../../engine';
import type { SqlClient } from '../../engine/store/db';
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

			/** Counts the store's transactions (calls) and how often their work ran (attempts: more when retried). */
			function countTransactions() {
				const db = store.db;
				const original = db.transaction;
				let calls = 0;
				let attempts = 0;
				db.transaction = <T>(work: (tx: SqlClient) => Promise<T>) => {
					calls++;
					return original.call(db, (tx: SqlClient) => {
						attempts++;
						return work(tx);
					}) as Promise<T>;
				};
				return { calls: () => calls, attempts: () => attempts, restore: () => void (db.transaction = original) };
			}

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

			describe('group commit (earnForOrders)', () => {
				test('earns every order of the group once, in one go; the same group again writes nothing', async () => {
					const { ledger } = ledgerWith();
					const emails = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
					const group = Array.from({ length: 9 }, (_, i) => ({ order: paidOrder(emails[i % 3], 1000 + i * 100) }));
					const entries = await entryCount();
					const outcomes = await ledger.earnForOrders(group);
					assert.deepEqual(outcomes.map((o) => o.ok && !o.result.replay), group.map(() => true));
					// Outcomes answer the inputs in their order, whatever order the accounts were locked in.
					outcomes.forEach((o, i) => assert.equal(o.ok && o.result.idempotencyKey, `woocommerce:order:${group[i].order.id}:paid`));
					assert.equal(await entryCount(), entries + 9);
					const again = await ledger.earnForOrders(group);
					assert.deepEqual(again.map((o) => o.ok && o.result.replay), group.map(() => true));
					assert.equal(await entryCount(), entries + 9);
					// One at a time agrees: the keys are the same as a single award's.
					assert.equal((await ledger.earnForOrder(group[4].order)).replay, true);
					assert.equal((await ledger.getBalance({ identities: { email: emails[1] } })).available, 11 + 14 + 17);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('a key reused for a different order fails alone; the rest of the group still earns', async () => {
					const { ledger } = ledgerWith();
					const email = uniqueEmail();
					const first = await ledger.earnForOrder(paidOrder(email, 2000), { idempotencyKey: 'evt-group-reused' });
					const group = [{ order: paidOrder(email, 3000) }, { order: paidOrder(email, 4000), idempotencyKey: 'evt-group-reused' }, { order: paidOrder(uniqueEmail(), 5000) }];
					const entries = await entryCount();
					const outcomes = await ledger.earnForOrders(group);
					assert.equal(outcomes[0].ok && outcomes[0].result.change.available, 30);
					assert.equal(outcomes[1].ok, false);
					assert.equal(!outcomes[1].ok && (outcomes[1].error as LoyaltyError).code, 'key_reused');
					assert.equal(outcomes[2].ok && outcomes[2].result.change.available, 50);
					assert.equal(await entryCount(), entries + 2);
					assert.equal((await ledger.getBalance({ customerId: first.customerId })).available, 20 + 30);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('a bad order is reported with its field; the others earn', async () => {
					const { ledger } = ledgerWith();
					const group = [{ order: paidOrder(uniqueEmail(), 1500) }, { order: paidOrder(uniqueEmail(), 1500, { currency: 'XYZ' }) }];
					const outcomes = await ledger.earnForOrders(group);
					assert.equal(outcomes[0].ok && outcomes[0].result.change.available, 15);
					assert.equal(outcomes[1].ok, false);
					assert.match(!outcomes[1].ok ? outcomes[1].error.message : '', /currency/);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('one order twice in a group earns once; concurrent groups over the same customers award each order once', async () => {
					const { ledger } = ledgerWith();
					const emails = [uniqueEmail(), uniqueEmail()];
					const order = paidOrder(emails[0], 1000);
					const twice = await ledger.earnForOrders([{ order }, { order }]);
					assert.deepEqual(twice.map((o) => o.ok && o.result.replay), [false, true]);
					const orders = Array.from({ length: 12 }, (_, i) => paidOrder(emails[i % 2], 1000));
					// Overlapping groups from four writers, in opposite orders: each order still earns exactly once.
					const groups = await Promise.all([orders.slice(0, 8), orders.slice(4).reverse(), orders.slice(2, 10), orders].map((part) => ledger.earnForOrders(part.map((o) => ({ order: o })))));
					assert.deepEqual(groups.flat().filter((o) => !o.ok), []);
					assert.deepEqual(await verifyBalances(store), []);
					for (const o of orders) {
						const rows = await store.db.query('SELECT id FROM ledger_entries WHERE order_source = $1 AND order_id = $2', [o.source, o.id]);
						assert.equal(rows.length, 1, o.id);
					}
					// A new customer's first orders racing in two groups make one customer, not two.
					assert.equal((await ledger.getBalance({ identities: { email: emails[1] } })).available, 60);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('replays inside and across groups answer with the first result and write nothing', async () => {
					const { ledger } = ledgerWith();
					const emails = [uniqueEmail(), uniqueEmail()];
					const first = Array.from({ length: 6 }, (_, i) => ({ order: paidOrder(emails[i % 2], 1000 + i * 100) }));
					const earned = await ledger.earnForOrders(first);
					const results = earned.map((o) => (o.ok ? o.result : assert.fail(String(o.error))));
					const entries = await entryCount();
					const fresh = Array.from({ length: 3 }, (_, i) => ({ order: paidOrder(emails[i % 2], 2000) }));
					// Old orders (one of them twice) mixed with new ones, in another order.
					const second = [first[4], fresh[0], first[1], fresh[1], first[4], fresh[2], first[0]];
					const outcomes = await ledger.earnForOrders(second);
					const replayed = [0, 2, 4, 6].map((i) => outcomes[i]);
					assert.deepEqual(
						replayed.map((o) => (o.ok ? { ...o.result, replay: false } : o.error.message)),
						[results[4], results[1], results[4], results[0]],
					);
					assert.deepEqual(replayed.map((o) => o.ok && o.result.replay), [true, true, true, true]);
					assert.deepEqual([1, 3, 5].map((i) => outcomes[i].ok && !outcomes[i].result.replay && outcomes[i].result.change.available), [20, 20, 20]);
					assert.equal(await entryCount(), entries + 3);
					assert.equal((await ledger.getBalance({ identities: { email: emails[0] } })).available, 10 + 12 + 14 + 20 + 20);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('one key twice in a group: the same request replays the first, a different one is refused, and only the first is written', async () => {
					const { ledger } = ledgerWith();
					const email = uniqueEmail();
					const order = paidOrder(email, 1000);
					const entries = await entryCount();
					const outcomes = await ledger.earnForOrders([
						{ order, idempotencyKey: 'evt-twice-in-group' },
						{ order: paidOrder(email, 9000), idempotencyKey: 'evt-twice-in-group' },
						{ order, idempotencyKey: 'evt-twice-in-group' },
					]);
					assert.equal(outcomes[0].ok && outcomes[0].result.change.available, 10);
					assert.equal(!outcomes[1].ok && (outcomes[1].error as LoyaltyError).code, 'key_reused');
					assert.match(!outcomes[1].ok ? outcomes[1].error.message : '', /evt-twice-in-group/);
					assert.deepEqual(outcomes[2].ok && { ...outcomes[2].result, replay: false }, outcomes[0].ok && outcomes[0].result);
					assert.equal(outcomes[2].ok && outcomes[2].result.replay, true);
					assert.equal(await entryCount(), entries + 1);
					assert.equal((await ledger.getBalance({ identities: { email } })).available, 10);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('an order the database refuses undoes the whole group; then each order is done alone, and only that one fails', async () => {
					const { ledger } = ledgerWith();
					const emails = [uniqueEmail(), uniqueEmail()];
					const group = Array.from({ length: 5 }, (_, i) => ({ order: paidOrder(emails[i % 2], 1000 * (i + 1)) }));
					const poisoned = group[2].order.id;
					// A stand-in for any failure inside the group's statements (a constraint, a full disk).
					if (store.dialect === 'sqlite') {
						await store.db.execute(`CREATE TRIGGER poison_entry BEFORE INSERT ON ledger_entries WHEN NEW.order_id = '${poisoned}' BEGIN SELECT RAISE(ABORT, 'poisoned order'); END`);
					} else {
						await store.db.execute(`CREATE FUNCTION poison_entry() RETURNS trigger AS $$ BEGIN IF NEW.order_id = '${poisoned}' THEN RAISE EXCEPTION 'poisoned order'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
						await store.db.execute('CREATE TRIGGER poison_entry BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION poison_entry()');
					}
					const transactions = countTransactions();
					const entries = await entryCount();
					try {
						const outcomes = await ledger.earnForOrders(group);
						assert.deepEqual(
							outcomes.map((o) => (o.ok ? o.result.change.available : /poisoned order/.test(o.error.message) ? 'refused' : o.error.message)),
							[10, 20, 'refused', 40, 50],
						);
						// One group transaction (undone), then one for each order alone.
						assert.equal(transactions.calls(), 1 + group.length);
					} finally {
						transactions.restore();
						await store.db.execute('DROP TRIGGER poison_entry' + (store.dialect === 'postgres' ? ' ON ledger_entries' : ''));
						if (store.dialect === 'postgres') await store.db.execute('DROP FUNCTION poison_entry()');
					}
					assert.equal(await entryCount(), entries + 4);
					assert.equal((await ledger.earnForOrder(group[2].order)).change.available, 30);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('an account with points due is booked in the group by the single-order path; the others by the multi-row path', async () => {
					const { ledger, clock } = ledgerWith({ pendingDays: 14 });
					const [due, fresh] = [uniqueEmail(), uniqueEmail()];
					await ledger.earnForOrder(paidOrder(due, 4000));
					clock.advanceDays(15);
					const outcomes = await ledger.earnForOrders([{ order: paidOrder(fresh, 3000) }, { order: paidOrder(due, 2000) }, { order: paidOrder(due, 1000) }]);
					const [a, b, c] = outcomes.map((o) => (o.ok ? o.result : assert.fail(String(o.error))));
					assert.deepEqual([a.change, a.balance.available, a.balance.pending], [{ available: 0, pending: 30 }, 0, 30]);
					// The matured 40 were released before the new order's 20 went pending.
					assert.deepEqual([b.change, b.balance.available, b.balance.pending], [{ available: 0, pending: 20 }, 40, 20]);
					assert.deepEqual([c.change, c.balance.available, c.balance.pending], [{ available: 0, pending: 10 }, 40, 30]);
					assert.deepEqual((await ledger.getHistory({ identities: { email: due } })).map((e) => e.kind), ['pending', 'pending', 'release', 'pending']);
					assert.deepEqual(await verifyBalances(store), []);
				});

				test('groups running at the same time over the same customers wait for each other: no deadlock or retry, each order earned once', async () => {
					const { ledger } = ledgerWith();
					const emails = Array.from({ length: 8 }, () => uniqueEmail());
					for (const email of emails) await ledger.earnForOrder(paidOrder(email, 100));
					const orders = Array.from({ length: 48 }, (_, i) => paidOrder(emails[(i * 5) % 8], 1000));
					// Four writers, each with overlapping groups of 16 in its own order.
					const writers = [0, 1, 2, 3].map((w) => {
						const mine = [...orders.slice(w * 8), ...orders.slice(0, w * 8)];
						return w % 2 ? mine.reverse() : mine;
					});
					const transactions = countTransactions();
					let outcomes;
					try {
						outcomes = await Promise.all(writers.map(async (mine) => {
							const done = [];
							for (let g = 0; g < mine.length; g += 16) done.push(...(await ledger.earnForOrders(mine.slice(g, g + 16).map((order) => ({ order })))));
							return done;
						}));
						// Every transaction ran once: none lost a deadlock or a race and had to run again.
						assert.equal(transactions.attempts(), transactions.calls());
					} finally {
						transactions.restore();
					}
					assert.deepEqual(outcomes.flat().filter((o) => !o.ok), []);
					assert.equal(outcomes.flat().filter((o) => o.ok && !o.result.replay).length, orders.length);
					for (const o of orders) {
						const rows = await store.db.query('SELECT id FROM ledger_entries WHERE order_source = $1 AND order_id = $2', [o.source, o.id]);
						assert.equal(rows.length, 1, o.id);
					}
					let total = 0;
					for (const email of emails) total += (await ledger.getBalance({ identities: { email } })).available;
					assert.equal(total, 8 * 1 + 48 * 10);
					assert.deepEqual(await verifyBalances(store), []);
				});
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
				assert.deepEqual(await verifyBalances(store), []);
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
				assert.deepEqual(await verifyBalances(store), []);
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
				assert.deepEqual(await verifyBalances(store), []);
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
				assert.deepEqual(await verifyBalances(store), []);
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
				assert.deepEqual(await verifyBalances(store), []);
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
				assert.deepEqual(await verifyBalances(store), []);
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

			test('a key reused for a different request is refused, names what differs and writes nothing', async () => {
				const { ledger } = ledgerWith({ id: 'keys' });
				const email = uniqueEmail();
				const { customerId } = await ledger.earnForOrder(paidOrder(email, 100000));
				const customer = { customerId };
				const key = `evt-1-${email}`;
				const first = await ledger.adjust({ customer, points: 100, idempotencyKey: key, reason: 'goodwill' });
				const entries = await entryCount();
				await assert.rejects(ledger.adjust({ customer, points: 500, idempotencyKey: key, reason: 'goodwill' }), (error: LoyaltyError) => {
					assert.equal(error.code, 'key_reused');
					assert.equal(error.field, 'idempotencyKey');
					assert.equal(error.message, `idempotencyKey "${key}" was first used for adjust of +100 points for customer ${customerId}; this request is adjust of +500 points (different: points). Use a new key for a new request`);
					return true;
				});
				await assert.rejects(ledger.redeem({ customer, points: 30, idempotencyKey: key }), (error: LoyaltyError) => {
					assert.equal(error.code, 'key_reused');
					assert.match(error.message, new RegExp(`^idempotencyKey "${key}" was first used for adjust of \\+100 points for customer ${customerId}; this request is redeem of 30 points \\(different: operation, points\\)`));
					return true;
				});
				await assert.rejects(ledger.adjust({ customer: { identities: { email } }, points: 100, idempotencyKey: key, reason: 'goodwill' }), (error: LoyaltyError) => {
					assert.equal(error.code, 'key_reused');
					assert.match(error.message, new RegExp(`this request is adjust of \\+100 points for customer with email ${email} \\(different: customer\\)`));
					return true;
				});
				assert.equal(await entryCount(), entries);
				// The same request again (a free-text reason is not part of it) is a replay of the first result.
				const again = await ledger.adjust({ customer, points: 100, idempotencyKey: key, reason: 'retyped reason' });
				assert.deepEqual(again, { ...first, replay: true });
				assert.equal((await ledger.getBalance(customer)).available, 1100);
			});

			test('orders and refunds under a reused key with another amount, order or currency are refused', async () => {
				const { ledger } = ledgerWith({ id: 'keys-orders' });
				const email = uniqueEmail();
				const order = paidOrder(email, 5000);
				const key = `woo-delivery-${email}`;
				const earned = await ledger.earnForOrder(order, { idempotencyKey: key });
				const entries = await entryCount();
				for (const [changed, part] of [
					[{ totalMinor: 9000 }, 'order'],
					[{ id: `${order.id}-b` }, 'order'],
					[{ customer: { identities: { email: uniqueEmail() } } }, 'customer'],
				] as const) {
					await assert.rejects(ledger.earnForOrder({ ...order, ...changed }, { idempotencyKey: key }), (error: LoyaltyError) => error.code === 'key_reused' && error.message.includes(`(different: ${part})`));
				}
				// A later placedAt or other lines are not part of the request: still a replay.
				assert.deepEqual(await ledger.earnForOrder({ ...order, placedAt: '2026-03-02T10:00:00Z', lines: [] }, { idempotencyKey: key }), { ...earned, replay: true });
				const refund = refundOf(order, 1000);
				await ledger.reverseForRefund(refund);
				await assert.rejects(ledger.reverseForRefund({ ...refund, amountMinor: 2000 }), (error: LoyaltyError) => {
					assert.equal(error.code, 'key_reused');
					assert.match(error.message, /first used for reverse for woocommerce refund .* of 10\.00 USD on order .*; this request is reverse for woocommerce refund .* of 20\.00 USD/);
					return true;
				});
				assert.equal((await ledger.reverseForRefund({ ...refund, reason: 'changed text', createdAt: '2026-03-09T00:00:00Z' })).replay, true);
				assert.equal(await entryCount(), entries + 1);
			});

			test('a key written before fingerprints existed replays whatever is asked (its first request is unknown)', async () => {
				const { ledger } = ledgerWith({ id: 'keys-legacy' });
				const email = uniqueEmail();
				const { customerId } = await ledger.earnForOrder(paidOrder(email, 5000));
				const key = `legacy-${email}`;
				const first = await ledger.adjust({ customer: { customerId }, points: 7, idempotencyKey: key, reason: 'old' });
				await store.db.execute('UPDATE ledger_operations SET request = NULL WHERE program_id = $1 AND idempotency_key = $2', ['keys-legacy', key]);
				assert.deepEqual(await ledger.redeem({ customer: { customerId }, points: 3, idempotencyKey: key }), { ...first, replay: true });
			});

			test('property: random requests over a small pool of keys either replay identically or are refused', async () => {
				let run = 0;
				const op = fc.oneof(
					fc.record({ kind: fc.constant('adjust' as const), points: fc.integer({ min: -40, max: 40 }).filter((p) => p !== 0), who: fc.nat(1), byEmail: fc.boolean(), key: fc.nat(3) }),
					fc.record({ kind: fc.constant('redeem' as const), points: fc.integer({ min: 1, max: 40 }), who: fc.nat(1), byEmail: fc.boolean(), key: fc.nat(3) }),
				);
				await fc.assert(
					fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
						run++;
						const { ledger } = ledgerWith({ id: 'keys-property' });
						const emails = [uniqueEmail(), uniqueEmail()];
						const ids = await Promise.all(emails.map(async (email) => (await ledger.earnForOrder(paidOrder(email, 5000))).customerId));
						const firstOf = new Map<number, { request: string; result: unknown }>();
						for (const o of ops) {
							const customer = o.byEmail ? { identities: { email: emails[o.who] } } : { customerId: ids[o.who] };
							const request = JSON.stringify({ kind: o.kind, points: o.points, customer });
							const idempotencyKey = `p${run}-${emails[0]}-k${o.key}`;
							const before = [await entryCount(), ...(await Promise.all(ids.map(async (customerId) => (await ledger.getBalance({ customerId })).available)))];
							const attempt = o.kind === 'adjust' ? ledger.adjust({ customer, points: o.points, idempotencyKey, reason: 'property' }) : ledger.redeem({ customer, points: o.points, idempotencyKey });
							const known = firstOf.get(o.key);
							let outcome: { result?: unknown; error?: LoyaltyError };
							try {
								outcome = { result: await attempt };
							} catch (error) {
								outcome = { error: error as LoyaltyError };
							}
							const after = [await entryCount(), ...(await Promise.all(ids.map(async (customerId) => (await ledger.getBalance({ customerId })).available)))];
							if (known && known.request === request) {
								assert.deepEqual(outcome.result, { ...(known.result as object), replay: true });
							} else if (known) {
								assert.equal(outcome.error?.code, 'key_reused');
							} else if (outcome.error) {
								assert.equal(outcome.error.code, 'insufficient_points');
							} else {
								firstOf.set(o.key, { request, result: outcome.result });
								continue;
							}
							assert.deepEqual(after, before, 'a replay or a refused request changes nothing');
						}
						assert.deepEqual(await verifyBalances(store), []);
					}),
					{ numRuns: 15 },
				);
			});

			test('a refund applied under another key, and identities of two customers, each have their own code', async () => {
				const { ledger } = ledgerWith({ id: 'codes' });
				const order = paidOrder(uniqueEmail(), 5000);
				await ledger.earnForOrder(order);
				const refund = refundOf(order, 1000);
				await ledger.reverseForRefund(refund);
				await assert.rejects(ledger.reverseForRefund(refund, { idempotencyKey: `other-${refund.id}` }), (error: LoyaltyError) => error.code === 'refund_already_applied' && error.field === 'refund.id');
				const a = uniqueEmail();
				const square = `SQ-${uniqueEmail()}`;
				await ledger.earnForOrder(paidOrder(a, 1000));
				await ledger.earnForOrder(paidOrder('', 1000, { source: 'square', customer: { identities: { square } } }));
				await assert.rejects(ledger.getBalance({ identities: { email: a, square } }), (error: LoyaltyError) => error.code === 'identity_conflict' && error.field === 'customer');
			});

			test('an order above the ceiling is held for approval, idempotently, and earns nothing until approved', async () => {
				const { ledger } = ledgerWith({ id: 'ceiling' });
				assert.equal(ledger.program.maxPointsPerOrder, 5000);
				const email = uniqueEmail();
				const order = paidOrder(email, 100_000_000_000, { id: `1234-${email}` });
				const held = await ledger.earnForOrder(order);
				assert.deepEqual(held.change, { available: 0, pending: 0 });
				assert.equal(held.balance.available, 0);
				assert.deepEqual(held.held, {
					points: 1_000_000_000,
					reason: `order 1234-${email} would earn 1,000,000,000 points, above the program's ceiling of 5,000 per order`,
					approvalKey: `held:woocommerce:order:1234-${email}:paid`,
				});
				assert.deepEqual(await ledger.earnForOrder(order), { ...held, replay: true });
				const waiting = await ledger.listHeld({ customer: { identities: { email } } });
				assert.equal(waiting.length, 1);
				assert.equal(waiting[0].status, 'held');
				assert.equal(waiting[0].points, 1_000_000_000);
				// Exactly at the ceiling earns as usual.
				assert.equal((await ledger.earnForOrder(paidOrder(email, 500_000))).change.available, 5000);
				// 0 turns the ceiling off.
				const { ledger: open } = ledgerWith({ id: 'ceiling-off', maxPointsPerOrder: 0 });
				assert.equal((await open.earnForOrder(paidOrder(uniqueEmail(), 100_000_000_000))).change.available, 1_000_000_000);
				assert.deepEqual(await verifyBalances(store), []);
			});

			test('approving held points credits them as an earn for the order, so a refund reverses its share', async () => {
				const { ledger } = ledgerWith({ id: 'approve' });
				const email = uniqueEmail();
				const order = paidOrder(email, 800_000);
				const { held } = await ledger.earnForOrder(order);
				assert.ok(held);
				const approved = await ledger.approveHeld({ approvalKey: held.approvalKey, decidedBy: 'Maria (owner)', reason: 'a real wholesale order' });
				assert.equal(approved.operation, 'approve_held');
				assert.deepEqual(approved.change, { available: 8000, pending: 0 });
				assert.deepEqual(approved.decision, { approvalKey: held.approvalKey, status: 'approved', points: 8000, decidedBy: 'Maria (owner)', reason: 'a real wholesale order' });
				assert.deepEqual(await ledger.approveHeld({ approvalKey: held.approvalKey, decidedBy: 'Maria (owner)' }), { ...approved, replay: true });
				const refunded = await ledger.reverseForRefund(refundOf(order, 200_000));
				assert.equal(refunded.change.available, -2000);
				await assert.rejects(ledger.declineHeld({ approvalKey: held.approvalKey, decidedBy: 'Sam' }), (error: LoyaltyError) => {
					assert.equal(error.code, 'held_already_decided');
					assert.match(error.message, /already approved by Maria \(owner\)/);
					return true;
				});
				const [row] = await ledger.listHeld({ status: 'approved', customer: { identities: { email } } });
				assert.deepEqual([row.status, row.decidedBy, row.decisionReason, row.decisionKey], ['approved', 'Maria (owner)', 'a real wholesale order', `approve:${held.approvalKey}`]);
				assert.deepEqual(await ledger.listHeld({ customer: { identities: { email } } }), []);
				assert.deepEqual(await verifyBalances(store), []);
			});

			test('a refund while points are held is taken back when they are approved; a decline credits nothing', async () => {
				const { ledger } = ledgerWith({ id: 'approve-refunded', pendingDays: 14 });
				const email = uniqueEmail();
				const order = paidOrder(email, 1_000_000);
				const { held } = await ledger.earnForOrder(order);
				assert.equal((await ledger.reverseForRefund(refundOf(order, 250_000))).change.pending, 0);
				const approved = await ledger.approveHeld({ approvalKey: held!.approvalKey, decidedBy: 'owner', idempotencyKey: `ok-${email}` });
				assert.deepEqual(approved.change, { available: 0, pending: 7500 });
				const other = paidOrder(email, 900_000);
				const second = await ledger.earnForOrder(other);
				const entries = await entryCount();
				const declined = await ledger.declineHeld({ approvalKey: second.held!.approvalKey, decidedBy: 'owner', reason: 'test order' });
				assert.deepEqual([declined.operation, declined.change, declined.decision?.status], ['decline_held', { available: 0, pending: 0 }, 'declined']);
				assert.equal(await entryCount(), entries);
				await assert.rejects(ledger.approveHeld({ approvalKey: second.held!.approvalKey, decidedBy: 'owner' }), (error: LoyaltyError) => error.code === 'held_already_decided');
				await assert.rejects(ledger.approveHeld({ approvalKey: 'held:nothing', decidedBy: 'owner' }), (error: LoyaltyError) => error.code === 'not_found' && error.field === 'approvalKey');
				await assert.rejects(ledger.approveHeld({ approvalKey: held!.approvalKey, decidedBy: ' ' }), (error: LoyaltyError) => error.field === 'decidedBy');
				assert.deepEqual(await verifyBalances(store), []);
			});

			test('property: ids and keys with control characters or over 255 characters are refused, naming the field, and write nothing', async () => {
				const { ledger } = ledgerWith({ id: 'ids' });
				const email = uniqueEmail();
				const { customerId } = await ledger.earnForOrder(paidOrder(email, 5000));
				const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
				const bad = fc.oneof(
					fc.tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 })).map(([a, c, b]) => `x${a}${c}${b}x`),
					fc.integer({ min: 256, max: 400 }).map((n) => 'k'.repeat(n)),
				);
				const entries = await entryCount();
				const identities = async () => Number((await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM customer_identities'))[0].n);
				const identitiesBefore = await identities();
				await fc.assert(
					fc.asyncProperty(bad, fc.constantFrom('square', 'customerId', 'order.id', 'refund.id', 'refund.orderId', 'idempotencyKey'), async (value, where) => {
						const attempt = {
							square: () => ledger.earnForOrder(paidOrder('', 1000, { source: 'square', customer: { identities: { square: value } } })),
							customerId: () => ledger.redeem({ customer: { customerId: value }, points: 1, idempotencyKey: 'k' }),
							'order.id': () => ledger.earnForOrder(paidOrder(email, 1000, { id: value })),
							'refund.id': () => ledger.reverseForRefund({ source: 'woocommerce', id: value, orderId: 'o', amountMinor: 1, currency: 'USD', createdAt: '2026-03-01T00:00:00Z' }),
							'refund.orderId': () => ledger.reverseForRefund({ source: 'woocommerce', id: 'r', orderId: value, amountMinor: 1, currency: 'USD', createdAt: '2026-03-01T00:00:00Z' }),
							idempotencyKey: () => ledger.adjust({ customer: { customerId }, points: 1, idempotencyKey: value, reason: 'x' }),
						}[where];
						const field = { square: 'order.customer.identities.square', customerId: 'customer.customerId', 'order.id': 'order.id', 'refund.id': 'refund.id', 'refund.orderId': 'refund.orderId', idempotencyKey: 'idempotencyKey' }[where];
						await assert.rejects(attempt(), (error: LoyaltyError) => {
							assert.equal(error.code, 'invalid_input');
							assert.equal(error.field, field);
							assert.match(error.message, /control characters|at most 255 characters/);
							return true;
						});
					}),
					{ numRuns: 60 },
				);
				assert.equal(await entryCount(), entries);
				assert.equal(await identities(), identitiesBefore, 'no identity was stored');
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
