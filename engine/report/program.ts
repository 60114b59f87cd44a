import { minorUnitExponent } from '../model/money';
import { DAY_MS, num, type ReportContext } from './context';
import { bucketer } from './periods';
import type { ProgramReport } from './types';

export const ACTIVE_DAYS = 90;
export const BREAKAGE_COHORT_DAYS = 365;

/** Members, points issued and spent, what is still owed (in points and in money) and breakage. */
export async function programReport(ctx: ReportContext): Promise<ProgramReport> {
	const { db } = ctx.store;
	const p = ctx.programId;
	const [accounts] = await db.query<{ n: number; available: number; pending: number }>(
		'SELECT COUNT(*) AS n, SUM(available) AS available, SUM(pending) AS pending FROM loyalty_accounts WHERE program_id = $1',
		[p],
	);
	const tiers = await db.query<{ tier: string | null; n: number }>('SELECT tier, COUNT(*) AS n FROM loyalty_accounts WHERE program_id = $1 GROUP BY tier ORDER BY tier', [p]);
	const [fresh] = await db.query<{ n: number }>(
		'SELECT COUNT(*) AS n FROM loyalty_accounts a JOIN customers c ON c.id = a.customer_id WHERE a.program_id = $1 AND c.created_at >= $2',
		[p, ctx.since],
	);
	// Read from the folded read model (engine/report/fold.ts): per-hour sums and each member's last earn or redemption.
	const [active] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM report_activity WHERE program_id = $1 AND last_at >= $2', [
		p,
		new Date(ctx.now.getTime() - ACTIVE_DAYS * DAY_MS).toISOString(),
	]);
	const byKind = new Map(
		(await db.query<{ kind: string; total: number }>('SELECT kind, SUM(total) AS total FROM report_ledger_hours WHERE program_id = $1 GROUP BY kind', [p])).map((r) => [r.kind, num(r.total)]),
	);
	const kind = (k: string) => byKind.get(k) ?? 0;
	const issued = kind('earn') + kind('pending');
	const redeemed = neg(kind('redeem'));
	const reversed = neg(kind('reverse'));

	const bucketOf = bucketer(ctx.periods);
	const perPeriod = { earn: zeros(ctx), redeem: zeros(ctx), expire: zeros(ctx) };
	const hourly = await db.query<{ kind: string; hour: string; total: number }>(
		`SELECT kind, hour, total FROM report_ledger_hours WHERE program_id = $1 AND hour >= $2 AND kind IN ('earn', 'pending', 'redeem', 'expire')`,
		[p, ctx.since.slice(0, 13)],
	);
	for (const row of hourly) {
		const index = bucketOf(`${row.hour}:00:00.000Z`);
		if (index < 0) continue;
		const series = row.kind === 'pending' ? 'earn' : (row.kind as keyof typeof perPeriod);
		perPeriod[series][index] += series === 'earn' ? num(row.total) : neg(num(row.total));
	}

	const available = num(accounts?.available);
	const pending = num(accounts?.pending);
	const total = available + pending;
	const exponent = minorUnitExponent(ctx.currency);

	return {
		members: num(accounts?.n),
		newMembers: num(fresh?.n),
		activeMembers: num(active?.n),
		points: {
			issued,
			redeemed,
			expired: neg(kind('expire')),
			reversed,
			adjustedNet: kind('adjust'),
			issuedPerPeriod: perPeriod.earn,
			redeemedPerPeriod: perPeriod.redeem,
			expiredPerPeriod: perPeriod.expire,
		},
		outstanding: { available, pending, total },
		liability: {
			redemptionValue: ctx.redemptionValue,
			minor: Math.round(total * ctx.redemptionValue * 10 ** exponent),
			method: `Outstanding points (spendable ${available} + pending ${pending}) × ${ctx.redemptionValue} ${ctx.currency} per point, the redemption value you set. Pending points may still be taken back by refunds.`,
		},
		breakage: await breakage(ctx),
		...(issued - reversed > 0 ? { redemptionRate: redeemed / (issued - reversed) } : {}),
		tiers: tiers.map((t) => ({ tier: t.tier ?? 'no tier', members: num(t.n) })),
		held: await heldOrders(ctx),
	};
}

/** Orders waiting for the owner's approval above the per-order ceiling. */
export async function heldOrders(ctx: ReportContext): Promise<ProgramReport['held']> {
	const [held] = await ctx.store.db.query<{ n: number; points: number }>(`SELECT COUNT(*) AS n, SUM(points) AS points FROM ledger_held WHERE program_id = $1 AND status = 'held'`, [ctx.programId]);
	return { count: num(held?.n), points: num(held?.points) };
}

/**
 * Breakage from past cohorts: of the points earned at least 12 months ago (net of refunds), the
 * share that expired or is still unredeemed today. Each movement names the earn it draws from
 * (its lot), so the cohort's redemptions and expiries are exact.
 */
async function breakage(ctx: ReportContext): Promise<ProgramReport['breakage']> {
	const cutoff = new Date(ctx.now.getTime() - BREAKAGE_COHORT_DAYS * DAY_MS).toISOString();
	// Cohorts are whole UTC hours: the hour that holds the cutoff is left to next hour's report.
	const cutoffHour = cutoff.slice(0, 13);
	const method = `Points earned at least ${BREAKAGE_COHORT_DAYS} days ago (in UTC hours before ${cutoffHour}:00Z), net of refunds: the share that expired or is still unredeemed, from each movement's link to the earn it draws on.`;
	const [cohort] = await ctx.store.db.query<{ total: number }>(
		`SELECT SUM(total) AS total FROM report_ledger_hours WHERE program_id = $1 AND kind IN ('earn', 'pending') AND hour < $2`,
		[ctx.programId, cutoffHour],
	);
	const cohortPoints = num(cohort?.total);
	if (cohortPoints <= 0) return { status: 'not_enough_history', cohortPoints: 0, expiredPoints: 0, unredeemedPoints: 0, method: `${method} Not enough history yet: no points are that old.` };
	const moves = new Map(
		(
			await ctx.store.db.query<{ kind: string; total: number }>('SELECT kind, SUM(total) AS total FROM report_lot_moves WHERE program_id = $1 AND lot_hour < $2 GROUP BY kind', [ctx.programId, cutoffHour])
		).map((r) => [r.kind, neg(num(r.total))]),
	);
	const reversed = moves.get('reverse') ?? 0;
	const redeemed = moves.get('redeem') ?? 0;
	const expired = moves.get('expire') ?? 0;
	const base = cohortPoints - reversed;
	if (base <= 0) return { status: 'not_enough_history', cohortPoints, expiredPoints: 0, unredeemedPoints: 0, method: `${method} Every such point was refunded.` };
	const unredeemed = base - redeemed - expired;
	return { status: 'estimated', share: (expired + unredeemed) / base, cohortPoints: base, expiredPoints: expired, unredeemedPoints: unredeemed, method };
}

/** −x without the −0 that JSON would quietly turn into 0 while the page printed "-0". */
const neg = (x: number) => (x === 0 ? 0 : -x);

const zeros = (ctx: ReportContext) => new Array<number>(ctx.periods.length).fill(0);
