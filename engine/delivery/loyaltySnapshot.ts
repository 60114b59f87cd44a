import { listBadges, type EarnedBadge } from '../badges';
import { EARLY_ACCESS_TAG } from '../rules';
import type { SqlClient } from '../store/db';

/** What a customer's profile in the shop's email tool should say about their loyalty, as of the last change. */
export interface LoyaltyProfileSnapshot {
	points: number;
	pendingPoints: number;
	tier?: string;
	segment?: string;
	lifecycle?: string;
	valueTier?: string;
	/** Lifetime value in minor units of the program currency, when Segment Customer has fitted one. */
	clvMinor?: number;
	/** Badges the customer has earned, oldest first (engine/badges). */
	badges: EarnedBadge[];
	/** Whether an early-access perk has put its tag on the customer. */
	earlyAccess: boolean;
}

/**
 * The account, the saved insight and the badges of one customer. The balance is the account
 * row as the last ledger write left it (pending points that matured since are released at the
 * next write), which is what the ledger itself reports between writes.
 */
export async function loyaltySnapshot(sql: SqlClient, programId: string, customerId: string): Promise<LoyaltyProfileSnapshot> {
	const [row] = await sql.query<{ available: number | null; pending: number | null; tier: string | null; segment: string | null; lifecycle: string | null; value_tier: string | null; clv_minor: number | null; profile: string | null }>(
		`SELECT a.available, a.pending, a.tier, i.segment, i.lifecycle, i.value_tier, i.clv_minor, c.profile
		 FROM customers c
		 LEFT JOIN loyalty_accounts a ON a.program_id = $1 AND a.customer_id = c.id
		 LEFT JOIN customer_insights i ON i.program_id = $1 AND i.customer_id = c.id
		 WHERE c.id = $2`,
		[programId, customerId],
	);
	const text = (value: string | null | undefined) => (value ? { value } : undefined);
	const tags = row?.profile ? ((JSON.parse(row.profile) as { tags?: string[] }).tags ?? []) : [];
	const badges = row ? await listBadges(sql, programId, customerId) : [];
	return {
		points: Number(row?.available ?? 0),
		pendingPoints: Number(row?.pending ?? 0),
		...(text(row?.tier) ? { tier: row!.tier! } : {}),
		...(text(row?.segment) ? { segment: row!.segment! } : {}),
		...(text(row?.lifecycle) ? { lifecycle: row!.lifecycle! } : {}),
		...(text(row?.value_tier) ? { valueTier: row!.value_tier! } : {}),
		...(row?.clv_minor !== null && row?.clv_minor !== undefined ? { clvMinor: Number(row.clv_minor) } : {}),
		badges,
		earlyAccess: tags.includes(EARLY_ACCESS_TAG),
	};
}
