import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { badgeReferralChampion, buildReport, compileRules, eraseCustomer, Ledger, loadContext, LoyaltyError, Referrals, renderReportHtml, verifyBalances, type OrderInput, type Store } from '../../engine';
import { backends } from '../support/stores';
import { findPersonalValues } from '../support/schemaWalk';

const DAY = 86_400_000;
const NOW = new Date('2026-05-01T12:00:00Z');

/** Row counts of the referral tables and the ledger: what "nothing was written" is checked against. */
async function counts(store: Store): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const table of ['referral_codes', 'referrals', 'referral_marks', 'ledger_entries', 'ledger_operations', 'customers']) {
		const [row] = await store.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`);
		out[table] = Number(row.n);
	}
	return out;
}

describe('referrals: codes, rewards, fraud checks and refunds', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			let clock = NOW;
			let n = 0;
			const now = () => clock;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());
			const email = (name = 'c') => `${name}${++n}x${Math.random().toString(36).slice(2, 8)}@example.com`;
			const ledger = () => new Ledger(store, { pendingDays: 0 }, { now });
			const referrals = (policy = {}) => new Referrals(store, ledger(), { friendPoints: 100, advocatePoints: 500, returnWindowDays: 30, linkTemplate: 'https://shop.example/?ref={code}', ...policy }, { now });
			const order = (address: string, id: string, extra: Partial<OrderInput> = {}, at = clock): OrderInput => ({
				source: 'woocommerce',
				id,
				status: 'paid',
				placedAt: at.toISOString(),
				currency: 'USD',
				totalMinor: 4000,
				lines: [],
				customer: { identities: { email: address } },
				...extra,
			});
			/** An advocate with one paid order on the books and a code. */
			async function advocate(extra: Partial<OrderInput> = {}) {
				const address = email('ann');
				const own = order(address, `adv-${++n}`, extra, new Date(clock.getTime() - 40 * DAY));
				await ledger().earnForOrder(own);
				await referrals().applyOrder(own);
				const code = await referrals().codeFor({ identities: { email: address } });
				return { address, ...code };
			}
			const balance = async (customerId: string) => ledger().getBalance({ customerId });

			test('a code is short, unambiguous, stored once and the same on every call; the link carries it', async () => {
				const ann = await advocate();
				assert.match(ann.code, /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{7}$/);
				assert.equal(ann.created, true);
				assert.equal(ann.link, `https://shop.example/?ref=${ann.code}`);
				const again = await referrals().codeFor({ customerId: ann.customerId });
				assert.deepEqual([again.code, again.created], [ann.code, false]);
			});

			test('eight callers creating the same customer\'s code at once get one code, stored once', async () => {
				const customer = await store.upsertCustomer({ identities: { email: email('eight') } });
				const results = await Promise.all(Array.from({ length: 8 }, () => referrals().codeFor({ customerId: customer.id })));
				assert.equal(new Set(results.map((r) => r.code)).size, 1);
				assert.equal(results.filter((r) => r.created).length, 1);
				const [row] = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM referral_codes WHERE customer_id = $1', [customer.id]);
				assert.equal(Number(row.n), 1);
			});

			test('a code for a customer nobody knows is refused naming the field, and writes nothing', async () => {
				const before = await counts(store);
				await assert.rejects(referrals().codeFor({ identities: { email: 'nobody@example.com' } }), (error: LoyaltyError) => error.code === 'not_found' && error.field === 'customer');
				assert.deepEqual(await counts(store), before);
			});

			test('a friend\'s first paid order with the code (in the note text) rewards both, pending until the return window has passed; a replay gives nothing twice', async () => {
				const ann = await advocate();
				const friend = order(email('bob'), `f-${++n}`, { referralCode: `Referred by Ann, code ${ann.code.toLowerCase().slice(0, 3)}-${ann.code.toLowerCase().slice(3)} thanks` });
				await ledger().earnForOrder(friend);
				const first = await referrals().applyOrder(friend);
				assert.equal(first.status, 'rewarded', first.message);
				assert.deepEqual([first.code, first.advocateId, first.friendPoints, first.advocatePoints, first.replay], [ann.code, ann.customerId, 100, 500, false]);
				assert.equal(first.releaseAt, new Date(clock.getTime() + 30 * DAY).toISOString());
				const annBalance = await balance(ann.customerId);
				assert.equal(annBalance.pending, 500);
				const bobBalance = await balance(first.friendId!);
				assert.equal(bobBalance.pending, 100 + 0);
				const before = await counts(store);
				const again = await referrals().applyOrder(friend);
				assert.deepEqual([again.status, again.replay], ['rewarded', true]);
				assert.deepEqual(await counts(store), before);
				assert.equal((await balance(ann.customerId)).pending, 500);
				// After the window the points are the advocate's.
				clock = new Date(NOW.getTime() + 31 * DAY);
				try {
					const released = await balance(ann.customerId);
					assert.deepEqual([released.available, released.pending], [500 + 40, 0]);
				} finally {
					clock = NOW;
				}
			});

			test('the code as a coupon on the order counts too, whatever its case and spacing', async () => {
				const ann = await advocate();
				const result = await referrals().applyOrder(order(email('cy'), `f-${++n}`, { couponCodes: ['SUMMER10', ` ${ann.code.toLowerCase()} `] }));
				assert.equal(result.status, 'rewarded', result.message);
			});

			test('a code that does not exist is a no-op that says so; nothing is written', async () => {
				await advocate();
				const before = await counts(store);
				const result = await referrals().applyOrder(order(email('dee'), `f-${++n}`, { referralCode: 'ZZZZZZZ' }));
				assert.equal(result.status, 'unknown_code');
				assert.match(result.message, /"ZZZZZZZ" does not exist.*nothing was written/);
				assert.deepEqual(await counts(store), before);
				const plain = await referrals().applyOrder(order(email('dee'), `f-${++n}`, { couponCodes: ['SUMMER10'] }));
				assert.equal(plain.status, 'no_code');
				assert.deepEqual(await counts(store), before);
			});

			test('self-referral is refused with its reason: the own code, the same mailbox written differently, the same card, the same address', async () => {
				const ann = await advocate({ paymentFingerprint: 'card-fp-ann', shippingAddress: '1 Main St, Springfield' });
				const own = await referrals().applyOrder(order(ann.address, `f-${++n}`, { referralCode: ann.code }));
				assert.deepEqual([own.status, own.reason], ['refused', 'self_referral']);
				const gmail = `ann.smith${n}@gmail.com`;
				const g = await store.upsertCustomer({ identities: { email: gmail } });
				const gCode = await referrals().codeFor({ customerId: g.id });
				const alias = await referrals().applyOrder(order(`annsmith${n}+x@gmail.com`, `f-${++n}`, { referralCode: gCode.code }));
				assert.deepEqual([alias.status, alias.reason], ['refused', 'self_referral'], alias.message);
				const card = await referrals().applyOrder(order(email('eve'), `f-${++n}`, { referralCode: ann.code, paymentFingerprint: 'card-fp-ann' }));
				assert.deepEqual([card.status, card.reason], ['refused', 'self_referral']);
				assert.match(card.message, /payment card/);
				const home = await referrals().applyOrder(order(email('fay'), `f-${++n}`, { referralCode: ann.code, shippingAddress: '1  main st. springfield' }));
				assert.deepEqual([home.status, home.reason], ['refused', 'self_referral']);
				assert.match(home.message, /shipping address/);
				assert.equal((await balance(ann.customerId)).pending, 0);
			});

			test('a friend who is not new is refused, and so is an advocate over the limit for the period', async () => {
				const ann = await advocate();
				const regular = email('gus');
				await ledger().earnForOrder(order(regular, `old-${++n}`, {}, new Date(clock.getTime() - 5 * DAY)));
				const notNew = await referrals().applyOrder(order(regular, `f-${++n}`, { referralCode: ann.code }));
				assert.deepEqual([notNew.status, notNew.reason], ['refused', 'not_new']);
				const limited = { maxReferralsPerPeriod: 2, periodDays: 30 };
				for (let i = 0; i < 2; i++) assert.equal((await referrals(limited).applyOrder(order(email('h'), `f-${++n}`, { referralCode: ann.code }))).status, 'rewarded');
				const third = await referrals(limited).applyOrder(order(email('h'), `f-${++n}`, { referralCode: ann.code }));
				assert.deepEqual([third.status, third.reason], ['refused', 'too_many']);
				assert.match(third.message, /already brought 2 in the last 30 days/);
				assert.equal((await balance(ann.customerId)).pending, 1000);
			});

			test('a refund inside the window cancels both pending rewards once; after the window it changes nothing', async () => {
				const ann = await advocate();
				const friend = order(email('ivy'), `f-${++n}`, { referralCode: ann.code });
				await ledger().earnForOrder(friend);
				const rewarded = await referrals().applyOrder(friend);
				const refund = { source: 'woocommerce' as const, id: `r-${n}`, orderId: friend.id, amountMinor: 1000, currency: 'USD', createdAt: new Date(clock.getTime() + 3 * DAY).toISOString() };
				const cancelled = await referrals().applyRefund(refund);
				assert.equal(cancelled.status, 'cancelled', cancelled.message);
				assert.deepEqual([(await balance(ann.customerId)).pending, (await balance(rewarded.friendId!)).pending], [0, 0]);
				const before = await counts(store);
				assert.equal((await referrals().applyRefund(refund)).replay, true);
				assert.equal((await referrals().applyRefund({ ...refund, id: `r2-${n}` })).status, 'unchanged');
				assert.deepEqual(await counts(store), before);

				const late = order(email('jo'), `f-${++n}`, { referralCode: ann.code });
				await referrals().applyOrder(late);
				const after = await referrals().applyRefund({ ...refund, id: `r3-${n}`, orderId: late.id, createdAt: new Date(clock.getTime() + 31 * DAY).toISOString() });
				assert.equal(after.status, 'unchanged');
				assert.match(after.message, /after the return window/);
				assert.equal((await balance(ann.customerId)).pending, 500);
				assert.deepEqual(await verifyBalances(store), []);
			});

			test('the same order again with another code is refused as a reused key; nothing changes', async () => {
				const ann = await advocate();
				const cy = await advocate();
				const friend = order(email('kim'), `f-${++n}`, { referralCode: ann.code });
				await referrals().applyOrder(friend);
				const before = await counts(store);
				await assert.rejects(referrals().applyOrder({ ...friend, referralCode: cy.code }), (error: LoyaltyError) => error.code === 'key_reused');
				assert.deepEqual(await counts(store), before);
			});

			test('the dashboard counts referrals, conversions, cancellations and refusals by reason', async () => {
				const report = await buildReport(store, { programId: 'default', now: new Date(NOW.getTime() + DAY) });
				const r = report.referrals!;
				const [row] = await store.db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM referrals WHERE program_id = 'default'");
				assert.equal(r.referrals, Number(row.n));
				assert.equal(r.referrals, r.conversions + r.cancelled + r.refused);
				assert.ok(r.conversions >= 6 && r.cancelled === 1, JSON.stringify(r));
				assert.equal(r.confirmed, 0, 'no return window has passed a day after the referrals');
				assert.deepEqual(Object.keys(r.refusedByReason).sort(), ['not_new', 'self_referral', 'too_many']);
				assert.equal(r.refusedByReason.self_referral, 4);
				const html = renderReportHtml(report);
				assert.match(html, /<h2>Referrals<\/h2>/);
				assert.match(html, /Too many referrals from one customer/);
			});

			test('when two profiles turn out to be one person, the survivor keeps its code and the referrals follow it', async () => {
				const square = await store.upsertCustomer({ identities: { square: `SQ-${++n}` } });
				const web = await store.upsertCustomer({ identities: { email: email('merge') } });
				const squareCode = await referrals().codeFor({ customerId: square.id });
				const webCode = await referrals().codeFor({ customerId: web.id });
				const friend = await referrals().applyOrder(order(email('mf'), `f-${++n}`, { referralCode: webCode.code }));
				assert.equal(friend.status, 'rewarded');
				const merged = await store.upsertCustomer({ identities: { square: square.identities.square!, email: web.identities.email! } });
				// The older profile survives; both were made in the same moment here, so either may.
				assert.ok([square.id, web.id].includes(merged.id));
				const [codes] = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM referral_codes WHERE customer_id IN ($1, $2)', [square.id, web.id]);
				assert.equal(Number(codes.n), 1, 'one code per customer per program');
				assert.equal((await referrals().codeFor({ customerId: merged.id })).code, merged.id === square.id ? squareCode.code : webCode.code, 'the survivor keeps its own code');
				const [row] = await store.db.query<{ advocate_id: string }>('SELECT advocate_id FROM referrals WHERE order_id = $1', [friend.order.id]);
				assert.equal(row.advocate_id, merged.id);
				assert.equal((await balance(merged.id)).pending, 500, 'the pending reward moved with the ledger');
			});

			test('erasing an advocate and a friend removes their codes and marks; the referral stays counted under pseudonyms with nothing personal left', async () => {
				const ann = await advocate({ shippingAddress: '9 Erase Lane, Springfield', paymentFingerprint: 'card-erase-ann' });
				const friendEmail = email('zed');
				const friend = order(friendEmail, `f-${++n}`, { referralCode: `from Ann ${ann.code}`, shippingAddress: '3 Other Road, Shelbyville' });
				await ledger().earnForOrder(friend);
				const rewarded = await referrals().applyOrder(friend);
				assert.equal(rewarded.status, 'rewarded');
				const needles = [ann.address, friendEmail, ann.customerId, rewarded.friendId!, '9 Erase Lane', '3 Other Road'];
				for (const customerId of [ann.customerId, rewarded.friendId!]) await eraseCustomer(store, { customerId }, { source: 'cli', now: NOW });
				const walk = await findPersonalValues(store, needles);
				assert.deepEqual(walk.hits, [], `personal values left in ${walk.tables.join(', ')}`);
				const [row] = await store.db.query<{ advocate_id: string; friend_id: string; status: string }>("SELECT advocate_id, friend_id, status FROM referrals WHERE order_source = 'woocommerce' AND order_id = $1", [friend.id]);
				assert.match(row.advocate_id, /^erased:/);
				assert.match(row.friend_id, /^erased:/);
				assert.equal(row.status, 'rewarded');
				const [codes] = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM referral_codes WHERE code = $1', [ann.code]);
				assert.equal(Number(codes.n), 0, 'the erased advocate\'s code no longer refers anyone');
				assert.equal((await referrals().applyOrder(order(email('late'), `f-${++n}`, { referralCode: ann.code }))).status, 'unknown_code');
			});

			test('rules count the referrals on file (profile.referralCount): rewarded ones, not refused or refunded ones', async () => {
				const ann = await advocate();
				const rules = compileRules({ version: 1, program: { timeZone: 'UTC' }, rules: badgeReferralChampion.build({ referrals: 2 }) });
				const visit = (i: number) => ({ type: 'visit' as const, occurredAt: clock.toISOString(), idempotencyKey: `visit:${ann.customerId}:${i}`, source: 'generic', customer: { identities: { email: ann.address } } });
				const counted = async (i: number) => (await loadContext(store.db, rules, visit(i), clock)).profile.referralCount;
				assert.equal(await counted(1), 0);
				const friends = [order(email('kai'), `f-${++n}`, { referralCode: ann.code }), order(email('lea'), `f-${++n}`, { referralCode: ann.code })];
				for (const friend of friends) {
					await ledger().earnForOrder(friend);
					assert.equal((await referrals().applyOrder(friend)).status, 'rewarded');
				}
				await referrals().applyOrder(order(ann.address, `f-${++n}`, { referralCode: ann.code }));
				assert.equal(await counted(2), 2, 'two friends rewarded; the own code refused and not counted');
				await referrals().applyRefund({ source: 'woocommerce', id: `r-${n}`, orderId: friends[1].id, amountMinor: 4000, currency: 'USD', createdAt: clock.toISOString() });
				assert.equal(await counted(3), 1, 'a refund inside the window takes the referral out of the count');
				const plain = compileRules({ version: 1, program: { timeZone: 'UTC' }, rules: [{ id: 'x', triggers: ['visit'], actions: [{ type: 'add_tag', tag: 'seen' }] }] });
				assert.equal((await loadContext(store.db, plain, visit(4), clock)).profile.referralCount, undefined, 'not read for rule sets that do not ask');
			});
		});
	}
});
