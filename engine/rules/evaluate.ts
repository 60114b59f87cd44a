import { materializeActions, wholeUnits, type MaterializedActions } from './actions';
import type { CompiledCap, CompiledRule, CompiledRuleSet } from './compile';
import type { ConditionRun } from './conditions';
import { assignArm, HOLDOUT_ARM } from './experiments';
import { isoInstant } from './isoInstant';
import type { LocalClock } from './schedule';
import { RuleOutcome, SuppressionKind, type ActiveBonus, type BonusAward, type CapUsage, type ScheduledFollowUp, type Decision, type EvaluationContext, type FiredRule, type RuleExplanation, type SuppressionToCreate } from './types';
import type { Route } from './vocabulary';

const HOUR_MS = 3_600_000;

interface Eligible {
	rule: CompiledRule;
	arm?: string;
	result: MaterializedActions;
	followUpOf?: string;
}

function followUpSource(data: Record<string, unknown> | undefined): { ruleId: string; sourceEventKey: string } | undefined {
	const followUp = data?.followUp as { ruleId?: unknown; sourceEventKey?: unknown } | undefined;
	return typeof followUp?.ruleId === 'string' && typeof followUp.sourceEventKey === 'string' ? { ruleId: followUp.ruleId, sourceEventKey: followUp.sourceEventKey } : undefined;
}

function eligibleLine(candidate: Eligible, outcome: RuleOutcome, reason: string, suppressedBy?: RuleExplanation['suppressedBy']): RuleExplanation {
	return { ruleId: candidate.rule.id, name: candidate.rule.name, outcome, reason, arm: candidate.arm, suppressedBy };
}

/**
 * The deterministic order in which rules win: higher priority first, then the higher reward value
 * (points at the program's point value plus offer value, in minor units), then the rule id in
 * ascending code-point order. Never edit time or position in the list.
 */
export function winnerOrder(a: Eligible, b: Eligible): number {
	if (a.rule.priority !== b.rule.priority) return b.rule.priority - a.rule.priority;
	if (a.result.costMinor !== b.result.costMinor) return b.result.costMinor - a.result.costMinor;
	return a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0;
}

const EMPTY_USAGE: CapUsage = { points: 0, offers: 0, costMinor: 0, revenueMinor: 0, firings: 0 };

function capAmount(cap: CompiledCap, result: MaterializedActions): number {
	switch (cap.metric) {
		case 'points':
			return result.points;
		case 'offers':
			return result.offers;
		case 'cost_minor':
			return result.costMinor;
		case 'firings':
			return 1;
	}
}

function capUsed(cap: CompiledCap, stored: CapUsage, pending: CapUsage | undefined): number {
	const key = cap.metric === 'cost_minor' ? 'costMinor' : cap.metric;
	return stored[key] + (pending?.[key] ?? 0);
}

/**
 * Decides what one event earns. Pure and synchronous: everything it needs is in `context`
 * (loaded by the store in one read), and the result is a value that `recordDecision` persists.
 * A condition whose data is missing is "not met" with that reason; nothing here throws on data.
 */
export function evaluate(ruleSet: CompiledRuleSet, context: EvaluationContext, now: Date): Decision {
	const nowMs = now.getTime();
	const zone = context.profile.timeZone ?? ruleSet.program.timeZone;
	const clock: LocalClock = { nowMs, zone, local: undefined };
	const { counters } = context;
	const explanation: RuleExplanation[] = [];
	const holdouts: Decision['holdouts'] = [];
	const eligible: Eligible[] = [];
	const run: ConditionRun = { context, nowMs, zone, failure: undefined, memo: new Map() };

	let anyConflict = false;
	const candidates = ruleSet.rulesByTrigger.get(context.event.type) ?? NO_RULES;
	for (let i = 0; i < candidates.length; i++) {
		const rule = candidates[i];
		const outOfSchedule = rule.schedule === undefined ? undefined : rule.schedule(nowMs, clock);
		if (outOfSchedule) {
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.OutOfSchedule, reason: outOfSchedule });
			continue;
		}
		run.failure = undefined;
		if (!rule.conditions.test(run)) {
			// The failed condition carries path, actual and expected; explanationLine() words it when shown.
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.NotMet, failedCondition: run.failure });
			continue;
		}
		const suppressedUntil = counters.suppressedUntil[rule.id];
		if (suppressedUntil && Date.parse(suppressedUntil) > nowMs) {
			const by = counters.suppressedBy?.[rule.id];
			const detail = `held back until ${suppressedUntil} because ${by ? `"${by}"` : 'another rule'} won its conflict group`;
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Suppressed, reason: detail, suppressedBy: { kind: SuppressionKind.Suppression, detail, ...(by ? { byRuleId: by } : {}) } });
			continue;
		}
		const frequency = rule.definition.frequency;
		const uses = counters.ruleUses[rule.id] ?? 0;
		if (frequency && uses >= frequency.max) {
			const detail = `fired ${uses} time(s) for this customer in the last ${frequency.perDays} days (limit ${frequency.max})`;
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Suppressed, reason: detail, suppressedBy: { kind: SuppressionKind.Frequency, detail } });
			continue;
		}
		let arm: string | undefined;
		let actions = rule.definition.actions;
		const experiment = rule.definition.experiment;
		if (experiment) {
			arm = assignArm(experiment, context.profile.customerKey);
			if (arm === HOLDOUT_ARM) {
				holdouts.push({ ruleId: rule.id, experimentId: experiment.id, arm: HOLDOUT_ARM });
				explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Holdout, reason: `holdout of experiment "${experiment.id}": not sent`, arm });
				continue;
			}
			actions = experiment.variants.find((v) => v.name === arm)?.actions ?? actions;
		}
		const result = materializeActions(actions, context, ruleSet.program, nowMs);
		if (rule.definition.conflict) anyConflict = true;
		eligible.push({ rule, arm, result });
	}

	const followUpOf = context.event.type === 'follow_up_due' ? followUpSource(context.event.data) : undefined;
	if (followUpOf) {
		const rule = ruleSet.rulesById.get(followUpOf.ruleId);
		const then = rule?.definition.actions.flatMap((a) => (a.type === 'schedule_follow_up' ? a.then : []));
		if (!rule || !then?.length) {
			explanation.push({ ruleId: followUpOf.ruleId, outcome: RuleOutcome.NotMet, reason: `the rule that scheduled this follow-up ${rule ? 'no longer has a follow-up' : 'no longer exists'}` });
		} else if (!rule.enabled) {
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Disabled, reason: 'the rule that scheduled this follow-up is switched off' });
		} else {
			// The rule's conditions held when it scheduled this; budgets and limits still apply now.
			eligible.push({ rule, result: materializeActions(then, context, ruleSet.program, nowMs), followUpOf: followUpOf.sourceEventKey });
		}
	}

	const winners = anyConflict ? resolveConflicts(eligible, explanation) : eligible;
	if (winners.length > 1) winners.sort(winnerOrder);
	const fired: FiredRule[] = [];
	const suppressionsToCreate: SuppressionToCreate[] = [];
	const pending = new Map<string, CapUsage>();
	let rewardsGiven = 0;
	let pointsToAward = 0;
	const routes: Route[] = [];

	for (let w = 0; w < winners.length; w++) {
		const candidate = winners[w];
		const { rule, result } = candidate;
		const isReward = result.points > 0 || result.offers > 0;
		const limit = ruleSet.program.maxRewardsPerCustomerPerDay;
		if (isReward && limit !== undefined && counters.customerRewardsToday + rewardsGiven >= limit) {
			const detail = `the customer already got ${counters.customerRewardsToday + rewardsGiven} reward(s) today (program limit ${limit} per day)`;
			explanation.push(eligibleLine(candidate, RuleOutcome.Suppressed, detail, { kind: SuppressionKind.DailyLimit, detail }));
			continue;
		}
		const boundCap = rule.allCaps.length === 0 ? undefined : firstBoundCap(rule.allCaps, counters.capUsage, pending, result);
		if (boundCap) {
			const used = capUsed(boundCap, counters.capUsage[boundCap.usageKey] ?? EMPTY_USAGE, pending.get(boundCap.usageKey));
			const detail = `${boundCap.scope} cap of ${boundCap.max} ${boundCap.metric} per ${boundCap.period} would be exceeded (${used} used, this needs ${capAmount(boundCap, result)})`;
			explanation.push(eligibleLine(candidate, RuleOutcome.Suppressed, detail, { kind: SuppressionKind.Cap, detail, capKey: `${boundCap.usageKey}:${boundCap.metric}` }));
			continue;
		}
		const ceiling = rule.ceilings.length === 0 || result.costMinor === 0 ? undefined : firstBreachedCeiling(rule.ceilings, counters.capUsage, pending, result);
		if (ceiling) {
			const detail = `reward cost would exceed ${Math.round(ceiling.maxShareOfRevenue * 1000) / 10}% of the revenue touched this ${ceiling.period} (${ceiling.usageKey.startsWith('rule:') ? 'rule' : 'program'} ceiling)`;
			explanation.push(eligibleLine(candidate, RuleOutcome.Suppressed, detail, { kind: SuppressionKind.CostCeiling, detail, capKey: ceiling.usageKey }));
			continue;
		}
		for (const key of rule.usageKeys) {
			const usage = pending.get(key) ?? { ...EMPTY_USAGE };
			usage.points += result.points;
			usage.offers += result.offers;
			usage.costMinor += result.costMinor;
			usage.revenueMinor += result.revenueMinor;
			usage.firings += 1;
			pending.set(key, usage);
		}
		if (isReward) rewardsGiven++;
		run.failure = undefined;
		const line = eligibleLine(candidate, RuleOutcome.Fired, candidate.followUpOf ? `follow-up scheduled by event ${candidate.followUpOf}` : 'all conditions met');
		if (!candidate.followUpOf) line.conditions = rule.conditions.explain(run);
		explanation.push(line);
		pointsToAward += result.points;
		for (let a = 0; a < result.actions.length; a++) if (!routes.includes(result.actions[a].route)) routes.push(result.actions[a].route);
		fired.push({ ruleId: rule.id, followUpOf: candidate.followUpOf, name: rule.name, priority: rule.priority, arm: candidate.arm, actions: result.actions, points: result.points, offers: result.offers, costMinor: result.costMinor, revenueMinor: result.revenueMinor, valueMinor: result.costMinor });
		const hold = rule.definition.conflict;
		if (hold && hold.suppressOthersForHours > 0) {
			const until = new Date(nowMs + hold.suppressOthersForHours * HOUR_MS).toISOString();
			for (const other of ruleSet.conflictGroups.get(hold.group) ?? []) if (other !== rule.id) suppressionsToCreate.push({ ruleId: other, until, byRuleId: rule.id });
		}
	}

	const bonusAwards = counters.activeBonuses?.length ? runningBonuses(counters.activeBonuses, context, ruleSet.program.pointsPerCurrencyUnit, nowMs) : [];
	for (const bonus of bonusAwards) {
		pointsToAward += bonus.points;
		if (!routes.includes('award')) routes.push('award');
	}

	const followUps: ScheduledFollowUp[] = [];
	for (const f of fired) {
		for (const action of f.actions) {
			if (action.type === 'schedule_follow_up') followUps.push({ ruleId: f.ruleId, dueAt: action.dueAt as string, unlessEvent: action.unlessEvent as string | undefined, identities: context.event.customer?.identities ?? {} });
		}
	}

	return {
		eventKey: context.event.idempotencyKey,
		eventType: context.event.type,
		customerKey: context.profile.customerKey,
		evaluatedAt: isoInstant(nowMs),
		programId: ruleSet.program.id,
		routes: routes.length > 1 ? routes.sort() : routes,
		fired,
		holdouts,
		bonusAwards,
		followUps,
		pointsToAward,
		suppressionsToCreate,
		explanation,
	};
}

const NO_RULES: readonly CompiledRule[] = [];

/**
 * Extra points for purchase lines covered by a running bonus. A line covered by several bonuses
 * gets the largest one, not their product; the base points are Award Points' to give.
 */
function runningBonuses(bonuses: readonly ActiveBonus[], context: EvaluationContext, pointsPerUnit: number, nowMs: number): BonusAward[] {
	const order = context.event.order;
	if (context.event.type !== 'purchase' || !order?.lines?.length) return [];
	const best = new Map<number, ActiveBonus>();
	order.lines.forEach((line, index) => {
		for (const bonus of bonuses) {
			if (Date.parse(bonus.until) <= nowMs) continue;
			const matches = (line.category !== undefined && bonus.categories.some((c) => c.toLowerCase() === line.category!.toLowerCase())) || (line.sku !== undefined && bonus.skus.includes(line.sku));
			const current = best.get(index);
			if (matches && (!current || bonus.multiplier > current.multiplier || (bonus.multiplier === current.multiplier && bonus.ruleId < current.ruleId))) best.set(index, bonus);
		}
	});
	const awards = new Map<ActiveBonus, BonusAward>();
	for (const [index, bonus] of best) {
		const units = wholeUnits(order.lines[index].totalMinor ?? 0, order.currency);
		const extra = Math.floor(Math.floor(units * pointsPerUnit) * (bonus.multiplier - 1));
		const award = awards.get(bonus) ?? { ruleId: bonus.ruleId, sourceEventKey: bonus.sourceEventKey, multiplier: bonus.multiplier, points: 0, lines: [] };
		award.points += Math.max(0, extra);
		award.lines.push(index);
		awards.set(bonus, award);
	}
	return [...awards.values()].filter((a) => a.points > 0);
}

function firstBoundCap(caps: readonly CompiledCap[], stored: Record<string, CapUsage>, pending: Map<string, CapUsage>, result: MaterializedActions): CompiledCap | undefined {
	for (const cap of caps) {
		if (capUsed(cap, stored[cap.usageKey] ?? EMPTY_USAGE, pending.get(cap.usageKey)) + capAmount(cap, result) > cap.max) return cap;
	}
	return undefined;
}

function firstBreachedCeiling(ceilings: CompiledRule['ceilings'], stored: Record<string, CapUsage>, pending: Map<string, CapUsage>, result: MaterializedActions): CompiledRule['ceilings'][number] | undefined {
	for (const ceiling of ceilings) {
		const used = stored[ceiling.usageKey] ?? EMPTY_USAGE;
		const extra = pending.get(ceiling.usageKey);
		const cost = used.costMinor + (extra?.costMinor ?? 0) + result.costMinor;
		const revenue = used.revenueMinor + (extra?.revenueMinor ?? 0) + result.revenueMinor;
		if (cost > ceiling.maxShareOfRevenue * revenue) return ceiling;
	}
	return undefined;
}

/** Within a conflict group only the first in `winnerOrder` goes on; the others are suppressed by it. */
function resolveConflicts(eligible: Eligible[], explanation: RuleExplanation[]): Eligible[] {
	const winners: Eligible[] = [];
	const groups = new Map<string, Eligible[]>();
	for (const candidate of eligible) {
		const group = candidate.rule.definition.conflict?.group;
		if (!group) winners.push(candidate);
		else groups.set(group, [...(groups.get(group) ?? []), candidate]);
	}
	for (const [group, members] of groups) {
		const [winner, ...losers] = members.sort(winnerOrder);
		winners.push(winner);
		for (const loser of losers) {
			const detail = `conflict group "${group}": "${winner.rule.id}" won (priority ${winner.rule.priority}, value ${winner.result.costMinor} vs priority ${loser.rule.priority}, value ${loser.result.costMinor})`;
			explanation.push(eligibleLine(loser, RuleOutcome.Suppressed, detail, { kind: SuppressionKind.Conflict, detail, byRuleId: winner.rule.id }));
		}
	}
	return winners;
}

/** One plain-English line per considered rule, for the canvas and the CLI. */
export function explanationLine(line: RuleExplanation): string {
	const failed = line.failedCondition;
	const why = failed ? `${failed.path}: ${failed.reason ?? `${failed.fact} is ${JSON.stringify(failed.actual)}, needs ${failed.operator} ${JSON.stringify(failed.expected)}`}` : (line.reason ?? '');
	return `${line.ruleId}: ${line.outcome} — ${why}`;
}
