import { createHash } from 'node:crypto';
import type { Decision, MaterializedAction, RuleEvent } from '../rules';
import { CouponKind, type OfferDecisionInput } from './decision';

const OFFER_ACTIONS = new Set(['send_offer', 'issue_coupon']);
/** The offer wording a coupon uses when its rule names none. */
export const DEFAULT_COUPON_TEMPLATE = 'coupon';

/**
 * The id every later write hangs on (send log row, Klaviyo unique_id, coupon code): derived from
 * the event, the rule and the action's position, so a re-run of the same event yields the same id
 * and a follow-up (its own event) a new one. Hashed because event keys can be long or carry
 * characters vendors refuse.
 */
export function offerDecisionId(eventKey: string, ruleId: string, actionIndex: number): string {
	const digest = createHash('sha256').update(`${eventKey}\u0000${ruleId}\u0000${actionIndex}`).digest('hex').slice(0, 32);
	const rule = ruleId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 48);
	return `offer:${rule}:${digest}`;
}

function couponOf(action: MaterializedAction, currency: string | undefined, decidedAtMs: number): OfferDecisionInput['coupon'] {
	const expiresMs = typeof action.expiresAt === 'string' ? Date.parse(action.expiresAt) : Number.NaN;
	// Coupons are valid for whole days in the shops; a 24-hour coupon is one day.
	const validDays = Number.isFinite(expiresMs) ? Math.max(1, Math.ceil((expiresMs - decidedAtMs) / 86_400_000)) : undefined;
	// A free-shipping perk (engine/rules perk action): no amount off, shipping free.
	if (action.freeShipping === true) return { kind: CouponKind.FreeShipping, amount: 0, ...(validDays ? { validDays } : {}) };
	if (typeof action.percentOff === 'number') return { kind: CouponKind.Percent, amount: Math.round(action.percentOff), ...(validDays ? { validDays } : {}) };
	if (typeof action.amountOffMinor === 'number' && currency) return { kind: CouponKind.FixedCart, amount: action.amountOffMinor, currency, ...(validDays ? { validDays } : {}) };
	return undefined;
}

/**
 * What Send Offer needs for each offer a rule decision carries: one offer decision per
 * `send_offer` or `issue_coupon` action of every fired rule, with the customer, the offer wording
 * (the rule's template), the channel preference, the coupon and the experiment arm.
 */
export function offerDecisionsFrom(decision: Decision, event: RuleEvent): Array<{ offer: OfferDecisionInput; action: MaterializedAction }> {
	const identities = Object.fromEntries(Object.entries(event.customer?.identities ?? {}).filter(([, v]) => typeof v === 'string' && v !== ''));
	const customer = Object.keys(identities).length > 0 ? { identities } : { customerId: decision.customerKey };
	const currency = event.order?.currency ?? event.cart?.currency;
	const offers: Array<{ offer: OfferDecisionInput; action: MaterializedAction }> = [];
	for (const fired of decision.fired) {
		fired.actions.forEach((action, index) => {
			// A perk goes to Send Offer when it is a coupon (free shipping); early access is a tag.
			if (!OFFER_ACTIONS.has(action.type) && !(action.type === 'perk' && action.route === 'offer')) return;
			const coupon = couponOf(action, currency, Date.parse(decision.evaluatedAt));
			offers.push({
				action,
				offer: {
					decisionId: offerDecisionId(decision.eventKey, fired.ruleId, index),
					customer,
					offerTemplateId: typeof action.template === 'string' ? action.template : DEFAULT_COUPON_TEMPLATE,
					channelPreference: action.channel === 'email' || action.channel === 'sms' ? action.channel : 'any',
					ruleId: fired.ruleId,
					decidedAt: decision.evaluatedAt,
					...(coupon ? { coupon } : {}),
					...(fired.arm ? { experiment: { id: fired.experimentId ?? fired.ruleId, arm: fired.arm } } : {}),
				},
			});
		});
	}
	return offers;
}
