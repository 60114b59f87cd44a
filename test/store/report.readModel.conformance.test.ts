import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptEvents, buildReport, eraseCustomer, foldReport, Ledger, type CustomerInput, type LoyaltyEvent, type LoyaltyReport, type OrderInput, type Store } from '../../engine';
import { parseOrder } from '../../engine/model/parseOrder';
import { upsertOrder } from '../../engine/store/orders';
import { paidOrder, refundOf } from '../support/fixtures';
import { backends } from '../support/stores';

/**
 * The dashboard reads a read model folded from the base tables (engine/report/fold.ts). Its oracle
 * here is a plain recomputation in JavaScript from every base row: after each kind of write
 * (earns, redemptions, refunds, orders the ledger never credited, merges, erasure, a late row with
 * an old time, two folds at once) every figure the page shows must equal the oracle's.
 */
const PROGRAM = { id: 'shop', earnRates: { USD: { points: 1, perMinor: 100 } }, maxPointsPerOrder: 1000 };
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Figures {
	points: Record<string, number | number[]>;
	activeMembers: number;
	breakage: { status: string; cohortPoints: number; expiredPoints: number; unredeemedPoints: number };
	sources: Array<{ source: string; total: number; lastEventAt: string; perDay: number[] }>;
	reconciliation: Array<{ seen: number; recorded: number; earning: number; notEarning: number }>;
	unearnedOrders: string[];
	customers: Record<string, unknown>;
}

function figuresOf(report: LoyaltyReport): Figures {
	const p = report.program.points;
	return {
		points: { issued: p.issued, redeemed: p.redeemed, expired: p.expired, reversed: p.reversed, adjustedNet: p.adjustedNet, issuedPerPeriod: p.issuedPerPeriod, redeemedPerPeriod: p.redeemedPerPeriod, expiredPerPeriod: p.expiredPerPeriod },
		activeMembers: report.program.activeMembers,
		breakage: { status: report.program.breakage.status, cohortPoints: report.program.breakage.cohortPoints, expiredPoints: report.program.breakage.expiredPoints, unredeemedPoints: report.program.breakage.unredeemedPoints },
		sources: report.health.sources.map((s) => ({ source: s.source, total: s.total, lastEventAt: s.lastEventAt ?? '', perDay: s.perDay })),
		reconciliation: report.health.reconciliation.rows.map((r) => ({ seen: r.ordersSeen, recorded: r.ordersRecorded, earning: r.ordersEarning, notEarning: Object.values(r.notEarning).reduce((a, b) => a + b, 0) })),
		unearnedOrders: report.health.reconciliation.examples.map((e) => `${e.source}/${e.orderId}`).sort(),
		customers: { members: report.customers.members, nonMembers: report.customers.nonMembers, otherCurrencyOrders: report.customers.otherCurrencyOrders },
	};
}

/** Every figure, recomputed from the base rows alone (UTC report, weekly periods). */
async function oracle(store: Store, report: LoyaltyReport, now: Date): Promise<Figures> {
	const { db } = store;
	const n = (x: unknown) => Number(x ?? 0);
	const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;
	const bucket = (iso: string) => report.periods.findIndex((b) => hourOf(iso) >= new Date(b.start).toISOString() && hourOf(iso) < new Date(b.end).toISOString());
	const since = new Date(report.periods[0].start).toISOString();
	const zeros = () => new Array<number>(report.periods.length).fill(0);

	const ledger = (await db.query<{ id: number; program_id: string; customer_id: string; kind: string; available_delta: number; pending_delta: number; lot_id: number | null; order_source: string | null; order_id: string | null; created_at: string }>(
		'SELECT * FROM ledger_entries',
	)).filter((e) => e.program_id === PROGRAM.id);
	const delta = (e: (typeof ledger)[number]) => n(e.available_delta) + n(e.pending_delta);
	const sum = (kinds: string[]) => ledger.filter((e) => kinds.includes(e.kind)).reduce((s, e) => s + delta(e), 0);
	const per = (kinds: string[], sign: number) => {
		const out = zeros();
		for (const e of ledger) if (kinds.includes(e.kind) && bucket(e.created_at) >= 0) out[bucket(e.created_at)] += sign * delta(e);
		return out.map((x) => x + 0);
	};
	const activeSince = new Date(now.getTime() - 90 * DAY_MS).toISOString();
	const active = new Set(ledger.filter((e) => ['earn', 'pending', 'redeem'].includes(e.kind) && e.created_at >= activeSince).map((e) => e.customer_id));
	const cutoffHour = new Date(now.getTime() - 365 * DAY_MS).toISOString().slice(0, 13);
	const lots = new Map(ledger.filter((e) => ['earn', 'pending'].includes(e.kind) && e.created_at.slice(0, 13) < cutoffHour).map((e) => [n(e.id), e]));
	const cohort = [...lots.values()].reduce((s, e) => s + delta(e), 0);
	const moved = (kind: string) => 0 - ledger.filter((e) => e.kind === kind && e.lot_id !== null && lots.has(n(e.lot_id))).reduce((s, e) => s + delta(e), 0);
	const base = cohort - moved('reverse');
	const breakage =
		cohort <= 0 || base <= 0
			? { status: 'not_enough_history', cohortPoints: cohort <= 0 ? 0 : cohort, expiredPoints: 0, unredeemedPoints: 0 }
			: { status: 'estimated', cohortPoints: base, expiredPoints: moved('expire'), unredeemedPoints: base - moved('redeem') - moved('expire') };

	const events = await db.query<{ type: string; source: string; occurred_at: string; received_at: string; payload: string }>('SELECT type, source, occurred_at, received_at, payload FROM events');
	const days = report.health.days;
	const sources = [...new Set(events.map((e) => e.source))].sort().map((source) => {
		const mine = events.filter((e) => e.source === source);
		const perDay = days.map(() => 0);
		for (const e of mine) if (e.received_at >= since) perDay[days.indexOf(e.received_at.slice(0, 10))] += 1;
		return { source, total: mine.length, lastEventAt: new Date(mine.map((e) => e.received_at).sort().at(-1) ?? '').toISOString(), perDay };
	});

	const orders = await db.query<{ source: string; id: string; customer_id: string; status: string; placed_at: string; currency: string; total_minor: number }>('SELECT * FROM orders');
	const seen = new Map<string, { at: string; recorded: boolean }>();
	const see = (source: string, id: string, at: string, recorded: boolean) => {
		const key = `${source}/${id}`;
		const old = seen.get(key);
		seen.set(key, { at: old && old.at < at ? old.at : at, recorded: recorded || (old?.recorded ?? false) });
	};
	for (const e of events) {
		if (e.type !== 'purchase') continue;
		const order = (JSON.parse(e.payload) as { order?: { source?: string; id?: string } }).order;
		if (order?.source && order.id) see(order.source, order.id, e.occurred_at, false);
	}
	for (const o of orders) see(o.source, o.id, o.placed_at, true);
	const earned = new Set(ledger.filter((e) => ['earn', 'pending'].includes(e.kind) && e.order_id).map((e) => `${e.order_source}/${e.order_id}`));
	const reconciliation = report.periods.map(() => ({ seen: 0, recorded: 0, earning: 0, notEarning: 0 }));
	const unearned: Array<{ key: string; at: string; id: string }> = [];
	for (const [key, o] of seen) {
		const i = bucket(o.at);
		if (i < 0) continue;
		reconciliation[i].seen++;
		if (o.recorded) reconciliation[i].recorded++;
		if (earned.has(key)) reconciliation[i].earning++;
		else {
			reconciliation[i].notEarning++;
			unearned.push({ key, at: new Date(o.at).toISOString(), id: key.slice(key.indexOf('/') + 1) });
		}
	}

	const accounts = new Set((await db.query<{ customer_id: string }>('SELECT customer_id FROM loyalty_accounts WHERE program_id = $1', [PROGRAM.id])).map((a) => a.customer_id));
	const perCustomer = new Map<string, { n: number; total: number }>();
	for (const o of orders) {
		if (o.currency !== report.currency) continue;
		const c = perCustomer.get(o.customer_id) ?? { n: 0, total: 0 };
		c.n++;
		c.total += n(o.total_minor);
		perCustomer.set(o.customer_id, c);
	}
	const group = (member: boolean) => {
		const list = [...perCustomer].filter(([id]) => accounts.has(id) === member).map(([, c]) => c);
		const count = list.reduce((s, c) => s + c.n, 0);
		const total = list.reduce((s, c) => s + c.total, 0);
		return { customers: list.length, orders: count, ...(list.length ? { repeatRate: list.filter((c) => c.n >= 2).length / list.length } : {}), ...(count ? { averageOrderMinor: Math.round(total / count) } : {}) };
	};
	return {
		points: {
			issued: sum(['earn', 'pending']),
			redeemed: -sum(['redeem']) + 0,
			expired: -sum(['expire']) + 0,
			reversed: -sum(['reverse']) + 0,
			adjustedNet: sum(['adjust']),
			issuedPerPeriod: per(['earn', 'pending'], 1),
			redeemedPerPeriod: per(['redeem'], -1),
			expiredPerPeriod: per(['expire'], -1),
		},
		activeMembers: active.size,
		breakage,
		sources,
		reconciliation,
		// The page lists the 20 oldest.
		unearnedOrders: unearned
			.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
			.slice(0, 20)
			.map((u) => u.key)
			.sort(),
		customers: { members: group(true), nonMembers: group(false), otherCurrencyOrders: orders.filter((o) => o.currency !== report.currency).length },
	};
}

function purchaseOf(order: OrderInput): LoyaltyEvent {
	return {
		id: `delivery-${order.id}`,
		type: 'purchase',
		source: 'woocommerce',
		occurredAt: order.placedAt,
		idempotencyKey: `${order.source}:order:${order.id}:${order.status}`,
		customer: order.customer,
		order: { ...order, lines: order.lines ?? [] } as LoyaltyEvent['order'],
	};
}

describe('the dashboard read model equals the base tables', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			let clock = new Date('2025-01-06T10:00:00Z');
			let ledger: Ledger;
			const placed: OrderInput[] = [];
			let sequence = 0;

			/** `count` orders over the next hours: most with a purchase event, two in three credited, some too small, some in euros. */
			async function shop(count: number, emails: readonly string[]): Promise<void> {
				for (let i = 0; i < count; i++) {
					sequence++;
					clock = new Date(clock.getTime() + 5 * HOUR_MS + (sequence % 7) * 60_000);
					const order = paidOrder(emails[sequence % emails.length], sequence % 9 === 0 ? 40 : 1_000 + sequence * 37, {
						placedAt: new Date(clock.getTime() - 30 * 60_000).toISOString(),
						...(sequence % 11 === 0 ? { currency: 'EUR' } : {}),
					});
					placed.push(order);
					if (sequence % 5 !== 0) await acceptEvents(store, [purchaseOf(order)], clock);
					if (order.currency === 'USD' && sequence % 3 !== 0) await ledger.earnForOrder(order);
					else if (sequence % 2 === 0) await recordOrder(order);
				}
			}

			/** An order the store recorded that the ledger never credited. */
			async function recordOrder(order: OrderInput): Promise<void> {
				const customer = await store.upsertCustomer(order.customer as CustomerInput, clock);
				await store.transaction((sql) => upsertOrder(sql, parseOrder(order), customer.id, clock.toISOString()));
			}

			async function check(label: string, fold?: () => Promise<unknown>): Promise<void> {
				if (fold) await fold();
				const report = await buildReport(store, { programId: PROGRAM.id, program: PROGRAM, now: clock, timeZone: 'UTC' });
				assert.deepEqual(figuresOf(report), await oracle(store, report, clock), label);
			}

			before(async () => {
				({ store, cleanup } = await backend.open());
				ledger = new Ledger(store, PROGRAM, { now: () => clock });
			});
			after(async () => cleanup?.());

			test('after a history of earns, redemptions and refunds (a cohort old enough for breakage)', async () => {
				await shop(40, ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com']);
				await ledger.redeem({ customer: { identities: { email: 'ann@example.com' } }, points: 15, idempotencyKey: 'redeem-ann' });
				await ledger.reverseForRefund(refundOf(placed[1], 500));
				clock = new Date('2026-02-20T10:00:00Z');
				await shop(60, ['ann@example.com', 'bob@example.com', 'eve@example.com', 'fay@example.com', 'gus@example.com']);
				await ledger.redeem({ customer: { identities: { email: 'bob@example.com' } }, points: 12, idempotencyKey: 'redeem-bob' });
				await ledger.reverseForRefund(refundOf(placed[45], 700));
				await check('first fold, whole history');
				const again = await foldReport(store);
				assert.equal(again.ledgerEntries, 0, 'nothing new in the ledger: nothing folded twice');
				await check('a second look changes nothing');
			});

			test('after further writes, a merge of two profiles and an erasure', async () => {
				await shop(10, ['hal@example.com', 'ann@example.com']);
				// A Square profile with its own orders, then one webhook naming both: the profiles merge.
				await shop(4, ['sq-person@example.com']);
				const square = await store.upsertCustomer({ identities: { square: 'SQ-1' } });
				for (let i = 0; i < 3; i++) {
					clock = new Date(clock.getTime() + HOUR_MS);
					const order = paidOrder('unused@example.com', 2_000 + i, { placedAt: clock.toISOString(), customer: { identities: { square: 'SQ-1' } } });
					await acceptEvents(store, [purchaseOf(order)], clock);
					await ledger.earnForOrder(order);
				}
				await check('before the merge');
				const merged = await store.upsertCustomer({ identities: { square: 'SQ-1', email: 'hal@example.com' } });
				assert.notEqual(merged.id, undefined);
				assert.ok(square.id);
				await check('after the merge');
				await eraseCustomer(store, { identities: { email: 'bob@example.com' } }, { source: 'cli', now: clock });
				await check('after an erasure');
			});

			test('a row written with a time older than the fold looked at is still counted', async () => {
				const late = new Date(clock.getTime() - 3 * DAY_MS);
				const order = paidOrder('late@example.com', 3_300, { placedAt: late.toISOString() });
				await acceptEvents(store, [purchaseOf(order)], late);
				await new Ledger(store, PROGRAM, { now: () => late }).earnForOrder(order);
				// Found by the count a fold makes at most once a minute (forced here).
				await check('late rows', () => foldReport(store, { verify: true }));
			});

			test('two folds at once count every row once', async () => {
				await shop(30, ['ivy@example.com', 'jon@example.com', 'ann@example.com']);
				await check('two folders', () => Promise.all([foldReport(store), foldReport(store), foldReport(store)]));
			});
		});
	}
});
