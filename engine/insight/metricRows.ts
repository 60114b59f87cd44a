import type { Row, SqlClient } from '../store/db';

/** How the loyalty program is doing, measured from the store. Rates are 0–1; money in minor units. */
export interface ProgramMetrics {
	customers: number;
	members: number;
	/** Members / customers. */
	enrollmentRate: number;
	/** Members who earned or redeemed points in the window / members. */
	activeMemberRate: number;
	/** Members who redeemed points in the window / members. */
	redeemingMemberRate: number;
	/** Points redeemed / points earned, all time. */
	pointsRedemptionRate: number;
	memberBuyers: BuyerMetrics;
	nonMemberBuyers: BuyerMetrics;
	/** Mean saved CLV per segment, from the last scoring run. */
	clvBySegment: { segment: string; customers: number; averageClvMinor: number | null }[];
}

export interface BuyerMetrics {
	buyers: number;
	/** Buyers with purchases on two or more days / buyers. */
	repeatPurchaseRate: number;
	orders: number;
	averageOrderValueMinor: number;
}

const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/**
 * Program metrics as of `before` (exclusive ISO instant), active window from `activeSince`. Every
 * figure is one aggregate query; membership means having a points account in the program.
 */
export async function programMetrics(sql: SqlClient, programId: string, currency: string, activeSince: string, before: string): Promise<ProgramMetrics> {
	const [counts] = await sql.query<Row & { customers: number | string; members: number | string }>(
		`SELECT COUNT(*) AS customers, COUNT(a.customer_id) AS members
		 FROM customers c LEFT JOIN loyalty_accounts a ON a.customer_id = c.id AND a.program_id = $1`,
		[programId],
	);
	const [activity] = await sql.query<Row & { active: number | string; redeeming: number | string }>(
		`SELECT COUNT(DISTINCT customer_id) AS active,
			COUNT(DISTINCT CASE WHEN kind = 'redeem' THEN customer_id END) AS redeeming
		 FROM ledger_entries WHERE program_id = $1 AND kind IN ('earn', 'pending', 'redeem') AND created_at >= $2 AND created_at < $3`,
		[programId, activeSince, before],
	);
	const [points] = await sql.query<Row & { earned: number | string | null; redeemed: number | string | null }>(
		`SELECT SUM(CASE WHEN kind IN ('earn', 'pending') THEN available_delta + pending_delta ELSE 0 END) AS earned,
			SUM(CASE WHEN kind = 'redeem' THEN -available_delta ELSE 0 END) AS redeemed
		 FROM ledger_entries WHERE program_id = $1 AND created_at < $2`,
		[programId, before],
	);
	const buyers = await sql.query<Row & { member: number | string; buyers: number | string; repeat_buyers: number | string; orders: number | string; spend: number | string }>(
		`SELECT member, COUNT(*) AS buyers, SUM(CASE WHEN purchase_days > 1 THEN 1 ELSE 0 END) AS repeat_buyers, SUM(orders) AS orders, SUM(spend) AS spend
		 FROM (
			SELECT o.customer_id, CASE WHEN MAX(a.customer_id) IS NULL THEN 0 ELSE 1 END AS member,
				COUNT(DISTINCT substr(o.placed_at, 1, 10)) AS purchase_days, COUNT(*) AS orders, SUM(o.total_minor - o.refunded_minor) AS spend
			FROM orders o LEFT JOIN loyalty_accounts a ON a.customer_id = o.customer_id AND a.program_id = $1
			WHERE o.status IN ('paid', 'refunded') AND o.currency = $2 AND o.placed_at < $3
			GROUP BY o.customer_id
		 ) per_customer
		 GROUP BY member`,
		[programId, currency, before],
	);
	const clv = await sql.query<Row & { segment: string; customers: number | string; average_clv: number | string | null }>(
		'SELECT segment, COUNT(*) AS customers, AVG(clv_minor) AS average_clv FROM customer_insights WHERE program_id = $1 GROUP BY segment ORDER BY segment',
		[programId],
	);
	const buyerMetrics = (member: number): BuyerMetrics => {
		const row = buyers.find((b) => Number(b.member) === member);
		const count = Number(row?.buyers ?? 0);
		const orders = Number(row?.orders ?? 0);
		return { buyers: count, repeatPurchaseRate: ratio(Number(row?.repeat_buyers ?? 0), count), orders, averageOrderValueMinor: Math.round(ratio(Number(row?.spend ?? 0), orders)) };
	};
	const members = Number(counts.members);
	return {
		customers: Number(counts.customers),
		members,
		enrollmentRate: ratio(members, Number(counts.customers)),
		activeMemberRate: ratio(Number(activity.active), members),
		redeemingMemberRate: ratio(Number(activity.redeeming), members),
		pointsRedemptionRate: ratio(Number(points.redeemed ?? 0), Number(points.earned ?? 0)),
		memberBuyers: buyerMetrics(1),
		nonMemberBuyers: buyerMetrics(0),
		clvBySegment: clv.map((r) => ({ segment: r.segment, customers: Number(r.customers), averageClvMinor: r.average_clv === null ? null : Math.round(Number(r.average_clv)) })),
	};
}
