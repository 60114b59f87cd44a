import type { SqlClient } from '../store/db';
import { loadContext, type ProfileExtras } from '../store/rulesContext';
import { recordDecision } from '../store/rulesDecisions';
import type { CompiledRuleSet } from './compile';
import { evaluate } from './evaluate';
import type { Decision, RuleEvent } from './types';

/**
 * One event through the rules: one store read, a pure evaluation, then (unless `record` is off)
 * the idempotent write of what the decision counts against.
 */
export async function decideEvent(sql: SqlClient, ruleSet: CompiledRuleSet, event: RuleEvent, now: Date, options: { record?: boolean; extras?: ProfileExtras } = {}): Promise<Decision & { replay?: boolean }> {
	const context = await loadContext(sql, ruleSet, event, now, options.extras);
	const decision = evaluate(ruleSet, context, now);
	if (options.record === false) return decision;
	const { replay } = await recordDecision(sql, decision);
	return replay ? { ...decision, replay } : decision;
}
