import { num, type ReportContext } from './context';
import type { CustomerGroup, CustomerReport } from './types';

export const SELF_SELECTED = 'Members chose to join: they differ from non-members in ways the program did not cause. Self-selected, not causal.';

/** Repeat rate and average order of members against non-members, and segment / lifecycle counts. */
export async function customerReport(ctx: ReportContext): Promise<CustomerReport> {
	const { db } = ctx.store;
	// Per customer and currency from the folded read model (engine/report/fold.ts); membership is read live.
	const groups = await db.query<{ member: number; customers: number; orders: number; repeaters: number; total: number }>(
		`SELECT member, COUNT(*) AS customers, SUM(n) AS orders, SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS repeaters, SUM(total) AS total FROM (
			SELECT c.n, c.total, CASE WHEN a.customer_id IS NULL THEN 0 ELSE 1 END AS member
			FROM report_customer_orders c LEFT JOIN loyalty_accounts a ON a.customer_id = c.customer_id AND a.program_id = $1
			WHERE c.currency = $2
		) t GROUP BY member`,
		[ctx.programId, ctx.currency],
	);
	const group = (member: number): CustomerGroup => {
		const g = groups.find((r) => num(r.member) === member);
		const customers = num(g?.customers);
		const orders = num(g?.orders);
		return { customers, orders, ...(customers ? { repeatRate: num(g?.repeaters) / customers } : {}), ...(orders ? { averageOrderMinor: Math.round(num(g?.total) / orders) } : {}) };
	};
	const [other] = await db.query<{ n: number }>('SELECT SUM(n) AS n FROM report_customer_orders WHERE currency <> $1', [ctx.currency]);
	const counts = async (column: 'segment' | 'lifecycle') =>
		(await db.query<{ name: string; n: number }>(`SELECT ${column} AS name, COUNT(*) AS n FROM customer_insights WHERE program_id = $1 GROUP BY ${column} ORDER BY COUNT(*) DESC, ${column}`, [ctx.programId])).map(
			(r) => ({ name: r.name, customers: num(r.n) }),
		);
	return { members: group(1), nonMembers: group(0), caveat: SELF_SELECTED, segments: await counts('segment'), lifecycle: await counts('lifecycle'), otherCurrencyOrders: num(other?.n) };
}
