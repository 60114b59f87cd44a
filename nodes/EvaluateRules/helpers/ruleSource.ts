/**
 * Pure helpers: the node's rule parameters (presets + numbers, the rule builder, or JSON) → a
 * rule set document for the engine's compiler. No n8n context here, so these are tested directly.
 */
import { decimalToMinor, FACTS, LoyaltyError, presetById, RULE_SCHEMA_VERSION, type RuleInput, type RuleSetInput } from '../../../engine';

/** The facts whose values are money. */
const MONEY_FACTS: ReadonlySet<string> = new Set(FACTS.filter((f) => f.type === 'money').map((f) => f.name));

export const RulesSource = { Presets: 'presets', Builder: 'builder', Json: 'json' } as const;

/** The "Preset Settings" collection; money is in currency units as a shop owner types it ("50"). */
export interface PresetSettings {
	currency?: string;
	firstPurchasePoints?: number;
	bigOrderThreshold?: number;
	bigOrderPoints?: number;
	fromCategory?: string;
	toCategory?: string;
	streakPurchases?: number;
	streakDays?: number;
	streakTier?: string;
	lifetimeSpend?: number;
	lifetimeTier?: string;
	lifetimePoints?: number;
	freeItem?: string;
	birthdayPoints?: number;
	winBackDays?: number;
	highValueSpend?: number;
	cartMinimum?: number;
	cartIdleMinutes?: number;
	couponPercent?: number;
	morningFrom?: string;
	morningTo?: string;
	morningPoints?: number;
	crossSellBought?: string;
	crossSellMissing?: string;
	replenishmentMultiplier?: number;
	replenishmentCategories?: string;
	newLocationPoints?: number;
	storeVisitPoints?: number;
}

function minor(amount: number | undefined, currency: string, field: string): number | undefined {
	return amount === undefined ? undefined : decimalToMinor(amount, currency, field);
}

function defined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))) as Partial<T>;
}

/** Each preset's parameters from the settings a shop owner filled in; unset numbers keep the preset's defaults. */
export function presetParameters(id: string, s: PresetSettings): object {
	const currency = s.currency || 'USD';
	switch (id) {
		case 'first_purchase_bonus':
			return defined({ points: s.firstPurchasePoints });
		case 'big_order_bonus':
			return defined({ thresholdMinor: minor(s.bigOrderThreshold, currency, 'presetSettings.bigOrderThreshold'), points: s.bigOrderPoints });
		case 'cross_category_bonus':
			return defined({ fromCategory: s.fromCategory, toCategory: s.toCategory });
		case 'purchase_streak':
			return defined({ purchases: s.streakPurchases, days: s.streakDays, tier: s.streakTier });
		case 'lifetime_spend_upgrade':
			return defined({ spendMinor: minor(s.lifetimeSpend, currency, 'presetSettings.lifetimeSpend'), tier: s.lifetimeTier, points: s.lifetimePoints });
		case 'visit_milestone':
			return defined({ freeItem: s.freeItem });
		case 'birthday_reward':
			return defined({ points: s.birthdayPoints });
		case 'win_back':
			return defined({ inactiveDays: s.winBackDays, highValueSpendMinor: minor(s.highValueSpend, currency, 'presetSettings.highValueSpend') });
		case 'cart_recovery':
			return defined({ minCartMinor: minor(s.cartMinimum, currency, 'presetSettings.cartMinimum'), idleMinutes: s.cartIdleMinutes, percentOff: s.couponPercent });
		case 'morning_bonus':
			return defined({ from: s.morningFrom, to: s.morningTo, points: s.morningPoints });
		case 'cross_sell':
			return defined({ boughtCategory: s.crossSellBought, missingCategory: s.crossSellMissing });
		case 'replenishment_reminder':
			return defined({
				multiplier: s.replenishmentMultiplier,
				categories: s.replenishmentCategories
					?.split(',')
					.map((c) => c.trim())
					.filter(Boolean),
			});
		case 'new_location_visit':
			return defined({ points: s.newLocationPoints });
		case 'online_customer_store_visit':
			return defined({ points: s.storeVisitPoints });
		default:
			return {};
	}
}

export function rulesFromPresets(ids: readonly string[], settings: PresetSettings): RuleInput[] {
	if (ids.length === 0) throw LoyaltyError.invalid('presets', 'pick at least one preset');
	return ids.flatMap((id) => {
		const preset = presetById(id);
		if (!preset) throw LoyaltyError.invalid('presets', `"${id}" is not a preset`);
		return preset.build(presetParameters(id, settings));
	});
}

/** One rule of the rule builder (fixedCollection values). */
export interface BuilderRule {
	name?: string;
	/** A preset id to start from, or "blank". */
	startFrom?: string;
	trigger?: string;
	match?: 'all' | 'any';
	conditions?: { condition?: Array<{ fact?: string; operator?: string; value?: string }> };
	action?: string;
	points?: number;
	multiplier?: number;
	offerTemplate?: string;
	percentOff?: number;
	validHours?: number;
	tier?: string;
	tag?: string;
	/** award_badge: a badge id of the program. */
	badge?: string;
	priority?: number;
	maxPerCustomer?: number;
	perDays?: number;
	conflictGroup?: string;
	suppressOthersForHours?: number;
}

/** A value typed into a text box: a number, a list ("coffee, tea"), true/false, or text. */
export function builderValue(text: string | undefined, operator: string | undefined): unknown {
	if (text === undefined || text.trim() === '') return undefined;
	const trimmed = text.trim();
	const isList = ['in', 'not_in', 'contains_any', 'contains_all', 'contains_none', 'between'].includes(operator ?? '');
	const scalar = (part: string): unknown => (/^-?\d+(\.\d+)?$/.test(part) ? Number(part) : part === 'true' ? true : part === 'false' ? false : part);
	return isList ? trimmed.split(',').map((p) => scalar(p.trim())).filter((p) => p !== '') : scalar(trimmed);
}

function slug(text: string, index: number): string {
	const base = text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
	return base || `rule_${index + 1}`;
}

export interface BuilderOptions {
	/**
	 * The currency the amounts of money conditions are typed in (version 1.1: "50" is 50.00 and is
	 * compared as 5000 cents). Without it (version 1) they are taken as minor units, as before.
	 */
	currency?: string;
	/** The numbers for rules that start from a preset (the "Adjust Numbers" collection). */
	presetSettings?: PresetSettings;
}

export function rulesFromBuilder(rules: readonly BuilderRule[], options: BuilderOptions = {}): RuleInput[] {
	if (rules.length === 0) throw LoyaltyError.invalid('ruleBuilder', 'add at least one rule');
	return rules.flatMap((rule, index): RuleInput[] => {
		const conditions = (rule.conditions?.condition ?? []).map((c, conditionIndex) => {
			const value = moneyInMinor(c.fact, builderValue(c.value, c.operator), options.currency, `ruleBuilder[${index}].conditions[${conditionIndex}].value`);
			return { fact: c.fact ?? '', operator: c.operator ?? '', ...(value === undefined ? {} : { value }) };
		});
		const added = conditions.length > 0 ? (rule.match === 'any' ? { any: conditions } : { all: conditions }) : undefined;
		const limits = {
			...(rule.maxPerCustomer ? { frequency: { max: rule.maxPerCustomer, perDays: rule.perDays || 1 } } : {}),
			...(rule.conflictGroup ? { conflict: { group: rule.conflictGroup, suppressOthersForHours: rule.suppressOthersForHours ?? 0 } } : {}),
		};
		if (rule.startFrom && rule.startFrom !== 'blank') return fromPreset(rule, index, added, limits, options.presetSettings ?? {});
		const action = builderAction(rule, index);
		return [
			{
				id: slug(rule.name ?? '', index),
				...(rule.name ? { name: rule.name } : {}),
				triggers: [(rule.trigger ?? 'purchase') as RuleInput['triggers'][number]],
				...(added ? { conditions: added } : {}),
				actions: [action],
				priority: rule.priority ?? 0,
				...limits,
			},
		];
	});
}

/**
 * A builder rule that starts from a preset: the preset's rules with their numbers from "Adjust
 * Numbers", the builder's conditions added (both must hold), and its name, priority and limits
 * where the owner set them.
 */
function fromPreset(rule: BuilderRule, index: number, added: RuleInput['conditions'], limits: Partial<RuleInput>, settings: PresetSettings): RuleInput[] {
	const preset = presetById(rule.startFrom ?? '');
	if (!preset) throw LoyaltyError.invalid(`ruleBuilder[${index}].startFrom`, `"${rule.startFrom}" is not a preset`);
	const built = preset.build(presetParameters(preset.id, settings));
	return built.map((base, part) => ({
		...base,
		...(rule.name ? { id: built.length === 1 ? slug(rule.name, index) : `${slug(rule.name, index)}_${part + 1}`, name: rule.name } : {}),
		...(added ? { conditions: base.conditions ? { all: [base.conditions, added] } : added } : {}),
		...(rule.priority ? { priority: rule.priority } : {}),
		...limits,
	}));
}

/** A money condition's amount typed in currency units, as the engine compares it: minor units. */
function moneyInMinor(fact: string | undefined, value: unknown, currency: string | undefined, field: string): unknown {
	if (!currency || !fact || !MONEY_FACTS.has(fact)) return value;
	const convert = (amount: unknown) => (typeof amount === 'number' ? decimalToMinor(amount, currency, field) : amount);
	return Array.isArray(value) ? value.map(convert) : convert(value);
}

function builderAction(rule: BuilderRule, index: number): RuleInput['actions'][number] {
	switch (rule.action ?? 'award_fixed') {
		case 'award_fixed':
			return { type: 'award_points', mode: 'fixed', points: rule.points ?? 0 };
		case 'award_multiplier':
			return { type: 'award_points', mode: 'multiplier', multiplier: rule.multiplier ?? 2 };
		case 'send_offer':
			return { type: 'send_offer', template: rule.offerTemplate || 'offer', channel: 'any', ...(rule.percentOff ? { percentOff: rule.percentOff } : {}) };
		case 'issue_coupon':
			return { type: 'issue_coupon', percentOff: rule.percentOff ?? 10, validHours: rule.validHours ?? 24 };
		case 'set_tier':
			return { type: 'set_tier', tier: rule.tier ?? '' };
		case 'add_tag':
			return { type: 'add_tag', tag: rule.tag ?? '' };
		// Badges and perks (engine/badges).
		case 'award_badge':
			return { type: 'award_badge', badge: (rule.badge ?? '').trim() };
		case 'perk_early_access':
			return { type: 'perk', perk: 'early_access' };
		case 'perk_free_shipping':
			return { type: 'perk', perk: 'free_shipping', ...(rule.validHours ? { validHours: rule.validHours } : {}) };
		default:
			throw LoyaltyError.invalid(`ruleBuilder[${index}].action`, `"${rule.action}" is not an action`);
	}
}

/** JSON typed into the node: a list of rules or a whole rule set. */
export function rulesFromJson(value: unknown): RuleInput[] | RuleSetInput {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw LoyaltyError.invalid('rulesJson', `is not valid JSON (${(error as Error).message})`);
		}
	}
	if (Array.isArray(parsed)) return parsed as RuleInput[];
	if (parsed && typeof parsed === 'object') return parsed as RuleSetInput;
	throw LoyaltyError.invalid('rulesJson', 'must be a list of rules or a rule set { "version": 1, "rules": [...] }');
}

/** Rules from JSON keep their own program block; the node's settings fill in what it leaves out. */
export function ruleSetDocument(rules: RuleInput[] | RuleSetInput, program: RuleSetInput['program']): RuleSetInput {
	if (Array.isArray(rules)) return { version: RULE_SCHEMA_VERSION, program, rules };
	return { ...rules, program: { ...program, ...(rules.program ?? {}) } };
}
