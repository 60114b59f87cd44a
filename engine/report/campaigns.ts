import { QUIET_HOURS_DEFERRAL, RefusalReason, type SuppressionReason } from '../delivery/refusal';
import { num, type ReportContext } from './context';
import type { CampaignReport, RuleCampaign } from './types';

export const COST_SHARE_GUIDE = 'Reward cost is usually kept at 5–10% of the revenue it touches.';

/** How Send Offer's refusals are named among the suppressions. */
export const SUPPRESSION_LABEL: Record<SuppressionReason, string> = {
	[RefusalReason.NoConsent]: 'no consent',
	[RefusalReason.ConsentWithdrawn]: 'no consent',
	[RefusalReason.FrequencyCap]: 'frequency caps',
	[RefusalReason.DailyRewardLimit]: 'frequency caps',
	[RefusalReason.NoAddress]: 'no consented channel or address',
	[RefusalReason.NoChannel]: 'no consented channel or address',
	[QUIET_HOURS_DEFERRAL]: 'held for quiet hours',
};

/** Per rule and offer over the window: decisions, sends, suppressions, redemptions, cost and revenue. */
export async function campaignReport(ctx: ReportContext): Promise<CampaignReport> {
	const { db } = ctx.store;
	const rules = new Map<string, RuleCampaign>();
	const rule = (ruleId: string): RuleCampaign => {
		let r = rules.get(ruleId);
		if (!r) {
			r = { ruleId, decisions: 0, rewarded: 0, holdouts: 0, points: 0, offers: 0, costMinor: 0, revenueMinor: 0, sends: 0, sendsByStatus: {}, redemptions: 0, redemptionRevenueMinor: 0 };
			rules.set(ruleId, r);
		}
		return r;
	};
	const firings = await db.query<{ rule_id: string; outcome: string; n: number; rewarded: number; points: number; offers: number; cost: number; revenue: number }>(
		`SELECT rule_id, outcome, COUNT(*) AS n, SUM(reward) AS rewarded, SUM(points) AS points, SUM(offers) AS offers, SUM(cost_minor) AS cost, SUM(revenue_minor) AS revenue
		 FROM rule_firings WHERE program_id = $1 AND fired_at >= $2 GROUP BY rule_id, outcome`,
		[ctx.programId, ctx.since],
	);
	for (const f of firings) {
		const r = rule(f.rule_id);
		r.decisions += num(f.n);
		if (f.outcome === 'holdout') r.holdouts += num(f.n);
		r.rewarded += num(f.rewarded);
		r.points += num(f.points);
		r.offers += num(f.offers);
		r.costMinor += num(f.cost);
		r.revenueMinor += num(f.revenue);
	}
	const suppressions: Record<string, number> = {};
	const add = (reason: string, n: number) => {
		if (n > 0) suppressions[reason] = (suppressions[reason] ?? 0) + n;
	};
	for (const r of rules.values()) add('rule holdout (no reward, for comparison)', r.holdouts);
	const offers = new Map<string, CampaignReport['offers'][number]>();
	const sends = await db.query<{ rule_id: string; offer_template_id: string; channel: string; status: string; n: number; delayed: number }>(
		`SELECT rule_id, offer_template_id, channel, status, COUNT(*) AS n, SUM(CASE WHEN send_at > claimed_at THEN 1 ELSE 0 END) AS delayed
		 FROM delivery_sends WHERE send_at >= $1 GROUP BY rule_id, offer_template_id, channel, status`,
		[ctx.since],
	);
	for (const s of sends) {
		const r = rule(s.rule_id);
		const n = num(s.n);
		r.sendsByStatus[s.status] = (r.sendsByStatus[s.status] ?? 0) + n;
		if (s.status === 'held_out') add('offer holdout', n);
		else r.sends += n;
		add('sent later for quiet hours', num(s.delayed));
		const key = `${s.offer_template_id}\u0000${s.channel}`;
		const offer = offers.get(key) ?? { offerTemplateId: s.offer_template_id, channel: s.channel, sends: 0, redemptions: 0, redemptionRevenueMinor: 0 };
		if (s.status !== 'held_out') offer.sends += n;
		offers.set(key, offer);
	}
	// Refused and quiet-hours deferred sends: counted once per decision and reason when Send Offer held them back.
	const refusals = await db.query<{ reason: string; n: number }>('SELECT reason, COUNT(*) AS n FROM delivery_refusals WHERE refused_at >= $1 GROUP BY reason ORDER BY reason', [ctx.since]);
	for (const r of refusals) add(SUPPRESSION_LABEL[r.reason as SuppressionReason] ?? r.reason, num(r.n));
	const redemptions = await db.query<{ rule_id: string; offer_template_id: string; channel: string; n: number; revenue: number }>(
		`SELECT s.rule_id, s.offer_template_id, s.channel, COUNT(*) AS n, SUM(r.order_total_minor) AS revenue FROM delivery_redemptions r
		 JOIN delivery_sends s ON s.decision_id = r.decision_id AND s.channel = r.channel
		 WHERE r.redeemed_at >= $1 AND r.currency = $2 GROUP BY s.rule_id, s.offer_template_id, s.channel`,
		[ctx.since, ctx.currency],
	);
	for (const x of redemptions) {
		const r = rule(x.rule_id);
		r.redemptions += num(x.n);
		r.redemptionRevenueMinor += num(x.revenue);
		const key = `${x.offer_template_id}\u0000${x.channel}`;
		const offer = offers.get(key) ?? { offerTemplateId: x.offer_template_id, channel: x.channel, sends: 0, redemptions: 0, redemptionRevenueMinor: 0 };
		offer.redemptions += num(x.n);
		offer.redemptionRevenueMinor += num(x.revenue);
		offers.set(key, offer);
	}
	let decisions = 0;
	let costMinor = 0;
	let revenueTouchedMinor = 0;
	for (const r of rules.values()) {
		const touched = r.revenueMinor + r.redemptionRevenueMinor;
		if (touched > 0) r.costShare = r.costMinor / touched;
		decisions += r.decisions;
		costMinor += r.costMinor;
		revenueTouchedMinor += touched;
	}
	return {
		rules: [...rules.values()].sort((a, b) => b.decisions - a.decisions || a.ruleId.localeCompare(b.ruleId)),
		offers: [...offers.values()].sort((a, b) => b.sends - a.sends),
		suppressions,
		totals: { decisions, costMinor, revenueTouchedMinor, ...(revenueTouchedMinor > 0 ? { costShare: costMinor / revenueTouchedMinor } : {}), guide: COST_SHARE_GUIDE },
	};
}
