/**
 * Send Offer's vendors over the connectors' clients: which credential a channel or coupon needs,
 * and how an email, an SMS and a coupon reach Klaviyo, Twilio, WooCommerce and Square. The
 * orchestration (plan, coupon, send log) is the engine's sendOffer (engine/delivery/sendOffer.ts).
 */
import { VendorApiError } from '../../../connectors/http';
import { loyaltyProfileProperties, type KlaviyoClient } from '../../../connectors/klaviyo';
import type { SquareClient } from '../../../connectors/square';
import { TwilioApiError, type TwilioClient } from '../../../connectors/twilio';
import type { WooCommerceClient } from '../../../connectors/woocommerce';
import { type Customer, type DeliveryChannel, LoyaltyError, minorToDecimalString, type OfferDecision, type OfferEmailContent, type OfferTemplate, type OfferVendors, type SendFailure, type SendOfferSettings } from '../../../engine';

export interface Vendors {
	klaviyo?: KlaviyoClient;
	twilio?: TwilioClient & { from?: string; messagingServiceSid?: string; shortenUrls?: boolean };
	wooCommerce?: WooCommerceClient;
	square?: SquareClient;
}

/** Twilio schedules messages from 15 minutes ahead, and only through a messaging service. */
const TWILIO_MIN_SCHEDULE_MS = 15 * 60_000;

/** The engine's view of these vendor clients. */
export function offerVendors(vendors: Vendors): OfferVendors {
	return {
		requireFor: (channel, decision, settings) => requireVendors(channel, decision, settings, vendors),
		smsScheduleLeadMs: vendors.twilio?.messagingServiceSid ? TWILIO_MIN_SCHEDULE_MS : undefined,
		createCoupon: (decision, code, expiresAt, email, customer, settings) => createCoupon(decision, code, expiresAt, email, customer, settings, vendors),
		sendEmail: (uniqueId, template, identities, customer, content) => sendEmail(vendors, uniqueId, template, identities, customer, content),
		sendSms: (to, body, sendAt, statusCallback) => sendSms(vendors, to, body, sendAt, statusCallback),
		classify,
	};
}

/** A missing credential is a setup error: refused before anything is claimed, so fixing it lets the decision go out. */
function requireVendors(channel: DeliveryChannel, decision: OfferDecision, settings: SendOfferSettings, vendors: Vendors): void {
	if (channel === 'email' && !vendors.klaviyo) throw LoyaltyError.invalid('credentials', 'email offers need the Loyalty Klaviyo API credential (Email Through Klaviyo)');
	if (channel === 'sms' && !vendors.twilio) throw LoyaltyError.invalid('credentials', 'SMS offers need the Loyalty Twilio API credential (SMS Through Twilio)');
	if (!decision.coupon) return;
	if (settings.couponShop === 'woocommerce' && !vendors.wooCommerce) throw LoyaltyError.invalid('credentials', 'coupons in WooCommerce need the Loyalty WooCommerce API credential');
	if (settings.couponShop === 'squareReward' && (!vendors.square || !settings.squareRewardTierId)) throw LoyaltyError.invalid('squareRewardTierId', 'Square rewards need the Loyalty Square API credential and a reward tier id');
}

async function createCoupon(decision: OfferDecision, code: string, expiresAt: string, email: string | undefined, customer: Customer, settings: SendOfferSettings, vendors: Vendors): Promise<void> {
	const coupon = decision.coupon!;
	if (settings.couponShop === 'woocommerce') {
		if (!vendors.wooCommerce) throw LoyaltyError.invalid('credentials', 'coupons in WooCommerce need the Loyalty WooCommerce API credential');
		await vendors.wooCommerce.createCoupon({
			code,
			// A free-shipping perk is a WooCommerce coupon of nothing off with free shipping.
			discountType: coupon.kind === 'free_shipping' ? 'fixed_cart' : coupon.kind,
			amount: coupon.kind === 'free_shipping' ? '0' : coupon.kind === 'percent' ? String(coupon.amount) : minorToDecimalString(coupon.amount, coupon.currency as string),
			...(coupon.kind === 'free_shipping' ? { freeShipping: true } : {}),
			expiresAt,
			emailRestrictions: email ? [email] : undefined,
			productIds: coupon.productIds?.map(Number).filter(Number.isInteger),
			categoryIds: coupon.categoryIds?.map(Number).filter(Number.isInteger),
			description: `Loyalty offer ${decision.offerTemplateId} (decision ${decision.decisionId})`,
		});
		return;
	}
	if (!vendors.square || !settings.squareRewardTierId) throw LoyaltyError.invalid('squareRewardTierId', 'Square rewards need the Loyalty Square API credential and a reward tier id');
	if (!customer.identities.square) throw LoyaltyError.invalid('customer.square', 'the customer has no Square customer id, so no Square Loyalty reward can be created');
	const account = await vendors.square.findLoyaltyAccount(customer.identities.square);
	if (!account) throw LoyaltyError.notFound('customer.square', 'the customer has no Square Loyalty account');
	await vendors.square.createLoyaltyReward({ loyaltyAccountId: account.id, rewardTierId: settings.squareRewardTierId, idempotencyKey: `loyalty:offer:${decision.decisionId}` });
}

async function sendEmail(vendors: Vendors, uniqueId: string, template: OfferTemplate, identities: Customer['identities'], customer: Customer, content: OfferEmailContent): Promise<{ vendorMessageId?: string }> {
	if (!vendors.klaviyo) throw LoyaltyError.invalid('credentials', 'email offers need the Loyalty Klaviyo API credential');
	const { decision } = content;
	if (content.personal.points !== undefined) {
		// The profile carries the current loyalty state, so the shop's own Klaviyo flows can use it.
		await vendors.klaviyo.upsertProfile({
			email: identities.email,
			externalId: customer.id,
			firstName: customer.firstName,
			properties: loyaltyProfileProperties({ points: content.personal.points, tier: content.personal.tier, updatedAt: new Date().toISOString() }),
		});
	}
	await vendors.klaviyo.createEvent({
		metricName: template.metricName,
		uniqueId,
		profile: { email: identities.email, externalId: customer.id, firstName: customer.firstName },
		properties: compact({
			subject: content.subject,
			message: content.body,
			coupon_code: content.couponCode,
			coupon_expires_at: content.couponExpiresAt,
			points: content.personal.points,
			tier: content.personal.tier,
			offer_template_id: decision.offerTemplateId,
			rule_id: decision.ruleId,
			decision_id: decision.decisionId,
			experiment_arm: decision.experiment?.arm,
		}),
	});
	return {};
}

async function sendSms(vendors: Vendors, to: string, body: string, sendAt: string | undefined, statusCallback: string | undefined): Promise<{ vendorMessageId?: string }> {
	if (!vendors.twilio) throw LoyaltyError.invalid('credentials', 'SMS offers need the Loyalty Twilio API credential');
	const { from, messagingServiceSid, shortenUrls } = vendors.twilio;
	const message = await vendors.twilio.sendSms({ to, body, from, messagingServiceSid, statusCallback, sendAt, ...(shortenUrls && messagingServiceSid ? { shortenUrls: true } : {}) });
	return { vendorMessageId: message.sid };
}

function classify(error: unknown): SendFailure {
	if (error instanceof TwilioApiError) return { retryable: error.retryable, ambiguous: error.ambiguous, optedOut: error.optedOut, message: error.message };
	if (error instanceof VendorApiError) return { retryable: error.retryable, ambiguous: false, optedOut: false, message: error.message };
	if (error instanceof LoyaltyError) return { retryable: false, ambiguous: false, optedOut: false, message: error.message };
	// Anything else (a bug, a crash in a helper) may have happened after the vendor took the message.
	return { retryable: false, ambiguous: true, optedOut: false, message: error instanceof Error ? error.message : String(error) };
}

function compact(object: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}
