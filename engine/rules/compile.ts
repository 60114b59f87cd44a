import { LoyaltyError } from '../model/errors';
import { isValidTimeZone } from '../model/customer';
import { fixedActionsOf, type FixedActions } from './actions';
import { checkBadgeActions } from './badges';
import { compileConditions, type CompiledCondition } from './conditions';
import { formatZodPath } from './paths';
import { compileSchedule, type CompiledSchedule } from './schedule';
import { programRulesSchema, RULE_SCHEMA_VERSION, ruleShapeSchema, type AggregateSpec, type Cap, type CostCeiling, type ProgramRules, type RuleInput, type RuleSetInput, type RuleShape } from './schema';
import type { Period } from './vocabulary';

/** Which usage totals a cap or cost ceiling reads: one rule's or the whole program's, per period. */
export interface UsageRequirement {
	key: string;
	ruleId?: string;
	period: Period;
}

export interface CompiledCap extends Cap {
	usageKey: string;
	scope: 'rule' | 'program';
}

export interface CompiledRule {
	id: string;
	name?: string;
	/** Position in the input, for messages only: ties are never broken by it. */
	index: number;
	enabled: boolean;
	priority: number;
	triggers: ReadonlySet<string>;
	conditions: CompiledCondition;
	schedule?: CompiledSchedule;
	definition: RuleShape;
	caps: CompiledCap[];
	costCeiling?: CostCeiling & { usageKey: string };
	/** The rule's caps then the program's, checked in that order. */
	allCaps: CompiledCap[];
	/** The rule's cost ceiling then the program's. */
	ceilings: Array<CostCeiling & { usageKey: string }>;
	/** Every usage total a firing of this rule adds to. */
	usageKeys: string[];
	/** Rank of `id` in ascending code-point order within the rule set: the last tie-break, as a number. */
	idRank: number;
	/** The rule's own actions worked out once, when they do not depend on the event (see fixedActionsOf). */
	fixedActions: FixedActions | undefined;
	/**
	 * For a rule with fixedActions, its place in the winner order (priority, reward value, id) among
	 * the rule set's other such rules, whose values are known at compile time; -1 for the others.
	 */
	fixedRank: number;
}

export interface CompiledRuleSet {
	version: typeof RULE_SCHEMA_VERSION;
	program: ProgramRules;
	rules: readonly CompiledRule[];
	rulesById: ReadonlyMap<string, CompiledRule>;
	/** Enabled rules per trigger, already in the deterministic tie-break order's rule-id part. */
	rulesByTrigger: ReadonlyMap<string, readonly CompiledRule[]>;
	/** Exactly the windowed aggregates the conditions use; the store computes only these. */
	requiredAggregates: ReadonlyMap<string, AggregateSpec>;
	requiredUsage: ReadonlyMap<string, UsageRequirement>;
	/** Per rule id: the frequency window in days. */
	frequencyWindows: ReadonlyMap<string, number>;
	programCaps: CompiledCap[];
	programCostCeiling?: CostCeiling & { usageKey: string };
	/** Conflict group → its rule ids (a winner may suppress the others). */
	conflictGroups: ReadonlyMap<string, readonly string[]>;
	/** How many rules have a fixedRank (0 to this, less one). */
	fixedRanks: number;
	/** Whether a rule reads or awards badges: only then does loadContext read the customer's badges. */
	needsBadges?: boolean;
	/** Whether a condition reads profile.referralCount: only then does loadContext count the customer's referrals. */
	needsReferralCount?: boolean;
	/** Whether any action awards a badge or gives a perk: only then does evaluate look for them among the fired rules. */
	givesBadgesOrPerks?: boolean;
}

export const usageKey = (period: Period, ruleId?: string) => (ruleId ? `rule:${ruleId}:${period}` : `program:${period}`);

function invalid(path: string, message: string): never {
	throw LoyaltyError.invalid(path, message);
}

/**
 * A started challenge is stored under its event and rule, so one firing starts at most one: a
 * second `start_challenge` in the same action list would be silently lost, so it is refused here.
 */
function checkChallengeStarts(rule: RuleShape, path: string): void {
	const lists: Array<[string, ReadonlyArray<{ type: string; then?: ReadonlyArray<{ type: string }> }>]> = [[`${path}.actions`, rule.actions]];
	rule.actions.forEach((action, a) => {
		if (action.type === 'schedule_follow_up') lists.push([`${path}.actions[${a}].then`, action.then]);
	});
	rule.experiment?.variants.forEach((variant, v) => {
		if (variant.actions) lists.push([`${path}.experiment.variants[${v}].actions`, variant.actions]);
	});
	for (const [at, actions] of lists) {
		const starts = actions.flatMap((action, a) => (action.type === 'start_challenge' ? [a] : []));
		if (starts.length > 1) invalid(`${at}[${starts[1]}]`, 'a rule starts at most one challenge per firing; use another rule for a second challenge');
	}
}

/**
 * Validates and compiles rules once. Accepts a list of rules or a whole rule set document
 * `{ version: 1, program, rules }`. Any problem throws a LoyaltyError whose field is the JSON path
 * (`rules[2].conditions.all[1].operator: unknown operator "contains_any_off"`).
 */
export function compileRules(input: RuleInput[] | RuleSetInput | unknown): CompiledRuleSet {
	let rulesInput: unknown;
	let programInput: unknown = {};
	if (Array.isArray(input)) rulesInput = input;
	else if (input && typeof input === 'object') {
		const doc = input as Record<string, unknown>;
		if (doc.version !== RULE_SCHEMA_VERSION) invalid('version', `must be ${RULE_SCHEMA_VERSION} (the rule schema version), got ${JSON.stringify(doc.version) ?? 'nothing'}`);
		for (const key of Object.keys(doc)) if (!['version', 'program', 'rules'].includes(key)) invalid(key, 'is not a rule set field (version, program, rules)');
		if (!Array.isArray(doc.rules)) invalid('rules', 'must be a list of rules');
		rulesInput = doc.rules;
		programInput = doc.program ?? {};
	} else invalid('rules', 'must be a list of rules or a rule set { version: 1, rules: [...] }');

	const programParsed = programRulesSchema.safeParse(programInput);
	if (!programParsed.success) invalid(`program${formatZodPath(programParsed.error.issues[0].path)}`, programParsed.error.issues[0].message);
	const program = programParsed.data;
	if (!isValidTimeZone(program.timeZone)) invalid('program.timeZone', `"${program.timeZone}" is not an IANA time zone such as Europe/Berlin`);

	const aggregates = new Map<string, AggregateSpec>();
	const requiredUsage = new Map<string, UsageRequirement>();
	const frequencyWindows = new Map<string, number>();
	const conflictGroups = new Map<string, string[]>();
	const seen = new Map<string, number>();
	let needsBadges = false;
	let needsReferralCount = false;
	let givesBadgesOrPerks = false;
	const needUsage = (period: Period, ruleId?: string) => {
		const key = usageKey(period, ruleId);
		requiredUsage.set(key, { key, ruleId, period });
		return key;
	};

	const programCaps = (program.caps ?? []).map((cap) => ({ ...cap, scope: 'program' as const, usageKey: needUsage(cap.period) }));
	const programCostCeiling = program.costCeiling ? { ...program.costCeiling, usageKey: needUsage(program.costCeiling.period) } : undefined;

	const rules = (rulesInput as unknown[]).map((raw, index): CompiledRule => {
		const path = `rules[${index}]`;
		const parsed = ruleShapeSchema.safeParse(raw);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			invalid(`${path}${formatZodPath(issue.path)}`, issue.message);
		}
		const rule = parsed.data;
		const duplicate = seen.get(rule.id);
		if (duplicate !== undefined) invalid(`${path}.id`, `"${rule.id}" is already the id of rules[${duplicate}]`);
		seen.set(rule.id, index);
		const conditions = compileConditions(rule.conditions, `${path}.conditions`, aggregates);
		if (rule.schedule?.activeFrom && rule.schedule.activeTo && Date.parse(rule.schedule.activeFrom) >= Date.parse(rule.schedule.activeTo)) {
			invalid(`${path}.schedule.activeTo`, 'must be after activeFrom');
		}
		checkChallengeStarts(rule, path);
		if (checkBadgeActions(rule, path, program)) needsBadges = true;
		if (rule.conditions && JSON.stringify(rule.conditions).includes('"profile.referralCount"')) needsReferralCount = true;
		if (/"type":"(award_badge|perk)"/.test(JSON.stringify([rule.actions, rule.experiment ?? null]))) givesBadgesOrPerks = true;
		if (rule.frequency) frequencyWindows.set(rule.id, rule.frequency.perDays);
		if (rule.conflict) conflictGroups.set(rule.conflict.group, [...(conflictGroups.get(rule.conflict.group) ?? []), rule.id]);
		const caps = (rule.caps ?? []).map((cap) => ({ ...cap, scope: 'rule' as const, usageKey: needUsage(cap.period, rule.id) }));
		const costCeiling = rule.costCeiling ? { ...rule.costCeiling, usageKey: needUsage(rule.costCeiling.period, rule.id) } : undefined;
		const allCaps = [...caps, ...programCaps];
		const ceilings = [costCeiling, programCostCeiling].filter((c): c is CostCeiling & { usageKey: string } => c !== undefined);
		return {
			id: rule.id,
			name: rule.name,
			index,
			enabled: rule.enabled,
			priority: rule.priority,
			triggers: new Set(rule.triggers),
			conditions,
			schedule: compileSchedule(rule.schedule),
			definition: rule,
			caps,
			costCeiling,
			allCaps,
			ceilings,
			usageKeys: [...new Set([...allCaps.map((c) => c.usageKey), ...ceilings.map((c) => c.usageKey)])],
			idRank: 0,
			fixedActions: fixedActionsOf(rule.actions, program),
			fixedRank: -1,
		};
	});
	[...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).forEach((rule, rank) => (rule.idRank = rank));
	// evaluate's winnerOrder for rules whose reward value is known now: higher priority, then higher value, then id.
	const ranked = rules.filter((rule) => rule.fixedActions !== undefined);
	ranked.sort((a, b) => b.priority - a.priority || b.fixedActions!.costMinor - a.fixedActions!.costMinor || a.idRank - b.idRank).forEach((rule, rank) => (rule.fixedRank = rank));

	const rulesByTrigger = new Map<string, CompiledRule[]>();
	for (const rule of [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
		if (!rule.enabled) continue;
		for (const trigger of rule.triggers) rulesByTrigger.set(trigger, [...(rulesByTrigger.get(trigger) ?? []), rule]);
	}

	return {
		version: RULE_SCHEMA_VERSION,
		program,
		rules,
		rulesById: new Map(rules.map((r) => [r.id, r])),
		rulesByTrigger,
		requiredAggregates: aggregates,
		requiredUsage,
		frequencyWindows,
		programCaps,
		programCostCeiling,
		conflictGroups,
		fixedRanks: ranked.length,
		needsBadges,
		needsReferralCount,
		givesBadgesOrPerks,
	};
}
