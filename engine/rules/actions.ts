import { DateTime } from 'luxon';
import { minorUnitExponent } from '../model/money';
import type { Action, ProgramRules } from './schema';
import type { EvaluationContext, MaterializedAction } from './types';
import { Route, ROUTE_OF_ACTION } from './vocabulary';

const HOUR_MS = 3_600_000;
/** Perk defaults: the tag early access puts on the customer, the offer wording and life of a free-shipping coupon. */
export const EARLY_ACCESS_TAG = 'early-access';
export const FREE_SHIPPING_TEMPLATE = 'free_shipping';
const FREE_SHIPPING_HOURS = 30 * 24;

/** A badge's name as the program defines it; its id where the rule set carries no definitions. */
function badgeName(program: ProgramRules, badge: string): string {
	return program.badges?.find((b) => b.id === badge)?.name ?? badge;
}

export interface MaterializedActions {
	actions: MaterializedAction[];
	points: number;
	offers: number;
	costMinor: number;
	revenueMinor: number;
	/** Whether an action starts a challenge or schedules a follow-up: the evaluator skips those steps when none does. */
	startsChallenge: boolean;
	schedulesFollowUp: boolean;
}

/** The money this event brings or stands for: the order, else the cart, else the customer's average order. */
export function revenueTouched(context: EvaluationContext): { minor: number; currency?: string } {
	const { order, cart } = context.event;
	return { minor: revenueMinorOf(context), currency: order ? order.currency : cart?.currency };
}

export function wholeUnits(minor: number, currency: string | undefined): number {
	let exponent = 2;
	try {
		if (currency) exponent = minorUnitExponent(currency);
	} catch {
		// An unknown currency on a JSON event: treat it like most currencies (2 decimals) rather than fail the rule.
	}
	return Math.floor(minor / 10 ** exponent);
}

/**
 * Turns a fired rule's actions into concrete instructions for the next nodes: points as integers
 * (always rounded down), offer values, expiry instants. Points are awarded by Award Points, not here.
 */
export function materializeActions(actions: readonly Action[], context: EvaluationContext, program: ProgramRules, nowMs: number): MaterializedActions {
	const revenue = revenueTouched(context);
	// Whole currency units only for per-unit and multiplier awards (most rules give fixed points);
	// a plain variable, not a closure, since this runs for every eligible rule of every event.
	let units = -1;
	let points = 0;
	let offers = 0;
	let offerValue = 0;
	let startsChallenge = false;
	let schedulesFollowUp = false;
	// Sized up front (one instruction per action): a pushed-to array reserves room for 16.
	const out = new Array<MaterializedAction>(actions.length);
	for (let i = 0; i < actions.length; i++) {
		const action = actions[i];
		const route = ROUTE_OF_ACTION[action.type];
		switch (action.type) {
			case 'award_points': {
				let awarded: number;
				if (action.mode !== 'fixed' && units < 0) units = wholeUnits(revenue.minor, revenue.currency);
				if (action.mode === 'fixed') awarded = action.points!;
				else if (action.mode === 'per_currency_unit') awarded = Math.floor(units * action.pointsPerUnit!);
				// Award Points already earns the base points; a multiplier rule adds the difference.
				else awarded = Math.floor(Math.floor(units * program.pointsPerCurrencyUnit) * (action.multiplier! - 1));
				awarded = Math.max(0, awarded);
				points += awarded;
				out[i] = { ...action, route, pointsToAward: awarded };
				break;
			}
			case 'category_bonus':
				out[i] = { ...action, route, until: new Date(nowMs + action.days * 24 * HOUR_MS).toISOString() };
				break;
			case 'send_offer':
			case 'issue_coupon': {
				const category = action.category === 'favourite' ? context.profile.favouriteCategory : action.category;
				const value = action.valueMinor ?? ('amountOffMinor' in action ? action.amountOffMinor : undefined) ?? (action.percentOff ? Math.round((revenue.minor * action.percentOff) / 100) : 0);
				offers++;
				offerValue += value;
				const expiresAt = offerExpiry(action, context, program, nowMs);
				out[i] = { ...action, route, ...(category ? { category } : {}), estimatedValueMinor: value, ...(expiresAt ? { expiresAt } : {}) };
				break;
			}
			case 'start_challenge':
				startsChallenge = true;
				out[i] = { ...action, route, endsAt: challengeEnd(action, context, program, nowMs) };
				break;
			case 'schedule_follow_up':
				schedulesFollowUp = true;
				out[i] = { ...action, route, dueAt: new Date(nowMs + action.afterHours * HOUR_MS).toISOString() };
				break;
			// Badges and perks (engine/badges).
			case 'award_badge':
				out[i] = { ...action, route, name: badgeName(program, action.badge) };
				break;
			case 'perk':
				if (action.perk === 'early_access') {
					out[i] = { ...action, route: Route.Other, tag: action.tag ?? EARLY_ACCESS_TAG };
					break;
				}
				offers++;
				offerValue += action.valueMinor ?? 0;
				out[i] = { ...action, route, template: action.template ?? FREE_SHIPPING_TEMPLATE, freeShipping: true, estimatedValueMinor: action.valueMinor ?? 0, expiresAt: new Date(nowMs + (action.validHours ?? FREE_SHIPPING_HOURS) * HOUR_MS).toISOString() };
				break;
			default:
				out[i] = { ...action, route };
		}
	}
	return { actions: out, points, offers, costMinor: Math.round(points * program.pointValueMinor) + offerValue, revenueMinor: revenue.minor, startsChallenge, schedulesFollowUp };
}

/**
 * A rule's actions worked out once, at compile time, when nothing in them depends on the event, the
 * customer or the time (fixed points, tags, tiers, badges: most rules). Shared by every evaluation:
 * `revenueMinor` is not this event's (read it with revenueMinorOf), and a decision gets `copy()`'s
 * fresh actions, never these.
 */
export interface FixedActions extends Readonly<MaterializedActions> {
	copy(): MaterializedAction[];
}

const EVENT_FREE_ACTIONS: ReadonlySet<string> = new Set(['set_tier', 'add_tag', 'remove_tag', 'award_badge']);
const FIXED_POINTS_KEYS = 'type,mode,points,route,pointsToAward';

export function fixedActionsOf(actions: readonly Action[], program: ProgramRules): FixedActions | undefined {
	if (!actions.every((a) => (a.type === 'award_points' && a.mode === 'fixed') || EVENT_FREE_ACTIONS.has(a.type))) return undefined;
	// The same work as materializeActions, for an event it does not read.
	const fixed = materializeActions(actions, NO_EVENT, program, 0);
	if (Number.isNaN(fixed.costMinor)) return undefined;
	const only = fixed.actions[0];
	// The commonest rule gives a fixed number of points and nothing else: a literal copies it in half the time a spread does.
	const copy =
		fixed.actions.length === 1 && Object.keys(only).join() === FIXED_POINTS_KEYS
			? () => [{ type: only.type, mode: only.mode, points: only.points, route: only.route, pointsToAward: only.pointsToAward }]
			: () => fixed.actions.map((action) => ({ ...action }));
	return { ...fixed, copy };
}

/** revenueTouched's amount alone. */
export function revenueMinorOf(context: EvaluationContext): number {
	const { order, cart } = context.event;
	return order ? order.totalMinor : cart ? cart.totalMinor : (context.profile.averageOrderMinor ?? 0);
}

/** A context event-free actions never read (fixedActionsOf asks materializeActions only for those). */
const NO_EVENT: EvaluationContext = {
	event: { type: '', occurredAt: '', idempotencyKey: '', source: '' },
	profile: { customerKey: '' },
	aggregates: {},
	counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: {}, suppressedUntil: {} },
};

/** When an offer's coupon stops being valid: after its hours, or at the end of the customer's month ("valid through your birthday month"). */
function offerExpiry(action: Action & { validHours?: number; validThrough?: 'month_end' }, context: EvaluationContext, program: ProgramRules, nowMs: number): string | undefined {
	if (action.validThrough === 'month_end') {
		const zone = context.profile.timeZone ?? program.timeZone;
		return DateTime.fromMillis(nowMs, { zone }).endOf('month').toUTC().toISO() ?? undefined;
	}
	return action.validHours !== undefined ? new Date(nowMs + action.validHours * HOUR_MS).toISOString() : undefined;
}

/** When a challenge started now ends: after its days, or at the end of the current calendar period in the customer's time zone (else the program's). */
export function challengeEnd(action: { withinDays?: number; calendar?: 'day' | 'week' | 'month' }, context: EvaluationContext, program: ProgramRules, nowMs: number): string {
	if (action.calendar) {
		const local = DateTime.fromMillis(nowMs, { zone: context.profile.timeZone ?? program.timeZone });
		// An unknown zone on a hand-built context must not make the end disappear: the program's zone stands in.
		const end = (local.isValid ? local : DateTime.fromMillis(nowMs, { zone: program.timeZone })).endOf(action.calendar);
		return new Date(end.toMillis()).toISOString();
	}
	return new Date(nowMs + (action.withinDays ?? 0) * 24 * HOUR_MS).toISOString();
}
