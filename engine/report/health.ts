import { DateTime } from 'luxon';
import { pointsForAmount } from '../ledger';
import { countQuarantined, deliveryCounts, listParkedDeliveries, listQuarantine } from '../intake';
import { queryRows, ROWS } from '../store/multiRow';
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

/**
 * Per period: orders the shop told us about (purchase events, by when the event happened) and
 * orders the store recorded, against orders the ledger credited; every order that earned nothing
 * gets its reason. Read from the orders the fold summarised (engine/report/fold.ts), each counted
 * in the hour it was first seen: counts per hour, the orders that earned nothing grouped by hour
 * and reason in SQL, and only the 20 oldest of them one by one.
 */
async function reconciliation(ctx: ReportContext): Promise<HealthReport['reconciliation']> {
	const { db } = ctx.store;
	const bucketOf = bucketer(ctx.periods);
	const rows: ReconciliationRow[] = ctx.periods.map((p) => ({ key: p.key, ordersSeen: 0, ordersRecorded: 0, ordersEarning: 0, notEarning: {}, quarantined: 0 }));
	const sinceHour = ctx.since.slice(0, 13);
	const add = (hour: string, reason: string, n: number) => {
		const index = bucketOf(`${hour}:00:00.000Z`);
		if (index >= 0) rows[index].notEarning[reason] = (rows[index].notEarning[reason] ?? 0) + n;
	};
	const counts = await db.query<{ hour: string; seen: number; recorded: number; earning: number | null }>(
		`SELECT h.hour, h.seen, h.recorded, e.n AS earning FROM report_order_hours h LEFT JOIN report_earn_hours e ON e.program_id = $1 AND e.hour = h.hour WHERE h.hour >= $2`,
		[ctx.programId, sinceHour],
	);
	for (const c of counts) {
		const index = bucketOf(`${c.hour}:00:00.000Z`);
		if (index < 0) continue;
		rows[index].ordersSeen += num(c.seen);
		rows[index].ordersRecorded += num(c.recorded);
		rows[index].ordersEarning += num(c.earning);
	}
	const unearnedTotal = counts.reduce((sum, c) => sum + num(c.seen) - num(c.earning), 0);

	// $1 is the window's first hour, then the reason's parameters, then the program where needed.
	const { reasonSql, reasonParams } = reasonInSql(ctx, 2);
	const programParam = `$${reasonParams.length + 2}`;
	const unearned = [
		{ where: 'f.earned = 0', params: [] as unknown[] },
		// Orders another program credited and this one did not: looked for only when the counts say there are some.
		{ where: `f.earned > 0 AND NOT EXISTS (SELECT 1 FROM report_order_earns e WHERE e.program_id = ${programParam} AND e.source = f.source AND e.id = f.id)`, params: [ctx.programId] },
	];
	// Orders held for the owner's approval (or declined) are few: their reason is set apart.
	const latestHold = new Map<string, string>();
	for (const h of await db.query<{ source: string; id: string; status: string }>('SELECT order_source AS source, order_id AS id, status FROM ledger_held WHERE program_id = $1 ORDER BY created_at', [ctx.programId])) {
		latestHold.set(`${h.source}\u0000${h.id}`, h.status);
	}
	const holdReason = (source: string, id: string) => {
		const status = latestHold.get(`${source}\u0000${id}`);
		return status === 'held' ? NotEarningReason.HeldForApproval : status === 'declined' ? NotEarningReason.Declined : undefined;
	};
	const heldKeys = [...latestHold].filter(([, status]) => status === 'held' || status === 'declined').map(([key]) => key.split('\u0000'));
	const examples: HealthReport['reconciliation']['examples'] = [];
	let counted = 0;
	for (const { where, params } of unearned) {
		if (params.length > 0 && unearnedTotal <= counted) break;
		const values = [sinceHour, ...reasonParams, ...params];
		const grouped = await db.query<{ hour: string; reason: string; n: number }>(
			`SELECT f.hour, ${reasonSql} AS reason, COUNT(*) AS n FROM report_orders f WHERE f.at >= $1 AND ${where} GROUP BY f.hour, ${reasonSql}`,
			values,
		);
		for (const g of grouped) {
			counted += num(g.n);
			add(g.hour, REASON_CODES[g.reason], num(g.n));
		}
		if (heldKeys.length > 0) {
			const held = await queryRows<{ hour: string; reason: string; source: string; id: string }>(
				db,
				`SELECT f.hour, ${reasonSql} AS reason, f.source, f.id FROM report_orders f WHERE f.at >= $1 AND ${where} AND (f.source, f.id) IN (${ROWS})`,
				['text', 'text'],
				heldKeys,
				values,
			);
			for (const h of held) {
				add(h.hour, REASON_CODES[h.reason], -1);
				add(h.hour, holdReason(h.source, h.id) ?? REASON_CODES[h.reason], 1);
			}
		}
		// The 20 oldest as examples (with every order tied with the 20th, sorted below).
		const [twentieth] = await db.query<{ at: string; reason: string }>(`SELECT f.at, ${reasonSql} AS reason FROM report_orders f WHERE f.at >= $1 AND ${where} ORDER BY f.at LIMIT 1 OFFSET 19`, values);
		const oldest = await db.query<{ hour: string; source: string; id: string; at: string; reason: string }>(
			`SELECT f.hour, f.source, f.id, f.at, ${reasonSql} AS reason FROM report_orders f WHERE f.at >= $1 AND ${where}${twentieth ? ` AND f.at <= $${values.length + 1}` : ''}`,
			twentieth ? [...values, twentieth.at] : values,
		);
		for (const o of oldest) {
			if (bucketOf(`${o.hour}:00:00.000Z`) < 0) continue;
			examples.push({ source: String(o.source), orderId: String(o.id), at: new Date(String(o.at)).toISOString(), reason: holdReason(o.source, o.id) ?? REASON_CODES[o.reason] });
		}
	}
	for (const row of rows) for (const [reason, n] of Object.entries(row.notEarning)) if (n === 0) delete row.notEarning[reason];
	examples.sort((a, b) => a.at.localeCompare(b.at) || a.orderId.localeCompare(b.orderId));
	examples.splice(20);
	for (const q of await db.query<{ hour: string; n: number }>('SELECT SUBSTR(first_seen_at, 1, 13) AS hour, COUNT(*) AS n FROM intake_quarantine WHERE first_seen_at >= $1 GROUP BY SUBSTR(first_seen_at, 1, 13)', [ctx.since])) {
		const index = bucketOf(`${q.hour}:00:00.000Z`);
		if (index >= 0) rows[index].quarantined += num(q.n);
	}
	return { rows, examples };
}

const REASON_CODES: Record<string, string> = {
	P: NotEarningReason.NotPaid,
	R: NotEarningReason.NoEarnRate,
	B: NotEarningReason.BelowMinimum,
	N: NotEarningReason.NotProcessed,
};

/**
 * Why an order earned nothing, after holds (set apart), as one SQL expression over its summary
 * (paid, currency, total), coded as REASON_CODES:
 * per currency with an earn rate, the smallest total that earns a point (points grow with the
 * total), found once here by bisection on the ledger's own pointsForAmount.
 */
function reasonInSql(ctx: ReportContext, firstParam: number): { reasonSql: string; reasonParams: unknown[] } {
	const params: unknown[] = [];
	const param = (value: unknown) => {
		params.push(value);
		return `$${firstParam + params.length - 1}`;
	};
	const rated: string[] = [];
	const below: string[] = [];
	for (const [currency, rate] of Object.entries(ctx.program.earnRates)) {
		const c = param(currency);
		rated.push(c);
		const least = smallestEarningTotal((amount) => pointsForAmount(amount, rate, ctx.program.rounding));
		below.push(least === undefined ? `f.cur = ${c}` : `(f.cur = ${c} AND COALESCE(f.total, 0) < ${param(least)})`);
	}
	const reasonSql = `CASE WHEN f.paid = 0 THEN 'P'
		WHEN ${rated.length ? `f.cur IS NULL OR f.cur NOT IN (${rated.join(', ')})` : '1 = 1'} THEN 'R'
		WHEN ${below.length ? below.join(' OR ') : '1 = 0'} THEN 'B' ELSE 'N' END`;
	return { reasonSql, reasonParams: params };
}

/** The smallest whole amount that earns a point, or undefined when none up to 2^52 does. */
export function smallestEarningTotal(points: (amount: number) => number): number | undefined {
	let hi = 2 ** 52;
	if (points(hi) <= 0) return undefined;
	let lo = 0;
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		if (points(mid) > 0) hi = mid;
		else lo = mid;
	}
	return points(lo) > 0 ? lo : hi;
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
