import { awardBadge } from '../badges';
import type { BadgeAward, ChallengeCompletion, Decision } from './types';
import { getCustomer, upsertCustomerId } from '../store/customers';
import type { SqlClient } from '../store/db';

/**
 * Persists what a decision counts against: firings (frequency, caps, budgets, the daily limit),
 * bonus and challenge points (their rules' caps and ceilings), started and completed challenges,
 * holdout exposures and conflict suppressions. Every row is keyed by the event's idempotency key
 * and the rule id, so re-running a workflow on the same event writes nothing twice; a challenge
 * is completed by one event only. Returns how many rows were new (0 for a replay).
 */
export async function recordDecision(sql: SqlClient, decision: Decision): Promise<{ written: number; replay: boolean; lostCompletions: ChallengeCompletion[]; lostBadges: BadgeAward[] }> {
	let written = 0;
	let attempted = 0;
	// Completions first: on PostgreSQL another event may have completed the same challenge after
	// this decision's read. That completion is lost, and so is its reward (nor does it count
	// against a budget): the challenge pays once.
	const lostCompletions: ChallengeCompletion[] = [];
	for (const completion of decision.challengeCompletions) {
		attempted++;
		// Only a challenge nobody completed yet: a re-run of this event (or a later one) changes nothing.
		const updated = await sql.execute(
			`UPDATE rule_challenges SET completed_at = $4, completed_by_event = $5 WHERE program_id = $1 AND source_event_key = $2 AND rule_id = $3 AND completed_at IS NULL`,
			[decision.programId, completion.sourceEventKey, completion.ruleId, decision.evaluatedAt, decision.eventKey],
		);
		written += updated;
		if (updated > 0) continue;
		const [row] = await sql.query<{ completed_by_event: string | null }>('SELECT completed_by_event FROM rule_challenges WHERE program_id = $1 AND source_event_key = $2 AND rule_id = $3', [decision.programId, completion.sourceEventKey, completion.ruleId]);
		if (row?.completed_by_event !== decision.eventKey) lostCompletions.push(completion);
	}
	const lost = (ruleId: string, sourceEventKey: string) => lostCompletions.some((c) => c.ruleId === ruleId && c.sourceEventKey === sourceEventKey);
	for (const fired of decision.fired) {
		attempted++;
		written += await sql.execute(
			`INSERT INTO rule_firings (program_id, event_key, rule_id, customer_key, outcome, arm, fired_at, points, offers, cost_minor, revenue_minor, reward, detail, program_version)
			 VALUES ($1, $2, $3, $4, $13, $5, $6, $7, $8, $9, $10, $11, $12, $14) ON CONFLICT DO NOTHING`,
			[decision.programId, decision.eventKey, fired.ruleId, decision.customerKey, fired.arm ?? null, decision.evaluatedAt, fired.points, fired.offers, fired.costMinor, fired.revenueMinor, fired.points > 0 || fired.offers > 0 ? 1 : 0, JSON.stringify(fired.actions), fired.followUpOf ? 'follow_up' : 'fired', decision.programVersion ?? null],
		);
	}
	for (const fired of decision.fired) {
		for (const action of fired.actions) {
			if (action.type !== 'category_bonus') continue;
			attempted++;
			written += await sql.execute(
				`INSERT INTO rule_bonuses (program_id, customer_key, event_key, rule_id, categories, skus, multiplier, starts_at, until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
				[decision.programId, decision.customerKey, decision.eventKey, fired.ruleId, JSON.stringify(action.categories ?? []), JSON.stringify(action.skus ?? []), action.multiplier, decision.evaluatedAt, action.until],
			);
		}
	}
	for (const extra of decision.extraPointsUsage) {
		if (extra.kind === 'challenge' && lost(extra.ruleId, extra.sourceEventKey)) continue;
		attempted++;
		written += await sql.execute(
			`INSERT INTO rule_extra_points (program_id, event_key, kind, rule_id, source_event_key, customer_key, awarded_at, points, cost_minor, revenue_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
			[decision.programId, decision.eventKey, extra.kind, extra.ruleId, extra.sourceEventKey, decision.customerKey, decision.evaluatedAt, extra.points, extra.costMinor, extra.revenueMinor],
		);
	}
	for (const start of decision.challengesToStart) {
		attempted++;
		written += await sql.execute(
			`INSERT INTO rule_challenges (program_id, source_event_key, rule_id, customer_key, challenge, goal, starts_at, ends_at, reward) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			[decision.programId, decision.eventKey, start.ruleId, decision.customerKey, start.challenge, start.goal, start.startsAt, start.endsAt, JSON.stringify(start.reward)],
		);
	}
	for (const followUp of decision.followUps) {
		attempted++;
		written += await sql.execute(
			`INSERT INTO rule_follow_ups (program_id, source_event_key, rule_id, customer_key, identities, unless_event, created_at, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			[decision.programId, decision.eventKey, followUp.ruleId, decision.customerKey, JSON.stringify(followUp.identities), followUp.unlessEvent ?? null, decision.evaluatedAt, followUp.dueAt],
		);
	}
	for (const holdout of decision.holdouts) {
		attempted++;
		written += await sql.execute(
			`INSERT INTO rule_firings (program_id, event_key, rule_id, customer_key, outcome, arm, fired_at, points, offers, cost_minor, revenue_minor, reward, detail, program_version)
			 VALUES ($1, $2, $3, $4, 'holdout', $5, $6, 0, 0, 0, 0, 0, $7, $8) ON CONFLICT DO NOTHING`,
			[decision.programId, decision.eventKey, holdout.ruleId, decision.customerKey, holdout.arm, decision.evaluatedAt, JSON.stringify({ experimentId: holdout.experimentId }), decision.programVersion ?? null],
		);
	}
	for (const suppression of decision.suppressionsToCreate) {
		attempted++;
		written += await sql.execute(
			`INSERT INTO rule_suppressions (program_id, customer_key, rule_id, source_event_key, by_rule_id, until) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			[decision.programId, decision.customerKey, suppression.ruleId, decision.eventKey, suppression.byRuleId, suppression.until],
		);
	}
	// Badges and perks: a badge is the customer's once; another event that awarded it at the same
	// moment (on PostgreSQL, between this decision's read and its write) keeps it, and this one loses it.
	const lostBadges: BadgeAward[] = [];
	for (const award of decision.badgeAwards ?? []) {
		attempted++;
		const outcome = await awardBadge(sql, { programId: decision.programId, customerId: decision.customerKey, badge: award.badge, name: award.name, ruleId: award.ruleId, eventKey: decision.eventKey, awardedAt: decision.evaluatedAt });
		if (outcome.written) written++;
		if (!outcome.awarded) lostBadges.push(award);
	}
	if (decision.perkTags && decision.perkTags.length > 0) {
		const customer = await getCustomer(sql, decision.customerKey);
		if (customer && decision.perkTags.some((t) => !customer.tags.includes(t.tag))) {
			attempted++;
			written++;
			await upsertCustomerId(sql, { identities: customer.identities, tags: decision.perkTags.map((t) => t.tag) }, decision.evaluatedAt);
		}
	}
	return { written, replay: attempted > 0 && written === 0, lostCompletions, lostBadges };
}
