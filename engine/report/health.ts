import { DateTime } from 'luxon';
import { pointsForAmount } from '../ledger';
import { countQuarantined, deliveryCounts, listParkedDeliveries, listQuarantine } from '../intake';
import { num, type ReportContext } from './context';
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

	// Counted per UTC hour by the fold (engine/report/fold.ts), then placed into the shop's days: exact for whole-hour zones.
	const hourly = await db.query<{ source: string; hour: string; n: number }>('SELECT source, hour, n FROM report_event_hours WHERE hour >= $1', [ctx.since.slice(0, 13)]);
	const totals = await db.query<{ source: string; n: number; last_at: string }>('SELECT source, SUM(n) AS n, MAX(last_at) AS last_at FROM report_event_hours GROUP BY source ORDER BY source');
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
		const quietThresholdHours = medianGapHours === undefined ? ctx.minQuietHours : Math.max(ctx.minQuietHours, ctx.quietFactor * medianGapHours);
		const source: SourceHealth = { source: row.source, total: num(row.n), perDay, perHour, lastEventAt, quietHours: round1(quietHours), quietThresholdHours: round1(quietThresholdHours) };
		if (medianGapHours !== undefined) source.medianGapHours = round1(medianGapHours);
		if (quietHours > quietThresholdHours) {
			source.warning = `No event from ${row.source} for ${describeHours(quietHours)}; it usually sends one every ${describeHours(medianGapHours ?? ctx.minQuietHours)}. Check the shop's webhook and the Loyalty Trigger workflow.`;
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
	at: string;
	paid: boolean;
	currency: string;
	totalMinor: number;
}

/**
 * Per period: orders the shop told us about (purchase events, by when the event happened) and
 * orders the store recorded, against orders the ledger credited; every order that earned nothing
 * gets its reason. One statement de-duplicates and matches the orders in SQL: those that earned
 * come back counted per hour, only those that earned nothing come back one by one.
 */
async function reconciliation(ctx: ReportContext): Promise<HealthReport['reconciliation']> {
	const { db } = ctx.store;
	const bucketOf = bucketer(ctx.periods);
	const rows: ReconciliationRow[] = ctx.periods.map((p) => ({ key: p.key, ordersSeen: 0, ordersRecorded: 0, ordersEarning: 0, notEarning: {}, quarantined: 0 }));
	const sinceHour = ctx.since.slice(0, 13);
	// Orders summarised by the fold (engine/report/fold.ts): counted per hour; only those that earned nothing come back one by one.
	const counts = await db.query<{ hour: string; seen: number; recorded: number; earning: number | null }>(
		`SELECT h.hour, h.seen, h.recorded, e.n AS earning FROM report_order_hours h LEFT JOIN report_earn_hours e ON e.program_id = $1 AND e.hour = h.hour WHERE h.hour >= $2`,
		[ctx.programId, sinceHour],
	);
	const unearned = (where: string) =>
		db.query<{ hour: string; recorded: number; src: string; oid: string; paid: number; at: string; cur: string | null; total: number | null; held: string | null }>(
			`SELECT hour, recorded, source AS src, id AS oid, paid, at, cur, total,
				(SELECT h.status FROM ledger_held h WHERE h.program_id = $1 AND h.order_source = f.source AND h.order_id = f.id ORDER BY h.created_at DESC LIMIT 1) AS held
			 FROM report_orders f WHERE hour >= $2 AND ${where}`,
			[ctx.programId, sinceHour],
		);
	const result = await unearned('earned = 0');
	// Orders another program credited and this one did not: only looked for when the counts say there are some.
	const seen = counts.reduce((sum, c) => sum + num(c.seen), 0);
	const earning = counts.reduce((sum, c) => sum + num(c.earning), 0);
	if (seen - earning > result.length) {
		result.push(...(await unearned('earned > 0 AND NOT EXISTS (SELECT 1 FROM report_order_earns e WHERE e.program_id = $1 AND e.source = f.source AND e.id = f.id)')));
	}
	for (const c of counts) {
		const index = bucketOf(`${c.hour}:00:00.000Z`);
		if (index < 0) continue;
		rows[index].ordersSeen += num(c.seen);
		rows[index].ordersRecorded += num(c.recorded);
		rows[index].ordersEarning += num(c.earning);
	}
	const examples: HealthReport['reconciliation']['examples'] = [];
	for (const r of result) {
		const index = bucketOf(`${r.hour}:00:00.000Z`);
		if (index < 0) continue;
		const row = rows[index];
		const order: SeenOrder = { source: String(r.src), id: String(r.oid), at: new Date(String(r.at)).toISOString(), paid: num(r.paid) === 1, currency: String(r.cur), totalMinor: num(r.total) };
		const reason = notEarningReason(ctx, order, r.held ?? undefined);
		row.notEarning[reason] = (row.notEarning[reason] ?? 0) + 1;
		examples.push({ source: order.source, orderId: order.id, at: order.at, reason });
	}
	examples.sort((a, b) => a.at.localeCompare(b.at) || a.orderId.localeCompare(b.orderId));
	examples.splice(20);
	for (const q of await db.query<{ hour: string; n: number }>('SELECT SUBSTR(first_seen_at, 1, 13) AS hour, COUNT(*) AS n FROM intake_quarantine WHERE first_seen_at >= $1 GROUP BY SUBSTR(first_seen_at, 1, 13)', [ctx.since])) {
		const index = bucketOf(`${q.hour}:00:00.000Z`);
		if (index >= 0) rows[index].quarantined += num(q.n);
	}
	return { rows, examples };
}

function notEarningReason(ctx: ReportContext, order: SeenOrder, heldStatus: string | undefined): string {
	if (heldStatus === 'held') return NotEarningReason.HeldForApproval;
	if (heldStatus === 'declined') return NotEarningReason.Declined;
	if (!order.paid) return NotEarningReason.NotPaid;
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
	const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
	if (hours < 1) return count(Math.max(1, Math.round(hours * 60)), 'minute');
	if (hours < 48) return count(Math.round(hours), 'hour');
	return count(Math.round(hours / 24), 'day');
}
