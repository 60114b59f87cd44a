/**
 * One decision through Send Offer: plan, coupon, vendor, send log. No n8n here: the node hands
 * in the store, the vendor clients it built from its credentials and the parsed settings, so this
 * is tested directly (and against Prism and a faulty vendor).
 */
import { VendorApiError } from '../../../connectors/http';
import { loyaltyProfileProperties, type KlaviyoClient } from '../../../connectors/klaviyo';
import type { SquareClient } from '../../../connectors/square';
import { TwilioApiError, type TwilioClient } from '../../../connectors/twilio';
import type { WooCommerceClient } from '../../../connectors/woocommerce';
import {
	assertSameSend,
	checkFrequency,
	claimFingerprints,
	consentFromSmsKeyword,
	couponCodeFor,
	deliver,
	findOfferTemplate,
	LoyaltyError,
	minorToDecimalString,
	normalizePhone,
	planDelivery,
	QUIET_HOURS_DEFERRAL,
	renderTemplate,
	withOptOutHint,
	type ClaimInput,
	type ChannelEngagement,
	type Customer,
	type DeliveryChannel,
	type DeliveryResult,
	type FrequencyCaps,
	type OfferDecision,
	type OfferTemplate,
	type PersonalFields,
	type SendFailure,
	type SendWindow,
	type Store,
} from '../../../engine';
import { DeliveryLog } from '../../../engine/store/delivery';

export interface SendOfferSettings {
	programTimeZone: string;
	sendWindow: SendWindow;
	caps: FrequencyCaps;
	/** Largest percent a coupon may give; a decision asking for more is refused. */
	maxPercentOff: number;
	/** Largest fixed amount, in minor units per currency; missing = no limit. */
	maxFixedMinor?: Record<string, number>;
	defaultCallingCode?: string;
	couponShop: 'none' | 'woocommerce' | 'squareReward';
	squareRewardTierId?: string;
	couponPrefix: string;
	/** The Loyalty Trigger (Twilio mode) URL; delivery reports come back there. */
	statusCallbackUrl?: string;
	locale?: string;
}

export interface Vendors {
	klaviyo?: KlaviyoClient;
	twilio?: TwilioClient & { from?: string; messagingServiceSid?: string; shortenUrls?: boolean };
	wooCommerce?: WooCommerceClient;
	square?: SquareClient;
}

export interface SendOfferOutcome {
	decisionId: string;
	customerId: string;
	status: DeliveryResult['status'] | 'deferred';
	channel?: DeliveryChannel;
	sendAt?: string;
	/** Why this channel: only_consented, stated_preference, engagement, rule_preference or default. */
	channelWhy?: string;
	/** The engagement the choice saw: sends (sent/delivered) in the window and how many were opened or clicked. */
	engagement?: Partial<Record<DeliveryChannel, ChannelEngagement>>;
	reason?: string;
	detail?: string;
	retryAt?: string;
	couponCode?: string;
	vendorMessageId?: string;
	replay: boolean;
	message?: string;
}

/** How far back opens and clicks count when choosing between two consented channels. */
export const ENGAGEMENT_WINDOW_DAYS = 90;

/** Twilio schedules messages from 15 minutes ahead. */
const TWILIO_MIN_SCHEDULE_MS = 15 * 60_000;

export async function sendOffer(store: Store, decision: OfferDecision, templates: readonly OfferTemplate[], personal: PersonalFields, settings: SendOfferSettings, vendors: Vendors, now: Date): Promise<SendOfferOutcome> {
	const template = findOfferTemplate(templates, decision.offerTemplateId);
	checkCouponLimits(decision, settings);
	const customer = await store.findCustomer(decision.customer.customerId ? { customerId: decision.customer.customerId } : { identities: decision.customer.identities ?? {} });
	if (!customer) throw LoyaltyError.notFound('decision.customer', 'no such customer in the loyalty store');
	const identities = { ...customer.identities };
	if (identities.phone) identities.phone = normalizePhone(identities.phone, settings.defaultCallingCode, 'customer.phone');
	if (!identities.email && !identities.phone) throw LoyaltyError.invalid('customer', 'has neither an email address nor a phone number, so no offer can reach them');

	const log = new DeliveryLog(store);
	const base = { decisionId: decision.decisionId, customerId: customer.id };
	const [earlier] = await log.sends(decision.decisionId);
	// The decision id keys the send and its coupon: the same id with a different offer is refused, not replayed.
	const fingerprints = claimFingerprints(decision);
	if (earlier) assertSameSend(decision.decisionId, earlier, fingerprints);
	if (earlier && earlier.status !== 'claimed') return { ...base, status: 'replay', channel: earlier.channel, replay: true, detail: `already ${earlier.status}` };
	// A send claimed by a run that died is resumed on its channel; its own claim does not count against the caps.
	const history = (await log.recentSends(customer.id, new Date(now.getTime() - 8 * 86_400_000))).filter((s) => s.decisionId !== decision.decisionId);
	// Measured engagement decides between two consented channels when the customer stated no preference.
	const engagement = await log.engagementByChannel(customer.id, ENGAGEMENT_WINDOW_DAYS, now);
	const plan = planDelivery({
		decision: earlier ? { ...decision, channelPreference: earlier.channel } : decision,
		customer: { ...customer, identities, preferredChannel: earlier?.channel ?? preferredChannelOf(customer) },
		programTimeZone: settings.programTimeZone,
		history,
		engagement,
		caps: settings.caps,
		sendWindow: settings.sendWindow,
		now,
	});
	const held = { ruleId: decision.ruleId, offerTemplateId: decision.offerTemplateId, at: now.toISOString() };
	if (plan.action === 'refuse') {
		// Counted (not kept) for the owner's suppressions by reason.
		await log.recordRefusal({ ...held, decisionId: decision.decisionId, reason: plan.reason, channel: plan.channel });
		return { ...base, status: 'refused', reason: plan.reason, detail: plan.detail, retryAt: plan.retryAt, replay: false };
	}

	const channel = plan.channel;
	const chosen = { channel, channelWhy: plan.channelWhy, engagement };
	const schedulable = channel === 'sms' && vendors.twilio?.messagingServiceSid && Date.parse(plan.sendAt) - now.getTime() >= TWILIO_MIN_SCHEDULE_MS;
	if (plan.deferred && plan.action === 'send' && !schedulable) {
		// No send is written: run the decision again at sendAt (a Wait node) and it goes out then. The wait is counted.
		await log.recordRefusal({ ...held, decisionId: decision.decisionId, reason: QUIET_HOURS_DEFERRAL, channel });
		return { ...base, status: 'deferred', ...chosen, sendAt: plan.sendAt, detail: `quiet hours in ${plan.timeZone}`, replay: false };
	}

	if (plan.action === 'send') requireVendors(channel, decision, settings, vendors);
	const wouldBeCode = decision.coupon ? couponCodeFor(decision.decisionId, settings.couponPrefix) : undefined;
	// A holdout gets no coupon (nothing is created for a customer who is not contacted), but its
	// message is still rendered, so a holdout fails on a broken template exactly as a send would.
	const couponCode = plan.action === 'send' ? wouldBeCode : undefined;
	const couponExpiresAt = decision.coupon ? new Date(now.getTime() + decision.coupon.validDays * 86_400_000).toISOString() : undefined;
	const fields: PersonalFields = { ...personal, firstName: personal.firstName ?? customer.firstName, couponCode: wouldBeCode, couponExpiresAt };
	const render = (text: string | undefined, field: string) => (text ? renderTemplate(text, fields, { timeZone: plan.timeZone, locale: settings.locale, field: `templates.${template.id}.${field}` }) : undefined);
	const subject = channel === 'email' ? render(template.emailSubject, 'emailSubject') : undefined;
	let body = channel === 'email' ? render(template.emailBody, 'emailBody') : render(template.smsBody, 'smsBody');
	if (channel === 'sms' && !body) throw LoyaltyError.invalid(`templates.${template.id}.smsBody`, 'this offer has no SMS wording');
	if (channel === 'sms' && decision.purpose === 'marketing') body = withOptOutHint(body as string);

	const claim: ClaimInput = {
		decisionId: decision.decisionId,
		channel,
		customerId: customer.id,
		ruleId: decision.ruleId,
		offerTemplateId: decision.offerTemplateId,
		purpose: decision.purpose,
		isReward: decision.isReward,
		experimentId: decision.experiment?.id,
		experimentArm: decision.experiment?.arm,
		// Klaviyo's unique_id is the decision id itself, so a resumed send is dropped by Klaviyo.
		idempotencyKey: channel === 'email' ? decision.decisionId : `${decision.decisionId}:sms`,
		couponCode,
		sendAt: plan.sendAt,
		...fingerprints,
	};
	const result = await deliver(
		log,
		claim,
		{
			vendorDeduplicates: channel === 'email',
			classify,
			createCoupon: couponCode ? () => createCoupon(decision, couponCode, couponExpiresAt as string, identities.email, customer, settings, vendors) : undefined,
			send: channel === 'email'
				? (key) => sendEmail(vendors, key, template, identities, customer, { subject, body, couponCode, couponExpiresAt, decision, personal })
				: () => sendSms(vendors, identities.phone as string, body as string, plan.deferred ? plan.sendAt : undefined, callbackUrl(settings.statusCallbackUrl, decision.decisionId)),
		},
		now,
		{
			holdout: plan.action === 'hold_out',
			// Re-checked under the customer's lock, so two decisions racing for one customer respect the caps.
			admit: decision.purpose === 'marketing' ? (past) => checkFrequency(past, channel, decision.isReward, new Date(plan.sendAt), plan.timeZone, settings.caps) : undefined,
		},
	);
	if (result.status === 'refused' && result.reason) await log.recordRefusal({ ...held, decisionId: decision.decisionId, reason: result.reason, channel });
	if (result.status === 'failed' && result.optedOut && identities.phone) {
		await log.recordConsent({ identities: { phone: identities.phone }, changes: consentFromSmsKeyword('opt_out', now.toISOString(), 'twilio:error:21610'), idempotencyKey: `twilio:21610:${decision.decisionId}` }, now);
	}
	return {
		...base,
		status: result.status,
		...chosen,
		sendAt: plan.sendAt,
		couponCode,
		replay: result.replay,
		...(result.status === 'sent' ? { vendorMessageId: result.vendorMessageId, message: body } : {}),
		...('detail' in result ? { detail: result.detail } : {}),
		...('retryAt' in result && result.retryAt ? { retryAt: result.retryAt } : {}),
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

function preferredChannelOf(customer: Customer): DeliveryChannel | undefined {
	const tag = customer.tags.find((t) => t === 'prefers:email' || t === 'prefers:sms');
	return tag ? (tag.slice('prefers:'.length) as DeliveryChannel) : undefined;
}

function checkCouponLimits(decision: OfferDecision, settings: SendOfferSettings): void {
	const coupon = decision.coupon;
	if (!coupon) return;
	if (coupon.kind === 'percent' && coupon.amount > settings.maxPercentOff) {
		throw LoyaltyError.invalid('decision.coupon.amount', `${coupon.amount}% is over the program's maximum of ${settings.maxPercentOff}%`);
	}
	const max = coupon.kind === 'fixed_cart' && coupon.currency ? settings.maxFixedMinor?.[coupon.currency] : undefined;
	if (max !== undefined && coupon.amount > max) {
		throw LoyaltyError.invalid('decision.coupon.amount', `${minorToDecimalString(coupon.amount, coupon.currency as string)} ${coupon.currency} is over the program's maximum of ${minorToDecimalString(max, coupon.currency as string)}`);
	}
	if (settings.couponShop === 'none') throw LoyaltyError.invalid('decision.coupon', 'the decision has a coupon but Send Offer has no shop to create coupons in (set Create Coupons In)');
}

async function createCoupon(decision: OfferDecision, code: string, expiresAt: string, email: string | undefined, customer: Customer, settings: SendOfferSettings, vendors: Vendors): Promise<void> {
	const coupon = decision.coupon!;
	if (settings.couponShop === 'woocommerce') {
		if (!vendors.wooCommerce) throw LoyaltyError.invalid('credentials', 'coupons in WooCommerce need the Loyalty WooCommerce API credential');
		await vendors.wooCommerce.createCoupon({
			code,
			discountType: coupon.kind,
			amount: coupon.kind === 'percent' ? String(coupon.amount) : minorToDecimalString(coupon.amount, coupon.currency as string),
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

async function sendEmail(
	vendors: Vendors,
	uniqueId: string,
	template: OfferTemplate,
	identities: Customer['identities'],
	customer: Customer,
	content: { subject?: string; body?: string; couponCode?: string; couponExpiresAt?: string; decision: OfferDecision; personal: PersonalFields },
): Promise<{ vendorMessageId?: string }> {
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

/** The trigger URL with the decision id, so the delivery report finds its send even before it is finalised. */
export function callbackUrl(base: string | undefined, decisionId: string): string | undefined {
	if (!base?.trim()) return undefined;
	const url = new URL(base.trim());
	url.searchParams.set('decision', decisionId);
	url.searchParams.set('channel', 'sms');
	return url.toString();
}

export function classify(error: unknown): SendFailure {
	if (error instanceof TwilioApiError) return { retryable: error.retryable, ambiguous: error.ambiguous, optedOut: error.optedOut, message: error.message };
	if (error instanceof VendorApiError) return { retryable: error.retryable, ambiguous: false, optedOut: false, message: error.message };
	if (error instanceof LoyaltyError) return { retryable: false, ambiguous: false, optedOut: false, message: error.message };
	// Anything else (a bug, a crash in a helper) may have happened after the vendor took the message.
	return { retryable: false, ambiguous: true, optedOut: false, message: error instanceof Error ? error.message : String(error) };
}

function compact(object: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}
