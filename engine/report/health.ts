import { DateTime } from 'luxon';
import { EventType } from '../model/event';
import { pointsForAmount } from '../ledger/points';
import { countQuarantined, listQuarantine } from '../intake/quarantine';
import { deliveryCounts, listParkedDeliveries } from '../intake/deliveries';
import { DAY_MS, num, type ReportContext } from './context';
import { bucketer } from './periods';
import { NotEarningReason, type HealthReport, type ReconciliationRow, type SourceHealth } from './types';

const HOUR_MS = 3_600_000;
/** How many of a source's latest events the median gap is taken over. */
const GAP_SAMPLE = 2000;

/** Events per source, quiet sources, quarantine, parked runs and the weekly order reconciliation. */
export async function healthReport(ctx: ReportContext): Promise<HealthReport> {
	const { db } = ctx.store;
	const firstDay = DateTime.fromISO(ctx.since, { zone: ctx.timeZone }).startOf('day');
	const today = DateTime.fromJSDate(ctx.now, { zone: ctx.timeZone }).startOf('day');
	const days: string[] = [];
	for (let d = firstDay; d <= today; d = d.plus({ days: 1 })) days.push(d.toISODate() ?? '');
	const lastHour = Math.floor(ctx.now.getTime() / HOUR_MS) * HOUR_MS;
	const hours = Array.from({ length: 24 }, (_, i) => new Date(lastHour - (23 - i) * HOUR_MS).toISOString());

	// Counted per UTC hour in SQL, then placed into the shop's days: exact for whole-hour zones.
	const hourly = await db.query<{ source: string; hour: string; n: number }>(
		`SELECT source, SUBSTR(received_at, 1, 13) AS hour, COUNT(*) AS n FROM events WHERE received_at >= $1 GROUP BY source, SUBSTR(received_at, 1, 13)`,
		[ctx.since],
	);
	const totals = await db.query<{ source: string; n: number; last_at: string }>('SELECT source, COUNT(*) AS n, MAX(received_at) AS last_at FROM events GROUP BY source ORDER BY source');
	const sources: SourceHealth[] = [];
	for (const row of totals) {
		const perDay = new Array<number>(days.length).fill(0);
		const perHour = new Array<number>(24).fill(0);
		for (const h of hourly) {
			if (h.source !== row.source) continue;
			const at = DateTime.fromISO(`${h.hour}:00:00Z`).setZone(ctx.timeZone);
			const day = days.indexOf(at.toISODate() ?? '');
			if (day >= 0) perDay[day] += num(h.n);
			const hourIndex = 23 - Math.round((lastHour - at.toMillis()) / HOUR_MS);
			if (hourIndex >= 0 && hourIndex < 24) perHour[hourIndex] += num(h.n);
		}
		const recent = await db.query<{ received_at: string }>('SELECT received_at FROM events WHERE source = $1 AND received_at >= $2 ORDER BY received_at DESC LIMIT $3', [
			row.source,
			ctx.since,
			GAP_SAMPLE + 1,
		]);
		const times = recent.map((r) => Date.parse(r.received_at)).reverse();
		const gaps = times.slice(1).map((t, i) => (t - times[i]) / HOUR_MS);
		const medianGapHours = gaps.length > 0 ? median(gaps) : undefined;
		const lastEventAt = new Date(row.last_at).toISOString();
		const quietHours = (ctx.now.getTime() - Date.parse(lastEventAt)) / HOUR_MS;
		const quietThresholdHours = medianGapHours === undefined ? 24 : Math.max(24, 3 * medianGapHours);
		const source: SourceHealth = { source: row.source, total: num(row.n), perDay, perHour, lastEventAt, quietHours: round1(quietHours), quietThresholdHours: round1(quietThresholdHours) };
		if (medianGapHours !== undefined) source.medianGapHours = round1(medianGapHours);
		if (quietHours > quietThresholdHours) {
			source.warning = `No event from ${row.source} for ${describeHours(quietHours)}; it usually sends one every ${describeHours(medianGapHours ?? 24)}. Check the shop's webhook and the Loyalty Trigger workflow.`;
		}
		sources.push(source);
	}

	const open = await countQuarantined(ctx.store);
	const quarantined = await listQuarantine(ctx.store, { status: 'quarantined', limit: 1000 });
	const byReason = new Map<string, { count: number; example: string }>();
	for (const q of quarantined) {
		const entry = byReason.get(q.errorCode) ?? { count: 0, example: q.errorMessage };
		entry.count++;
		byReason.set(q.errorCode, entry);
	}
	const counts = await deliveryCounts(ctx.store);
	const parked = await listParkedDeliveries(ctx.store, 20);

	return {
		days,
		hours,
		sources,
		quarantine: {
			open,
			byReason: [...byReason].map(([code, v]) => ({ code, count: v.count, example: v.example })).sort((a, b) => b.count - a.count),
			recent: quarantined.slice(0, 10).map((q) => ({ id: q.id, source: q.source, code: q.errorCode, message: q.errorMessage, lastSeenAt: q.lastSeenAt, timesSeen: q.timesSeen })),
		},
		runs: { ...counts, parkedList: parked.map((p) => ({ eventId: p.eventId, eventType: p.eventType, attempts: p.attempts, lastError: p.lastError, workflowId: p.workflowId })) },
		reconciliation: await reconciliation(ctx),
	};
}

interface SeenOrder {
	source: string;
	id: string;
	placedAt: string;
	status: string;
	currency: string;
	totalMinor: number;
}

/**
 * Per period: orders the shop told us about (purchase events) and orders the store recorded,
 * against orders the ledger credited; every order that earned nothing gets its reason.
 */
async function reconciliation(ctx: ReportContext): Promise<HealthReport['reconciliation']> {
	const { db } = ctx.store;
	const bucketOf = bucketer(ctx.periods);
	const rows: ReconciliationRow[] = ctx.periods.map((p) => ({ key: p.key, ordersSeen: 0, ordersRecorded: 0, ordersEarning: 0, notEarning: {}, quarantined: 0 }));
	// Orders are looked up from a little before the window: an order placed on its first day may have arrived the day before.
	const from = new Date(Date.parse(ctx.since) - DAY_MS).toISOString();
	const seen = new Map<string, SeenOrder>();
	const purchases = await db.query<{ payload: string }>('SELECT payload FROM events WHERE type = $1 AND occurred_at >= $2 ORDER BY received_at', [EventType.Purchase, from]);
	for (const row of purchases) {
		const order = (JSON.parse(row.payload) as { order?: { source: string; id: string; status: string; currency: string; totalMinor: number; placedAt: string } }).order;
		if (!order) continue;
		const key = `${order.source}\u0000${order.id}`;
		const before = seen.get(key);
		// A paid status wins: later "processing" echoes do not undo it.
		if (before?.status === 'paid' && order.status !== 'paid') continue;
		seen.set(key, { source: order.source, id: order.id, placedAt: new Date(order.placedAt).toISOString(), status: order.status, currency: order.currency, totalMinor: order.totalMinor });
	}
	const recorded = await db.query<{ source: string; id: string; placed_at: string; status: string; currency: string; total_minor: number }>(
		'SELECT source, id, placed_at, status, currency, total_minor FROM orders WHERE placed_at >= $1',
		[ctx.since],
	);
	const recordedKeys = new Set<string>();
	for (const r of recorded) {
		const key = `${r.source}\u0000${r.id}`;
		recordedKeys.add(key);
		if (!seen.has(key)) seen.set(key, { source: r.source, id: r.id, placedAt: r.placed_at, status: r.status, currency: r.currency, totalMinor: num(r.total_minor) });
	}
	const earning = new Set(
		(
			await db.query<{ order_source: string; order_id: string }>(
				`SELECT DISTINCT order_source, order_id FROM ledger_entries WHERE program_id = $1 AND kind IN ('earn', 'pending') AND order_id IS NOT NULL AND created_at >= $2`,
				[ctx.programId, from],
			)
		).map((r) => `${r.order_source}\u0000${r.order_id}`),
	);
	const held = new Map(
		(await db.query<{ order_source: string; order_id: string; status: string }>('SELECT order_source, order_id, status FROM ledger_held WHERE program_id = $1 AND created_at >= $2', [ctx.programId, from])).map(
			(r) => [`${r.order_source}\u0000${r.order_id}`, r.status],
		),
	);
	const examples: HealthReport['reconciliation']['examples'] = [];
	for (const [key, order] of seen) {
		const index = bucketOf(order.placedAt);
		if (index < 0) continue;
		const row = rows[index];
		row.ordersSeen++;
		if (recordedKeys.has(key)) row.ordersRecorded++;
		if (earning.has(key)) {
			row.ordersEarning++;
			continue;
		}
		const reason = notEarningReason(ctx, order, held.get(key));
		row.notEarning[reason] = (row.notEarning[reason] ?? 0) + 1;
		if (examples.length < 20) examples.push({ source: order.source, orderId: order.id, placedAt: order.placedAt, reason });
	}
	for (const q of await db.query<{ first_seen_at: string }>('SELECT first_seen_at FROM intake_quarantine WHERE first_seen_at >= $1', [ctx.since])) {
		const index = bucketOf(q.first_seen_at);
		if (index >= 0) rows[index].quarantined++;
	}
	return { rows, examples };
}

function notEarningReason(ctx: ReportContext, order: SeenOrder, heldStatus: string | undefined): string {
	if (heldStatus === 'held') return NotEarningReason.HeldForApproval;
	if (heldStatus === 'declined') return NotEarningReason.Declined;
	if (order.status !== 'paid') return NotEarningReason.NotPaid;
	const rate = ctx.program.earnRates[order.currency];
	if (!rate) return NotEarningReason.NoEarnRate;
	if (pointsForAmount(order.totalMinor, rate, ctx.program.rounding) <= 0) return NotEarningReason.BelowMinimum;
	return NotEarningReason.NotProcessed;
}

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function describeHours(hours: number): string {
	if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} minutes`;
	if (hours < 48) return `${Math.round(hours)} hours`;
	return `${Math.round(hours / 24)} days`;
}
