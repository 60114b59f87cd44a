import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertKind, Ledger, NotEarningReason, acceptEvents, buildReport, healthAlerts, quarantineDelivery, renderReportHtml, type LoyaltyEvent, type LoyaltyReport, type OrderInput, type Store } from '../../engine';
import { paidOrder } from '../support/fixtures';
import { backends } from '../support/stores';

const NOW = new Date('2026-03-20T12:00:00Z');
const PROGRAM = { id: 'shop', earnRates: { USD: { points: 1, perMinor: 100 } }, maxPointsPerOrder: 1000 };

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

describe('report', async () => {
	for (const backend of await backends()) {
		describe(`report on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			let report: LoyaltyReport;
			const orders: Record<string, OrderInput> = {};

			before(async () => {
				({ store, cleanup } = await backend.open());
				let clock = new Date('2025-01-10T10:00:00Z');
				const ledger = new Ledger(store, PROGRAM, { now: () => clock });
				// A cohort old enough for breakage: 100 points earned 14 months ago, 30 of them redeemed.
				orders.old = paidOrder('ann@example.com', 10_000, { placedAt: '2025-01-10T09:00:00Z' });
				await ledger.earnForOrder(orders.old);
				clock = new Date('2025-02-01T10:00:00Z');
				await ledger.redeem({ customer: { identities: { email: 'ann@example.com' } }, points: 30, idempotencyKey: 'redeem-ann-1' });

				// This week: five orders arrive; the workflow credits two of them.
				clock = new Date('2026-03-17T10:00:00Z');
				orders.earned = paidOrder('bob@example.com', 2_500, { placedAt: '2026-03-17T09:00:00Z' });
				orders.tiny = paidOrder('cat@example.com', 50, { placedAt: '2026-03-17T09:05:00Z' });
				orders.euro = paidOrder('dan@example.com', 4_000, { placedAt: '2026-03-17T09:10:00Z', currency: 'EUR' });
				orders.big = paidOrder('eve@example.com', 200_000, { placedAt: '2026-03-17T09:15:00Z' });
				orders.waiting = paidOrder('fay@example.com', 3_000, { placedAt: '2026-03-17T09:20:00Z' });
				await acceptEvents(store, Object.entries(orders).filter(([k]) => k !== 'old').map(([, o]) => purchaseOf(o)), clock);
				await ledger.earnForOrder(orders.earned);
				await ledger.earnForOrder(orders.big); // above the ceiling: held
				clock = new Date('2026-03-18T10:00:00Z');
				await ledger.redeem({ customer: { identities: { email: 'bob@example.com' } }, points: 10, idempotencyKey: 'redeem-bob-1' });
				await quarantineDelivery(store, { source: 'square', headers: {}, body: Buffer.from('{"broken":true}'), error: { code: 'invalid_input', message: 'order.total is not a number' } }, new Date('2026-03-18T11:00:00Z'));
				report = await buildReport(store, { programId: 'shop', program: PROGRAM, now: NOW, timeZone: 'UTC' });
			});
			after(async () => cleanup?.());

			test('points issued, redeemed and outstanding come from the ledger; liability is outstanding × redemption value', () => {
				assert.equal(report.empty, false);
				assert.equal(report.program.points.issued, 125);
				assert.equal(report.program.points.redeemed, 40);
				assert.equal(report.program.outstanding.total, 85);
				assert.equal(report.program.liability.redemptionValue, 0.01);
				assert.equal(report.program.liability.minor, 85);
				assert.equal(report.program.redemptionRate, 40 / 125);
				assert.equal(report.program.held.count, 1);
				assert.equal(report.program.held.points, 2000);
				// This week's bar holds Bob's 25 points and his 10 redeemed; Ann's are older than the window.
				assert.equal(report.program.points.issuedPerPeriod.at(-1), 25);
				assert.equal(report.program.points.redeemedPerPeriod.at(-1), 10);
				assert.equal(report.program.points.issuedPerPeriod.reduce((a, b) => a + b, 0), 25);
			});

			test('members, new members and active members', () => {
				// Ann, Bob, and Eve (whose points wait for approval); the others never earned.
				assert.equal(report.program.members, 3);
				assert.equal(report.program.newMembers, 2, 'Bob and Eve were first seen in the window');
				assert.equal(report.program.activeMembers, 1, 'only Bob earned or redeemed within 90 days');
			});

			test('breakage is estimated from the cohort earned 12+ months ago: 70 of its 100 points were never redeemed', () => {
				assert.equal(report.program.breakage.status, 'estimated');
				assert.equal(report.program.breakage.cohortPoints, 100);
				assert.equal(report.program.breakage.unredeemedPoints, 70);
				assert.equal(report.program.breakage.share, 0.7);
			});

			test('reconciliation: every order that earned nothing has its reason', () => {
				const week = report.health.reconciliation.rows.at(-1)!;
				assert.equal(week.key, '2026-03-16');
				assert.equal(week.ordersSeen, 5);
				assert.equal(week.ordersEarning, 1);
				assert.deepEqual(week.notEarning, {
					[NotEarningReason.BelowMinimum]: 1,
					[NotEarningReason.NoEarnRate]: 1,
					[NotEarningReason.HeldForApproval]: 1,
					[NotEarningReason.NotProcessed]: 1,
				});
				assert.equal(week.quarantined, 1);
				const waiting = report.health.reconciliation.examples.find((e) => e.orderId === orders.waiting.id);
				assert.equal(waiting?.reason, NotEarningReason.NotProcessed);
			});

			test('health: events per source and day, quarantine by reason', () => {
				const woo = report.health.sources.find((s) => s.source === 'woocommerce');
				assert.ok(woo);
				assert.equal(woo.total, 5);
				assert.equal(woo.perDay[report.health.days.indexOf('2026-03-17')], 5);
				assert.equal(woo.perDay.reduce((a, b) => a + b, 0), 5);
				assert.equal(report.health.quarantine.open, 1);
				assert.deepEqual(report.health.quarantine.byReason, [{ code: 'invalid_input', count: 1, example: 'order.total is not a number' }]);
			});

			test('a source quiet for longer than 3× its usual gap (at least 24 h) is flagged', () => {
				const woo = report.health.sources.find((s) => s.source === 'woocommerce')!;
				// All five arrived together (median gap 0): quiet for 3 days > the 24-hour floor.
				assert.equal(woo.quietThresholdHours, 24);
				assert.match(woo.warning ?? '', /No event from woocommerce for 3 days/);
			});

			test('members and non-members: repeat rate and average order in the report currency only', () => {
				assert.equal(report.customers.caveat.includes('not causal'), true);
				// The store records the orders the ledger saw in USD: Ann's, Bob's and Eve's (held); all three are members.
				assert.deepEqual(report.customers.members, { customers: 3, orders: 3, repeatRate: 0, averageOrderMinor: Math.round((10_000 + 2_500 + 200_000) / 3) });
				assert.deepEqual(report.customers.nonMembers, { customers: 0, orders: 0 });
			});

			test('health alerts name what needs the owner now', async () => {
				assert.deepEqual(healthAlerts(report).map((a) => a.kind), [AlertKind.QuietSource, AlertKind.Quarantine, AlertKind.HeldPoints]);
				// A week later the order nobody processed is from an earlier week, and is called out too.
				const later = await buildReport(store, { programId: 'shop', program: PROGRAM, now: new Date('2026-03-27T12:00:00Z'), timeZone: 'UTC' });
				const unprocessed = healthAlerts(later).find((a) => a.kind === AlertKind.Unprocessed);
				assert.match(unprocessed?.message ?? '', /^1 paid orders from earlier weeks earned no points/);
			});

			test('the page renders the same figures', () => {
				const html = renderReportHtml(report);
				assert.match(html, /data-figure="outstanding-points">85</);
				assert.match(html, /data-figure="liability">\$0\.85</);
				assert.match(html, /data-figure="breakage">70%</);
				assert.match(html, /<h2>Needs your attention<\/h2><ul><li>No event from woocommerce/);
				assert.doesNotMatch(html, /<script|https?:\/\//i);
			});

			test('an empty program says so', async () => {
				const empty = await buildReport(store, { programId: 'nobody', now: NOW });
				// Events are shared by all programs, so "empty" needs a store without them: a fresh one.
				assert.equal(empty.program.members, 0);
				assert.equal(empty.program.breakage.status, 'not_enough_history');
				const fresh = await backend.open();
				try {
					const nothing = await buildReport(fresh.store, { now: NOW });
					assert.equal(nothing.empty, true);
					assert.match(renderReportHtml(nothing), /No data yet — here is how to connect your shop/);
				} finally {
					await fresh.cleanup();
				}
			});
		});
	}
});
