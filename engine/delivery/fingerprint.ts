import { canonicalJson, describeCustomer, differingParts } from '../ledger/fingerprint';
import type { CustomerRef } from '../ledger';
import { minorToDecimalString } from '../model/money';
import { LoyaltyError } from '../model/errors';
import type { OfferDecision } from './decision';

/**
 * What a send key (the decision id) was first asked to do: the customer as the decision named
 * them, the rule, the offer wording, purpose, reward flag, channel preference and experiment arm.
 * Not the decision time, the chosen channel or the send time, which a replay may see differently.
 */
export interface SendRequest {
	customer: { customerId?: string; identities?: Record<string, string | undefined> };
	ruleId: string;
	offerTemplateId: string;
	purpose: string;
	isReward: boolean;
	channelPreference: string;
	experiment?: { id: string; arm: string; holdout: boolean };
}

/** What the coupon key (the code derived from the decision id) was first asked to create. */
export interface CouponRequest {
	kind: string;
	amount: number;
	currency?: string;
	validDays: number;
	productIds?: string[];
	categoryIds?: string[];
}

export function sendRequestOf(decision: OfferDecision): SendRequest {
	return {
		customer: { customerId: decision.customer.customerId, identities: decision.customer.identities },
		ruleId: decision.ruleId,
		offerTemplateId: decision.offerTemplateId,
		purpose: decision.purpose,
		isReward: decision.isReward,
		channelPreference: decision.channelPreference,
		...(decision.experiment ? { experiment: { id: decision.experiment.id, arm: decision.experiment.arm, holdout: decision.experiment.holdout } } : {}),
	};
}

export function couponRequestOf(decision: OfferDecision): CouponRequest | undefined {
	const c = decision.coupon;
	if (!c) return undefined;
	return { kind: c.kind, amount: c.amount, currency: c.currency, validDays: c.validDays, productIds: c.productIds, categoryIds: c.categoryIds };
}

/** The fingerprints a send claim stores, as canonical JSON text. */
export function claimFingerprints(decision: OfferDecision): { request: string; couponRequest?: string } {
	const coupon = couponRequestOf(decision);
	return { request: canonicalJson(sendRequestOf(decision)), ...(coupon ? { couponRequest: canonicalJson(coupon) } : {}) };
}

function couponKeyOf(decisionId: string): string {
	return `coupon of decision ${decisionId}`;
}

function describeSend(request: SendRequest, withCustomer = true): string {
	const customer = request.customer.customerId !== undefined ? { customerId: request.customer.customerId } : { identities: request.customer.identities ?? {} };
	const arm = request.experiment ? `, experiment ${request.experiment.id} arm ${request.experiment.arm}` : '';
	const who = withCustomer ? ` for ${describeCustomer(customer as CustomerRef)}` : '';
	return `offer ${request.offerTemplateId} by rule ${request.ruleId} (${request.purpose}${request.isReward ? ', reward' : ''}, channel ${request.channelPreference}${arm})${who}`;
}

function describeCoupon(coupon: CouponRequest | undefined): string {
	if (!coupon) return 'no coupon';
	const amount = coupon.kind === 'free_shipping' ? 'free shipping' : coupon.kind === 'percent' ? `${coupon.amount}% off` : `${minorToDecimalString(coupon.amount, coupon.currency ?? 'USD')} ${coupon.currency ?? ''} off`.replace(/ {2}/g, ' ');
	const scope = [coupon.productIds?.length ? `products ${coupon.productIds.join(', ')}` : '', coupon.categoryIds?.length ? `categories ${coupon.categoryIds.join(', ')}` : ''].filter(Boolean).join(' and ');
	return `a coupon of ${amount} valid ${coupon.validDays} days${scope ? ` on ${scope}` : ''}`;
}

/**
 * Refuses a decision id (send key) or its coupon code (coupon key) that was first used for a
 * different request. A send logged before fingerprints existed (`stored.request` undefined) is
 * treated as matching.
 */
export function assertSameSend(decisionId: string, stored: { request?: string; couponRequest?: string; couponCode?: string }, now: { request: string; couponRequest?: string }): void {
	if (stored.request === undefined) return;
	if (stored.request !== now.request) {
		const first = JSON.parse(stored.request) as SendRequest;
		const next = JSON.parse(now.request) as SendRequest;
		const different = differingParts(first, next);
		throw LoyaltyError.keyReused('decision.decisionId', decisionId, describeSend(first), describeSend(next, different.includes('customer')), different);
	}
	if ((stored.couponRequest ?? null) !== (now.couponRequest ?? null)) {
		const first = stored.couponRequest ? (JSON.parse(stored.couponRequest) as CouponRequest) : undefined;
		const next = now.couponRequest ? (JSON.parse(now.couponRequest) as CouponRequest) : undefined;
		const different = first && next ? differingParts(first, next) : ['coupon'];
		// The coupon's key is its code, derived from the decision id (a holdout stores no code).
		throw LoyaltyError.keyReused('decision.coupon', stored.couponCode ?? couponKeyOf(decisionId), describeCoupon(first), describeCoupon(next), different);
	}
}
