import type { SqlClient } from '../store/db';
import { loadContext, type ProfileExtras } from './contextRows';
import { recordDecision } from './decisionRows';
import type { CompiledRuleSet } from './compile';
import { evaluate } from './evaluate';
import type { ChallengeCompletion, Decision, RuleEvent } from './types';

/**
 * One event through the rules: one store read, a pure evaluation, then (unless `record` is off)
 * the idempotent write of what the decision counts against.
 */
export async function decideEvent(sql: SqlClient, ruleSet: CompiledRuleSet, event: RuleEvent, now: Date, options: { record?: boolean; extras?: ProfileExtras } = {}): Promise<Decision & { replay?: boolean }> {
	const context = await loadContext(sql, ruleSet, event, now, options.extras);
	const decision = evaluate(ruleSet, context, now);
	if (options.record === false) return decision;
	return recordAndSettle(sql, decision);
}

/**
 * Writes a decision and returns it as it stands once written: a challenge that another event
 * completed between this decision's read and its write pays nothing here.
 */
export async function recordAndSettle(sql: SqlClient, decision: Decision): Promise<Decision & { replay?: boolean }> {
	const { replay, lostCompletions, lostBadges } = await recordDecision(sql, decision);
	let settled = lostCompletions.length > 0 ? withoutLostCompletions(decision, lostCompletions) : decision;
	// A badge another event awarded meanwhile is not this decision's to announce.
	if (lostBadges.length > 0) settled = { ...settled, badgeAwards: settled.badgeAwards?.filter((b) => !lostBadges.includes(b)) };
	return replay ? { ...settled, replay } : settled;
}

/** A challenge another event completed meanwhile pays nothing here: its points leave the decision. */
function withoutLostCompletions(decision: Decision, lost: readonly ChallengeCompletion[]): Decision {
	const isLost = (c: { ruleId: string; sourceEventKey: string }) => lost.some((l) => l.ruleId === c.ruleId && l.sourceEventKey === c.sourceEventKey);
	const points = lost.reduce((sum, c) => sum + c.points, 0);
	const pointsToAward = decision.pointsToAward - points;
	const awardsOtherwise = decision.bonusAwards.length > 0 || decision.fired.some((f) => f.actions.some((a) => a.route === 'award'));
	return {
		...decision,
		pointsToAward,
		routes: pointsToAward > 0 || awardsOtherwise ? decision.routes : decision.routes.filter((r) => r !== 'award'),
		challengeCompletions: decision.challengeCompletions.map((c) => (isLost(c) ? { ...c, points: 0, suppressed: 'another event completed this challenge at the same moment' } : c)),
		extraPointsUsage: decision.extraPointsUsage.filter((e) => !(e.kind === 'challenge' && isLost(e))),
	};
}
