import type { ReportContext } from './context';
import { num } from './context';

/** The referral program in the report's window: orders with a code, and what became of them. */
export interface ReferralReport {
	/** Friends' paid orders that carried an existing code. */
	referrals: number;
	/** Of them, rewarded and not cancelled: the friend bought and both got their points. */
	conversions: number;
	/** Conversions whose return window has passed: the rewards are final. */
	confirmed: number;
	/** Rewards taken back by a refund inside the return window. */
	cancelled: number;
	/** Refused by a fraud check, by reason (self_referral, not_new, too_many). */
	refused: number;
	refusedByReason: Record<string, number>;
	/** Points given to advocates and friends for conversions (pending until their window passes). */
	rewardPoints: number;
}

/** Counts referrals made in the window, per status and refusal reason (index referrals_time). */
export async function referralReport(ctx: Pick<ReportContext, 'store' | 'programId' | 'since' | 'now'>): Promise<ReferralReport> {
	const rows = await ctx.store.db.query<{ status: string; reason: string | null; n: number | string; confirmed: number | string; points: number | string }>(
		`SELECT status, reason, COUNT(*) AS n, SUM(CASE WHEN release_at <= $3 THEN 1 ELSE 0 END) AS confirmed, SUM(friend_points + advocate_points) AS points
		 FROM referrals WHERE program_id = $1 AND created_at >= $2 GROUP BY status, reason`,
		[ctx.programId, ctx.since, ctx.now.toISOString()],
	);
	const report: ReferralReport = { referrals: 0, conversions: 0, confirmed: 0, cancelled: 0, refused: 0, refusedByReason: {}, rewardPoints: 0 };
	for (const row of rows) {
		const n = num(row.n);
		report.referrals += n;
		if (row.status === 'rewarded') {
			report.conversions += n;
			report.confirmed += num(row.confirmed);
			report.rewardPoints += num(row.points);
		} else if (row.status === 'cancelled') {
			report.cancelled += n;
		} else if (row.status === 'refused') {
			report.refused += n;
			const reason = row.reason ?? 'unknown';
			report.refusedByReason[reason] = (report.refusedByReason[reason] ?? 0) + n;
		}
	}
	return report;
}

const REASON_WORDS: Record<string, string> = {
	self_referral: 'Self-referral (same person, mailbox, card or address)',
	not_new: 'Friend was not a new customer',
	too_many: 'Too many referrals from one customer',
};

/** The page's card; `table` and `int` are the page's own, so it looks like every other section. */
export function referralSection(r: ReferralReport | undefined, page: { table(head: string[], rows: string[][]): string; int(n: number): string }): string {
	if (!r || r.referrals === 0) return '<section class="card" data-figure="referrals"><h2>Referrals</h2><p>No friend has ordered with a referral code in this window.</p></section>';
	const refused = Object.entries(r.refusedByReason).map(([reason, n]) => [REASON_WORDS[reason] ?? 'Other', page.int(n)]);
	return `<section class="card" data-figure="referrals"><h2>Referrals</h2>
${page.table(['Referrals', 'Conversions', 'Final (return window passed)', 'Cancelled by a refund', 'Refused'], [[page.int(r.referrals), page.int(r.conversions), page.int(r.confirmed), page.int(r.cancelled), page.int(r.refused)]])}
${refused.length ? `<h3>Refused, and why</h3>${page.table(['Reason', 'Count'], refused)}` : ''}
</section>`;
}
