/**
 * Badges and perks inside the rules: the compile-time check that a rule awards only badges the
 * program defines, and which badges and early-access tags a decision gives. The awards are
 * written by recordDecision through engine/badges, once per customer and badge.
 */
import { LoyaltyError } from '../model/errors';
import type { ProgramRules, RuleShape } from './schema';
import type { BadgeAward, EvaluationContext, FiredRule, PerkTag } from './types';

/**
 * Refuses a rule that awards a badge the program does not define, naming the action's path.
 * Returns whether the rule reads (`profile.badges`) or awards badges at all.
 */
export function checkBadgeActions(rule: RuleShape, path: string, program: ProgramRules): boolean {
	let uses = JSON.stringify(rule.conditions ?? null).includes('"profile.badges"');
	const known = program.badges?.map((b) => b.id);
	const lists: Array<[string, ReadonlyArray<{ type: string; badge?: string; then?: ReadonlyArray<{ type: string; badge?: string }> }>]> = [[`${path}.actions`, rule.actions]];
	rule.actions.forEach((action, a) => {
		if (action.type === 'schedule_follow_up') lists.push([`${path}.actions[${a}].then`, action.then]);
	});
	rule.experiment?.variants.forEach((variant, v) => {
		if (variant.actions) lists.push([`${path}.experiment.variants[${v}].actions`, variant.actions]);
	});
	for (const [at, actions] of lists) {
		actions.forEach((action, a) => {
			if (action.type !== 'award_badge') return;
			uses = true;
			if (known && !known.includes(action.badge!)) {
				throw LoyaltyError.invalid(`${at}[${a}].badge`, `"${action.badge}" is not a badge of the program (its badges: ${known.join(', ') || 'none'}; add it under the program's badges)`);
			}
		});
	}
	return uses;
}

/**
 * The badges and early-access tags of the fired rules. A badge the customer holds already (or
 * that two fired rules give) is awarded once; a customer the store does not know yet gets none
 * (their badges would have nobody to belong to): the rule still fires, and says so in its actions.
 */
export function badgesAndPerksOf(fired: readonly FiredRule[], context: EvaluationContext): { badgeAwards: BadgeAward[]; perkTags: PerkTag[] } {
	const badgeAwards: BadgeAward[] = [];
	const perkTags: PerkTag[] = [];
	const held = context.profile.badges;
	if (context.profile.customerId === undefined) return { badgeAwards, perkTags };
	for (const rule of fired) {
		for (const action of rule.actions) {
			if (action.type === 'award_badge') {
				const badge = action.badge as string;
				if (held?.includes(badge) || badgeAwards.some((b) => b.badge === badge)) continue;
				badgeAwards.push({ ruleId: rule.ruleId, badge, name: typeof action.name === 'string' ? action.name : badge });
			} else if (action.type === 'perk' && action.perk === 'early_access') {
				const tag = action.tag as string;
				if (context.profile.tags?.includes(tag) || perkTags.some((t) => t.tag === tag)) continue;
				perkTags.push({ ruleId: rule.ruleId, tag });
			}
		}
	}
	return { badgeAwards, perkTags };
}
