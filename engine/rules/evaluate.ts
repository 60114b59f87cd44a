import { DateTime } from 'luxon';
import { isValidTimeZone } from '../model/customer';
import { materializeActions, revenueMinorOf, wholeUnits, type MaterializedActions } from './actions';
import { badgesAndPerksOf } from './badges';
import type { CompiledCap, CompiledRule, CompiledRuleSet } from './compile';
import type { ConditionRun } from './conditions';
import { assignArm, HOLDOUT_ARM } from './experiments';
import { isoInstant } from './isoInstant';
import type { LocalClock } from './schedule';
import {
	RuleOutcome,
	SuppressionKind,
	type ActiveBonus,
	type BonusAward,
	type CapUsage,
	type ChallengeCompletion,
	type ChallengePurchase,
	type ChallengeReward,
	type ChallengeStart,
	type ExtraPointsUsage,
	type ScheduledFollowUp,
	type Decision,
	type EvaluationContext,
	type FiredRule,
	type RuleExplanation,
	type RunningChallenge,
	type SuppressionToCreate,
} from './types';
import type { Route } from './vocabulary';

const HOUR_MS = 3_600_000;

interface Eligible {
	rule: CompiledRule;
	arm: string | undefined;
	/** The rule's shared fixedActions (copied when it fires), or its actions worked out for this event. */
	result: MaterializedActions;
	followUpOf: string | undefined;
	/** The rule's fixedRank when `result` is its fixed actions (so its place among winners is known), else -1. */
	rank: number;
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
	// idRank is the rule's place in code-point order of ids, so this is the id comparison.
	if (a.rule !== b.rule && a.rule.idRank !== b.rule.idRank) return a.rule.idRank - b.rule.idRank;
	return a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0;
}

/** `list` with `item` at its end: a first item makes a one-item array, since a push onto an empty one reserves room for 16. */
function withItem<T>(list: T[], item: T): T[] {
	if (list.length === 0) return [item];
	list.push(item);
	return list;
}

/**
 * Puts winners in `winnerOrder`, stably, by binary insertion: winners are few, and the built-in
 * sort's calls into the comparator cost more than the comparisons. When every winner's place is
 * known from compile time (fixed rewards: most rule sets), their ranks are compared instead.
 * `winnerOrder` is a total order (so every stable sort gives this same result) unless a reward value
 * is NaN, which only a malformed context makes: that is left to the built-in sort, as before.
 */
function sortWinners(winners: Eligible[], fixedRanks: number): void {
	let ranked = true;
	for (let i = 0; i < winners.length; i++) {
		if (winners[i].rank < 0) ranked = false;
		if (Number.isNaN(winners[i].result.costMinor)) {
			winners.sort(winnerOrder);
			return;
		}
	}
	if (ranked && winners.length > 8) {
		// Many winners, each with its own rank: put each in its rank's place, then read the places in order.
		const places = new Array<Eligible | undefined>(fixedRanks);
		for (let i = 0; i < winners.length; i++) places[winners[i].rank] = winners[i];
		let next = 0;
		for (let rank = 0; next < winners.length; rank++) if (places[rank] !== undefined) winners[next++] = places[rank]!;
		return;
	}
	for (let i = 1; i < winners.length; i++) {
		const item = winners[i];
		// The first place whose winner comes after `item`: equal ones keep their order.
		let low = 0;
		let high = i;
		while (low < high) {
			const middle = (low + high) >>> 1;
			if (ranked ? item.rank < winners[middle].rank : winnerOrder(item, winners[middle]) < 0) high = middle;
			else low = middle + 1;
		}
		for (let j = i; j > low; j--) winners[j] = winners[j - 1];
		winners[low] = item;
	}
}

const EMPTY_USAGE: CapUsage = { points: 0, offers: 0, costMinor: 0, revenueMinor: 0, firings: 0 };

function capAmount(cap: CompiledCap, amount: CapUsage): number {
	switch (cap.metric) {
		case 'points':
			return amount.points;
		case 'offers':
			return amount.offers;
		case 'cost_minor':
			return amount.costMinor;
		case 'firings':
			return amount.firings;
	}
}

/** What one firing of a rule adds to the budgets it counts against; `revenueMinor` is the event's (revenueMinorOf). */
function firingAmount(result: MaterializedActions, revenueMinor: number): CapUsage {
	return { points: result.points, offers: result.offers, costMinor: result.costMinor, revenueMinor, firings: 1 };
}

/** The caps (rule's, then program's) and cost ceilings a reward counts against, and the usage totals it adds to; a compiled rule is one. */
interface Budgets {
	allCaps: readonly CompiledCap[];
	ceilings: CompiledRule['ceilings'];
	usageKeys: readonly string[];
}

/**
 * Bonus and challenge points count against the rule that granted them. A rule that is not in this
 * rule set (another workflow started the bonus) still answers to the program's budgets.
 */
function budgetsOf(ruleSet: CompiledRuleSet, ruleId: string): Budgets {
	const rule = ruleSet.rulesById.get(ruleId);
	if (rule) return rule;
	const ceilings = ruleSet.programCostCeiling ? [ruleSet.programCostCeiling] : [];
	return { allCaps: ruleSet.programCaps, ceilings, usageKeys: [...new Set([...ruleSet.programCaps.map((c) => c.usageKey), ...ceilings.map((c) => c.usageKey)])] };
}

/** Budget used by this event so far, per usage key; made when the first budget is used (most rule sets have none). */
type Pending = Map<string, CapUsage> | undefined;

/** The first cap or cost ceiling `amount` would break, worded, or undefined when it fits. */
function budgetBreach(budgets: Budgets, stored: Record<string, CapUsage>, pending: Pending, amount: CapUsage): NonNullable<RuleExplanation['suppressedBy']> | undefined {
	const boundCap = budgets.allCaps.length === 0 ? undefined : firstBoundCap(budgets.allCaps, stored, pending, amount);
	if (boundCap) {
		const used = capUsed(boundCap, stored[boundCap.usageKey] ?? EMPTY_USAGE, pending?.get(boundCap.usageKey));
		const detail = `${boundCap.scope} cap of ${boundCap.max} ${boundCap.metric} per ${boundCap.period} would be exceeded (${used} used, this needs ${capAmount(boundCap, amount)})`;
		return { kind: SuppressionKind.Cap, detail, capKey: `${boundCap.usageKey}:${boundCap.metric}` };
	}
	const ceiling = budgets.ceilings.length === 0 || amount.costMinor === 0 ? undefined : firstBreachedCeiling(budgets.ceilings, stored, pending, amount);
	if (ceiling) {
		const detail = `reward cost would exceed ${Math.round(ceiling.maxShareOfRevenue * 1000) / 10}% of the revenue touched this ${ceiling.period} (${ceiling.usageKey.startsWith('rule:') ? 'rule' : 'program'} ceiling)`;
		return { kind: SuppressionKind.CostCeiling, detail, capKey: ceiling.usageKey };
	}
	return undefined;
}

function addPending(pending: Map<string, CapUsage>, keys: readonly string[], amount: CapUsage): Map<string, CapUsage> {
	for (const key of keys) {
		const usage = pending.get(key) ?? { ...EMPTY_USAGE };
		usage.points += amount.points;
		usage.offers += amount.offers;
		usage.costMinor += amount.costMinor;
		usage.revenueMinor += amount.revenueMinor;
		usage.firings += amount.firings;
		pending.set(key, usage);
	}
	return pending;
}

function capUsed(cap: CompiledCap, stored: CapUsage, pending: CapUsage | undefined): number {
	const key = cap.metric === 'cost_minor' ? 'costMinor' : cap.metric;
	return stored[key] + (pending?.[key] ?? 0);
}

/**
 * Decides what one event earns. Pure and synchronous: everything it needs is in `context`
 * (loaded by the store in one read), and the result is a value that `recordDecision` persists.
 * A condition whose data is missing is "not met" with that reason; nothing here throws on data.
 * The steps: screen each rule for the event, add a follow-up that is due, settle conflict groups,
 * fire the winners within the budgets, grant running bonuses and challenges, list the follow-ups.
 */
export function evaluate(ruleSet: CompiledRuleSet, context: EvaluationContext, now: Date): Decision {
	const nowMs = now.getTime();
	const zone = usableZone(context.profile.timeZone, ruleSet.program.timeZone);
	const run: ConditionRun = { context, nowMs, zone, failure: undefined, memo: undefined, memoized: 0 };
	const explanation: RuleExplanation[] = [];

	const screened = screenRules(ruleSet, context, run, explanation);
	addDueFollowUp(ruleSet, context, nowMs, screened.eligible, explanation);
	const winners = screened.anyConflict ? resolveConflicts(screened.eligible, explanation) : screened.eligible;
	if (winners.length > 1) sortWinners(winners, ruleSet.fixedRanks);
	const firing = fireWinners(ruleSet, context.counters, run, winners, explanation);
	const extras = grantExtras(ruleSet, context, zone, nowMs, firing, explanation);

	const eventKey = context.event.idempotencyKey;
	const eventType = context.event.type;
	const customerKey = context.profile.customerKey;
	const evaluatedAt = isoInstant(nowMs);
	const programId = ruleSet.program.id;
	const programVersion = ruleSet.program.version;
	const routes = firing.routes.length > 1 ? firing.routes.sort() : firing.routes;
	const { fired, pointsToAward, suppressionsToCreate } = firing;
	const { holdouts } = screened;
	const { bonusAwards, challengeCompletions, challengesToStart, extraPointsUsage } = extras;
	const followUps = firing.schedulesFollowUp ? scheduledFollowUps(fired, context) : [];
	// Two literals rather than a spread of the optional version: a spread inside a literal makes V8
	// add every later field one at a time, which cost as much as evaluating a small rule set.
	const decision: Decision =
		programVersion === undefined
			? { eventKey, eventType, customerKey, evaluatedAt, programId, routes, fired, holdouts, bonusAwards, challengeCompletions, challengesToStart, extraPointsUsage, followUps, pointsToAward, suppressionsToCreate, explanation }
			: { eventKey, eventType, customerKey, evaluatedAt, programId, programVersion, routes, fired, holdouts, bonusAwards, challengeCompletions, challengesToStart, extraPointsUsage, followUps, pointsToAward, suppressionsToCreate, explanation };
	// Badges and perks: looked for only in rule sets that give them, when a rule fired.
	if (ruleSet.givesBadgesOrPerks && fired.length > 0) {
		const { badgeAwards, perkTags } = badgesAndPerksOf(fired, context);
		if (badgeAwards.length > 0) decision.badgeAwards = badgeAwards;
		if (perkTags.length > 0) decision.perkTags = perkTags;
	}
	return decision;
}

interface Screened {
	eligible: Eligible[];
	holdouts: Decision['holdouts'];
	/** Whether any eligible rule belongs to a conflict group (most events: none, and that step is skipped). */
	anyConflict: boolean;
}

/** The rules the event triggers that may fire: in schedule, conditions met, not held back, not in a holdout. */
function screenRules(ruleSet: CompiledRuleSet, context: EvaluationContext, run: ConditionRun, explanation: RuleExplanation[]): Screened {
	const screened: Screened = { eligible: [], holdouts: [], anyConflict: false };
	let clock: LocalClock | undefined;
	// Most customers have no hold on any rule: then no rule needs to look one up.
	const anyHold = hasKeys(context.counters.suppressedUntil);
	const candidates = ruleSet.rulesByTrigger.get(context.event.type) ?? NO_RULES;
	for (let i = 0; i < candidates.length; i++) {
		const rule = candidates[i];
		const outOfSchedule = rule.schedule === undefined ? undefined : rule.schedule(run.nowMs, (clock ??= { nowMs: run.nowMs, zone: run.zone, local: undefined }));
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
		const holdBack = holdBackOf(rule, context.counters, run.nowMs, anyHold);
		if (holdBack) {
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Suppressed, reason: holdBack.detail, suppressedBy: holdBack });
			continue;
		}
		if (!rule.definition.experiment) {
			if (rule.definition.conflict) screened.anyConflict = true;
			const result = rule.fixedActions ?? materializeActions(rule.definition.actions, context, ruleSet.program, run.nowMs);
			screened.eligible = withItem(screened.eligible, { rule, arm: undefined, result, followUpOf: undefined, rank: rule.fixedRank });
			continue;
		}
		const variant = variantOf(rule, context);
		if (variant.arm === HOLDOUT_ARM) {
			const experimentId = rule.definition.experiment.id;
			screened.holdouts.push({ ruleId: rule.id, experimentId, arm: HOLDOUT_ARM });
			explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Holdout, reason: `holdout of experiment "${experimentId}": not sent`, arm: variant.arm });
			continue;
		}
		if (rule.definition.conflict) screened.anyConflict = true;
		screened.eligible = withItem(screened.eligible, { rule, arm: variant.arm, result: materializeActions(variant.actions, context, ruleSet.program, run.nowMs), followUpOf: undefined, rank: -1 });
	}
	return screened;
}

/** What holds a rule back before its actions are worked out: a conflict group's hold, or its frequency limit. */
function holdBackOf(rule: CompiledRule, counters: EvaluationContext['counters'], nowMs: number, anyHold: boolean): NonNullable<RuleExplanation['suppressedBy']> | undefined {
	const held = anyHold ? heldBy(rule, counters, nowMs) : undefined;
	if (held) {
		const detail = `held back until ${held.until} because ${held.by ? `"${held.by}"` : 'another rule'} won its conflict group`;
		return { kind: SuppressionKind.Suppression, detail, ...(held.by ? { byRuleId: held.by } : {}) };
	}
	const frequency = rule.definition.frequency;
	if (!frequency) return undefined;
	const uses = counters.ruleUses[rule.id] ?? 0;
	if (uses >= frequency.max) {
		return { kind: SuppressionKind.Frequency, detail: `fired ${uses} time(s) for this customer in the last ${frequency.perDays} days (limit ${frequency.max})` };
	}
	return undefined;
}

/** The rule's actions for this customer: its experiment arm's (or none, in the holdout), else its own. */
function variantOf(rule: CompiledRule, context: EvaluationContext): { arm?: string; actions: CompiledRule['definition']['actions'] } {
	const experiment = rule.definition.experiment;
	if (!experiment) return { actions: rule.definition.actions };
	const arm = assignArm(experiment, context.profile.customerKey);
	if (arm === HOLDOUT_ARM) return { arm, actions: [] };
	return { arm, actions: experiment.variants.find((v) => v.name === arm)?.actions ?? rule.definition.actions };
}

/** A due follow-up competes like a rule that fired: its conditions held when it was scheduled. */
function addDueFollowUp(ruleSet: CompiledRuleSet, context: EvaluationContext, nowMs: number, eligible: Eligible[], explanation: RuleExplanation[]): void {
	const followUpOf = context.event.type === 'follow_up_due' ? followUpSource(context.event.data) : undefined;
	if (!followUpOf) return;
	const rule = ruleSet.rulesById.get(followUpOf.ruleId);
	const then = rule?.definition.actions.flatMap((a) => (a.type === 'schedule_follow_up' ? a.then : []));
	if (!rule || !then?.length) {
		explanation.push({ ruleId: followUpOf.ruleId, outcome: RuleOutcome.NotMet, reason: `the rule that scheduled this follow-up ${rule ? 'no longer has a follow-up' : 'no longer exists'}` });
	} else if (!rule.enabled) {
		explanation.push({ ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Disabled, reason: 'the rule that scheduled this follow-up is switched off' });
	} else {
		// Budgets and limits still apply now.
		eligible.push({ rule, arm: undefined, result: materializeActions(then, context, ruleSet.program, nowMs), followUpOf: followUpOf.sourceEventKey, rank: -1 });
	}
}

/** What the winners add up to once the daily limit and the budgets have had their say. */
interface Firing {
	fired: FiredRule[];
	suppressionsToCreate: SuppressionToCreate[];
	/** Budget used by this event so far, per usage key (bonuses and challenges come after). */
	pending: Pending;
	routes: Route[];
	pointsToAward: number;
	/** Whether a fired rule starts a challenge or schedules a follow-up (most fire neither, and those steps are skipped). */
	startsChallenge: boolean;
	schedulesFollowUp: boolean;
}

/** Fires the winners in `winnerOrder`, each within the program's daily limit and its caps and ceilings. */
function fireWinners(ruleSet: CompiledRuleSet, counters: EvaluationContext['counters'], run: ConditionRun, winners: Eligible[], explanation: RuleExplanation[]): Firing {
	const firing: Firing = { fired: [], suppressionsToCreate: [], pending: undefined, routes: [], pointsToAward: 0, startsChallenge: false, schedulesFollowUp: false };
	const limit = ruleSet.program.maxRewardsPerCustomerPerDay;
	// The same for every rule: a rule's fixed actions do not carry it.
	const revenueMinor = revenueMinorOf(run.context);
	let rewardsGiven = 0;
	for (let w = 0; w < winners.length; w++) {
		const candidate = winners[w];
		const { rule, result } = candidate;
		const isReward = result.points > 0 || result.offers > 0;
		if (isReward && limit !== undefined && counters.customerRewardsToday + rewardsGiven >= limit) {
			const detail = `the customer already got ${counters.customerRewardsToday + rewardsGiven} reward(s) today (program limit ${limit} per day)`;
			explanation.push(eligibleLine(candidate, RuleOutcome.Suppressed, detail, { kind: SuppressionKind.DailyLimit, detail }));
			continue;
		}
		// A rule without caps or ceilings (and a program without them) has no budget to check or use.
		if (rule.usageKeys.length > 0) {
			const amount = firingAmount(result, revenueMinor);
			const breach = budgetBreach(rule, counters.capUsage, firing.pending, amount);
			if (breach) {
				explanation.push(eligibleLine(candidate, RuleOutcome.Suppressed, breach.detail, breach));
				continue;
			}
			firing.pending = addPending(firing.pending ?? new Map(), rule.usageKeys, amount);
		}
		if (isReward) rewardsGiven++;
		run.failure = undefined;
		explanation.push(
			candidate.followUpOf
				? eligibleLine(candidate, RuleOutcome.Fired, `follow-up scheduled by event ${candidate.followUpOf}`)
				: { ruleId: rule.id, name: rule.name, outcome: RuleOutcome.Fired, reason: 'all conditions met', arm: candidate.arm, suppressedBy: undefined, conditions: rule.conditions.explainPassed(run) },
		);
		firing.pointsToAward += result.points;
		for (let a = 0; a < result.actions.length; a++) if (!firing.routes.includes(result.actions[a].route)) firing.routes = withItem(firing.routes, result.actions[a].route);
		firing.fired = withItem(firing.fired, firedRule(candidate, revenueMinor));
		if (result.startsChallenge) firing.startsChallenge = true;
		if (result.schedulesFollowUp) firing.schedulesFollowUp = true;
		if (rule.definition.conflict) for (const hold of conflictHolds(ruleSet, rule, run.nowMs)) firing.suppressionsToCreate.push(hold);
	}
	return firing;
}

function firedRule(candidate: Eligible, revenueMinor: number): FiredRule {
	const { rule, result } = candidate;
	const actions = result === rule.fixedActions ? rule.fixedActions.copy() : result.actions;
	return candidate.arm
		? { ruleId: rule.id, followUpOf: candidate.followUpOf, name: rule.name, priority: rule.priority, arm: candidate.arm, experimentId: rule.definition.experiment?.id, actions, points: result.points, offers: result.offers, costMinor: result.costMinor, revenueMinor, valueMinor: result.costMinor }
		: { ruleId: rule.id, followUpOf: candidate.followUpOf, name: rule.name, priority: rule.priority, arm: candidate.arm, actions, points: result.points, offers: result.offers, costMinor: result.costMinor, revenueMinor, valueMinor: result.costMinor };
}

/** The holds a fired rule of a conflict group puts on the rest of its group for a while. */
function conflictHolds(ruleSet: CompiledRuleSet, rule: CompiledRule, nowMs: number): SuppressionToCreate[] {
	const hold = rule.definition.conflict;
	if (!hold || hold.suppressOthersForHours <= 0) return [];
	const until = new Date(nowMs + hold.suppressOthersForHours * HOUR_MS).toISOString();
	const holds: SuppressionToCreate[] = [];
	for (const other of ruleSet.conflictGroups.get(hold.group) ?? []) if (other !== rule.id) holds.push({ ruleId: other, until, byRuleId: rule.id });
	// The group itself is held too, so rules of the same group in another workflow's rule
	// set (the win-back next to the cart reminder) are held back as well.
	holds.push({ ruleId: conflictGroupKey(hold.group), until, byRuleId: rule.id });
	return holds;
}

/** Running bonuses and challenges, after the rules that fired (which used the budget first). Most events skip this entirely. */
function grantExtras(ruleSet: CompiledRuleSet, context: EvaluationContext, zone: string, nowMs: number, firing: Firing, explanation: RuleExplanation[]): Extras {
	const extras: Extras = { bonusAwards: [], challengeCompletions: [], challengesToStart: [], extraPointsUsage: [] };
	const { counters } = context;
	if (!counters.activeBonuses?.length && !counters.runningChallenges?.length && !firing.startsChallenge) return extras;
	const budget: ExtraBudget = { ruleSet, counters, pending: firing.pending, routes: firing.routes, pointsToAward: firing.pointsToAward, usage: extras.extraPointsUsage };
	grantBonuses(budget, context, nowMs, extras, explanation);
	settleChallenges(budget, context, zone, nowMs, firing.fired, extras, explanation);
	firing.pointsToAward = budget.pointsToAward;
	firing.pending = budget.pending;
	return extras;
}

/** The follow-ups the fired rules schedule. */
function scheduledFollowUps(fired: readonly FiredRule[], context: EvaluationContext): ScheduledFollowUp[] {
	const followUps: ScheduledFollowUp[] = [];
	for (const f of fired) {
		for (const action of f.actions) {
			if (action.type === 'schedule_follow_up') followUps.push({ ruleId: f.ruleId, dueAt: action.dueAt as string, unlessEvent: action.unlessEvent as string | undefined, identities: context.event.customer?.identities ?? {} });
		}
	}
	return followUps;
}

const NO_RULES: readonly CompiledRule[] = [];

interface Extras {
	bonusAwards: BonusAward[];
	challengeCompletions: ChallengeCompletion[];
	challengesToStart: ChallengeStart[];
	extraPointsUsage: ExtraPointsUsage[];
}

/** The budgets bonus and challenge points are checked against, and what they add to the decision. */
interface ExtraBudget {
	ruleSet: CompiledRuleSet;
	counters: EvaluationContext['counters'];
	pending: Pending;
	routes: Route[];
	pointsToAward: number;
	usage: ExtraPointsUsage[];
}

function startsChallenge(fired: FiredRule): boolean {
	return fired.actions.some((a) => a.type === 'start_challenge');
}

/**
 * Bonus and challenge points count against the caps and ceilings of the rule that granted them,
 * after the rules that fired on this event (which used the budget first). Returns what held them
 * back, or undefined when they were granted.
 */
function grantExtra(budget: ExtraBudget, kind: ExtraPointsUsage['kind'], ruleId: string, sourceEventKey: string, points: number, revenueMinor: number): RuleExplanation['suppressedBy'] | undefined {
	const amount: CapUsage = { points, offers: 0, costMinor: Math.round(points * budget.ruleSet.program.pointValueMinor), revenueMinor, firings: 0 };
	const budgets = budgetsOf(budget.ruleSet, ruleId);
	const breach = budgetBreach(budgets, budget.counters.capUsage, budget.pending, amount);
	if (breach) return breach;
	budget.pending = addPending(budget.pending ?? new Map(), budgets.usageKeys, amount);
	budget.usage.push({ kind, ruleId, sourceEventKey, points, costMinor: amount.costMinor, revenueMinor });
	budget.pointsToAward += points;
	if (!budget.routes.includes('award')) budget.routes.push('award');
	return undefined;
}

function grantBonuses(budget: ExtraBudget, context: EvaluationContext, nowMs: number, extras: Extras, explanation: RuleExplanation[]): void {
	const { ruleSet, counters } = budget;
	if (!counters.activeBonuses?.length) return;
	const orderLines = context.event.order?.lines ?? [];
	for (const bonus of runningBonuses(counters.activeBonuses, context, ruleSet.program.pointsPerCurrencyUnit, nowMs)) {
		const revenueMinor = bonus.lines.reduce((sum, index) => sum + (orderLines[index]?.totalMinor ?? 0), 0);
		const breach = grantExtra(budget, 'bonus', bonus.ruleId, bonus.sourceEventKey, bonus.points, revenueMinor);
		if (!breach) {
			extras.bonusAwards.push(bonus);
			continue;
		}
		const reason = `running ${bonus.multiplier}x bonus from event ${bonus.sourceEventKey} (+${bonus.points} points) held back: ${breach.detail}`;
		explanation.push({ ruleId: bonus.ruleId, name: ruleSet.rulesById.get(bonus.ruleId)?.name, outcome: RuleOutcome.Suppressed, reason, suppressedBy: breach });
	}
}

function localDate(iso: string, zone: string, fallbackZone: string): string | null {
	const local = DateTime.fromISO(iso, { zone });
	return (local.isValid ? local : DateTime.fromISO(iso, { zone: fallbackZone })).toISODate();
}

function challengeLine(ruleSet: CompiledRuleSet, ruleId: string, reason: string, outcome: RuleOutcome = RuleOutcome.Challenge, suppressedBy?: RuleExplanation['suppressedBy']): RuleExplanation {
	return { ruleId, name: ruleSet.rulesById.get(ruleId)?.name, outcome, reason, ...(suppressedBy ? { suppressedBy } : {}) };
}

/** Progress and completion of running challenges, and the challenges fired rules start (one of an id at a time per customer). */
function settleChallenges(budget: ExtraBudget, context: EvaluationContext, zone: string, nowMs: number, fired: FiredRule[], extras: Extras, explanation: RuleExplanation[]): void {
	const { ruleSet, counters } = budget;
	const dateOf = (iso: string) => localDate(iso, zone, ruleSet.program.timeZone);
	const stillRunning: RunningChallenge[] = [];
	const isPurchase = context.event.type === 'purchase';
	for (const challenge of counters.runningChallenges?.length ? [...counters.runningChallenges].sort(challengeOrder) : []) {
		if (Date.parse(challenge.endsAt) <= nowMs) continue;
		const progress = Math.min(challenge.purchases.length, challenge.goal);
		if (!isPurchase || challenge.purchases.length < challenge.goal) {
			stillRunning.push(challenge);
			if (isPurchase) explanation.push(challengeLine(ruleSet, challenge.ruleId, `challenge ${challenge.challenge}: ${progress} of ${challenge.goal} purchases, ends ${dateOf(challenge.endsAt)}`));
			continue;
		}
		// Goal reached: the challenge completes even when a budget holds its reward back, so it is not tried again.
		const counted = challenge.purchases.slice(0, challenge.goal);
		const points = challengeRewardPoints(challenge.reward, counted, ruleSet.program.pointsPerCurrencyUnit);
		const breach = points > 0 ? grantExtra(budget, 'challenge', challenge.ruleId, challenge.sourceEventKey, points, counted.reduce((sum, p) => sum + p.netMinor, 0)) : undefined;
		const completed = `challenge ${challenge.challenge} completed: ${progress} of ${challenge.goal} purchases`;
		extras.challengeCompletions.push({ ruleId: challenge.ruleId, sourceEventKey: challenge.sourceEventKey, challenge: challenge.challenge, goal: challenge.goal, purchases: counted.map((p) => p.key), points: breach ? 0 : points, ...(breach ? { suppressed: breach.detail } : {}) });
		explanation.push(breach ? challengeLine(ruleSet, challenge.ruleId, `${completed}; reward of ${points} points held back: ${breach.detail}`, RuleOutcome.Suppressed, breach) : challengeLine(ruleSet, challenge.ruleId, `${completed}, +${points} points`));
	}

	for (const f of fired) {
		if (!startsChallenge(f)) continue;
		f.actions = f.actions.map((action) => {
			if (action.type !== 'start_challenge') return action;
			const id = action.challenge as string;
			const goal = action.goalPurchases as number;
			const running = stillRunning.find((c) => c.challenge === id);
			const startedNow = extras.challengesToStart.find((c) => c.challenge === id);
			if (running) {
				explanation.push(challengeLine(ruleSet, f.ruleId, `challenge ${id} not started: one is already running (${Math.min(running.purchases.length, running.goal)} of ${running.goal} purchases, ends ${dateOf(running.endsAt)})`));
				return { ...action, started: false };
			}
			if (startedNow) {
				explanation.push(challengeLine(ruleSet, f.ruleId, `challenge ${id} not started: "${startedNow.ruleId}" starts it with this event`));
				return { ...action, started: false };
			}
			const endsAt = action.endsAt as string;
			extras.challengesToStart.push({ ruleId: f.ruleId, challenge: id, goal, startsAt: isoInstant(nowMs), endsAt, reward: action.reward as ChallengeReward });
			explanation.push(challengeLine(ruleSet, f.ruleId, `challenge ${id} started: 0 of ${goal} purchases, ends ${dateOf(endsAt)}`));
			return { ...action, started: true };
		});
	}
}


/** The suppression row that holds back a whole conflict group, whichever rule set its members live in. */
export function conflictGroupKey(group: string): string {
	return `group:${group}`;
}

function hasKeys(record: object): boolean {
	for (const _ in record) return true;
	return false;
}

/** Zones already checked: asking Intl whether a zone exists costs more than a whole evaluation. */
const checkedZones = new Map<string, boolean>();

/**
 * The customer's zone when Intl knows it, else the program's: a profile from a direct caller (the
 * store already drops unknown zones) must not make a calendar fact throw, as nothing here throws on data.
 */
function usableZone(zone: string | undefined, programZone: string): string {
	if (zone === undefined || zone === programZone) return programZone;
	let known = checkedZones.get(zone);
	if (known === undefined) {
		known = isValidTimeZone(zone);
		if (checkedZones.size < 1000) checkedZones.set(zone, known);
	}
	return known ? zone : programZone;
}

/** A hold on this rule, or on its conflict group by another rule, that is still running. */
function heldBy(rule: CompiledRule, counters: EvaluationContext['counters'], nowMs: number): { until: string; by?: string } | undefined {
	const own = counters.suppressedUntil[rule.id];
	if (own && Date.parse(own) > nowMs) return { until: own, by: counters.suppressedBy?.[rule.id] };
	const group = rule.definition.conflict?.group;
	if (!group) return undefined;
	const key = conflictGroupKey(group);
	const until = counters.suppressedUntil[key];
	const by = counters.suppressedBy?.[key];
	if (until && Date.parse(until) > nowMs && by !== rule.id) return { until, by };
	return undefined;
}

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

/** Oldest deadline first, then by the starting event and rule: the order never depends on rows. */
function challengeOrder(a: RunningChallenge, b: RunningChallenge): number {
	return a.endsAt.localeCompare(b.endsAt) || (a.sourceEventKey < b.sourceEventKey ? -1 : a.sourceEventKey > b.sourceEventKey ? 1 : 0) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

/**
 * A completed challenge's extra points: the fixed reward, or for a multiplier the extra over each
 * counted purchase's base points, floor(floor(units × points per unit) × (multiplier − 1)), summed
 * (the same rounding as category bonuses; the base points are Award Points' to give).
 */
export function challengeRewardPoints(reward: ChallengeReward, purchases: readonly ChallengePurchase[], pointsPerUnit: number): number {
	if (reward.points !== undefined) return reward.points;
	const multiplier = reward.multiplier ?? 1;
	let points = 0;
	for (const purchase of purchases) points += Math.max(0, Math.floor(Math.floor(wholeUnits(purchase.netMinor, purchase.currency) * pointsPerUnit) * (multiplier - 1)));
	return points;
}

function firstBoundCap(caps: readonly CompiledCap[], stored: Record<string, CapUsage>, pending: Pending, amount: CapUsage): CompiledCap | undefined {
	for (const cap of caps) {
		if (capUsed(cap, stored[cap.usageKey] ?? EMPTY_USAGE, pending?.get(cap.usageKey)) + capAmount(cap, amount) > cap.max) return cap;
	}
	return undefined;
}

function firstBreachedCeiling(ceilings: CompiledRule['ceilings'], stored: Record<string, CapUsage>, pending: Pending, result: CapUsage): CompiledRule['ceilings'][number] | undefined {
	for (const ceiling of ceilings) {
		const used = stored[ceiling.usageKey] ?? EMPTY_USAGE;
		const extra = pending?.get(ceiling.usageKey);
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
