/**
 * One decision through Send Offer: plan, coupon, vendor, send log. No n8n and no vendor here: the
 * node hands in the store, the parsed settings and its vendors (nodes/SendOffer/helpers/
 * offerVendors.ts, over the connectors' clients), so this is tested directly (and against Prism
 * and a faulty vendor).
 */
import type { Customer } from '../model/customer';
import { LoyaltyError } from '../model/errors';
import { minorToDecimalString } from '../model/money';
import type { Store } from '../store/store';
import type { ChannelEngagement } from './channel';
import { consentFromSmsKeyword } from './consent';
import type { DeliveryChannel, OfferDecision } from './decision';
import { deliver, type ClaimInput, type DeliveryResult, type SendFailure } from './deliver';
import { DeliveryLog } from './deliveryLog';
import { assertSameSend, claimFingerprints } from './fingerprint';
import { checkFrequency, type FrequencyCaps } from './frequency';
import { normalizePhone } from './phone';
import { planDelivery } from './plan';
import type { SendWindow } from './quietHours';
import { couponCodeFor } from './couponCode';
import { findOfferTemplate, renderTemplate, withOptOutHint, type OfferTemplate, type PersonalFields } from './template';
import { QUIET_HOURS_DEFERRAL } from './refusal';

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
	/** The stored program version these settings come from; recorded with each send. */
	programVersion?: number;
	/**
	 * Try before going live: decide the channel, render the exact message and the coupon code and
	 * say why, but write nothing and call no vendor (no credentials needed).
	 */
	testMode?: boolean;
}

/**
 * The vendors one send goes through. The node builds them from its credentials and the
 * connectors' clients (nodes/SendOffer/helpers/offerVendors.ts); the engine names no vendor.
 */
export interface OfferVendors {
	/** A missing credential is a setup error: thrown before anything is claimed, so fixing it lets the decision go out. */
	requireFor(channel: DeliveryChannel, decision: OfferDecision, settings: SendOfferSettings): void;
	/** How far ahead the SMS vendor schedules a message; undefined when it cannot schedule (a deferred SMS then waits). */
	smsScheduleLeadMs?: number;
	createCoupon(decision: OfferDecision, code: string, expiresAt: string, email: string | undefined, customer: Customer, settings: SendOfferSettings): Promise<void>;
	sendEmail(uniqueId: string, template: OfferTemplate, identities: Customer['identities'], customer: Customer, content: OfferEmailContent): Promise<{ vendorMessageId?: string }>;
	sendSms(to: string, body: string, sendAt: string | undefined, statusCallback: string | undefined): Promise<{ vendorMessageId?: string }>;
	/** Whether a vendor's error may be retried, may have sent anyway, or is an opt-out. */
	classify(error: unknown): SendFailure;
}

/** What an offer email carries to the email vendor. */
export interface OfferEmailContent {
	subject?: string;
	body?: string;
	couponCode?: string;
	couponExpiresAt?: string;
	decision: OfferDecision;
	personal: PersonalFields;
}

export interface SendOfferOptions {
	store: Store;
	decision: OfferDecision;
	templates: readonly OfferTemplate[];
	personal: PersonalFields;
	settings: SendOfferSettings;
	vendors: OfferVendors;
	now: Date;
}

export interface SendOfferOutcome {
	decisionId: string;
	customerId: string;
	status: DeliveryResult['status'] | 'deferred' | 'test';
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
	/** Test mode: the email subject it would use. */
	subject?: string;
	/** Test mode: what would happen, in words (sent now, held until, held out, refused because). */
	wouldDo?: string;
}

/** How far back opens and clicks count when choosing between two consented channels. */
export const ENGAGEMENT_WINDOW_DAYS = 90;

export async function sendOffer({ store, decision, templates, personal, settings, vendors, now }: SendOfferOptions): Promise<SendOfferOutcome> {
	const template = findOfferTemplate(templates, decision.offerTemplateId);
	checkCouponLimits(decision, settings);
	const found = await store.findCustomer(decision.customer.customerId ? { customerId: decision.customer.customerId } : { identities: decision.customer.identities ?? {} });
	// Test mode on sample data may name a customer the store has never seen: show the message for them anyway.
	const customer = found ?? (settings.testMode ? sampleCustomer(decision) : undefined);
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
		if (settings.testMode) {
			const preview = previewMessage(decision, template, personal, customer, decision.channelPreference === 'sms' || (decision.channelPreference !== 'email' && !identities.email) ? 'sms' : 'email', settings.programTimeZone, settings, now);
			return { ...base, status: 'test', ...preview, reason: plan.reason, detail: plan.detail, replay: false, wouldDo: `would not be sent: ${plan.reason}${plan.detail ? ` (${plan.detail})` : ''}${found ? '' : '; this customer is not in the loyalty store yet'}` };
		}
		// Counted (not kept) for the owner's suppressions by reason.
		await log.recordRefusal({ ...held, decisionId: decision.decisionId, reason: plan.reason, channel: plan.channel });
		return { ...base, status: 'refused', reason: plan.reason, detail: plan.detail, retryAt: plan.retryAt, replay: false };
	}

	const channel = plan.channel;
	const chosen = { channel, channelWhy: plan.channelWhy, engagement };
	if (settings.testMode) {
		const preview = previewMessage(decision, template, personal, customer, channel, plan.timeZone, settings, now);
		const when = plan.deferred ? `held for quiet hours until ${plan.sendAt} (${plan.timeZone})` : 'sent now';
		const wouldDo = plan.action === 'hold_out' ? `not sent: the customer is in the holdout of experiment ${decision.experiment?.id ?? ''}` : `would be ${when} by ${channel} (${plan.channelWhy.replace(/_/g, ' ')})`;
		return { ...base, status: 'test', ...chosen, sendAt: plan.sendAt, ...preview, replay: false, wouldDo };
	}
	const schedulable = channel === 'sms' && vendors.smsScheduleLeadMs !== undefined && Date.parse(plan.sendAt) - now.getTime() >= vendors.smsScheduleLeadMs;
	if (plan.deferred && plan.action === 'send' && !schedulable) {
		// No send is written: run the decision again at sendAt (a Wait node) and it goes out then. The wait is counted.
		await log.recordRefusal({ ...held, decisionId: decision.decisionId, reason: QUIET_HOURS_DEFERRAL, channel });
		return { ...base, status: 'deferred', ...chosen, sendAt: plan.sendAt, detail: `quiet hours in ${plan.timeZone}`, replay: false };
	}

	if (plan.action === 'send') vendors.requireFor(channel, decision, settings);
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
		...(settings.programVersion !== undefined ? { programVersion: settings.programVersion } : {}),
	};
	const result = await deliver(
		log,
		claim,
		{
			vendorDeduplicates: channel === 'email',
			classify: (error) => vendors.classify(error),
			createCoupon: couponCode ? () => vendors.createCoupon(decision, couponCode, couponExpiresAt as string, identities.email, customer, settings) : undefined,
			send: channel === 'email'
				? (key) => vendors.sendEmail(key, template, identities, customer, { subject, body, couponCode, couponExpiresAt, decision, personal })
				: () => vendors.sendSms(identities.phone as string, body as string, plan.deferred ? plan.sendAt : undefined, smsStatusCallbackUrl(settings.statusCallbackUrl, decision.decisionId)),
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

/** Test mode on sample data: the decision's own identities and the first name from the personal fields. */
function sampleCustomer(decision: OfferDecision): Customer {
	return { id: 'not-in-store', identities: { ...(decision.customer.identities ?? {}) }, consent: {}, tags: [] } as unknown as Customer;
}

/** The message, subject and coupon code a send would use on `channel`, rendered as it would be. */
function previewMessage(decision: OfferDecision, template: OfferTemplate, personal: PersonalFields, customer: Customer, channel: DeliveryChannel, timeZone: string, settings: SendOfferSettings, now: Date): Pick<SendOfferOutcome, 'channel' | 'message' | 'subject' | 'couponCode'> {
	const couponCode = decision.coupon ? couponCodeFor(decision.decisionId, settings.couponPrefix) : undefined;
	const couponExpiresAt = decision.coupon ? new Date(now.getTime() + decision.coupon.validDays * 86_400_000).toISOString() : undefined;
	const fields: PersonalFields = { ...personal, firstName: personal.firstName ?? customer.firstName, couponCode, couponExpiresAt };
	const render = (text: string | undefined, field: string) => (text ? renderTemplate(text, fields, { timeZone, locale: settings.locale, field: `templates.${template.id}.${field}` }) : undefined);
	let message = channel === 'email' ? render(template.emailBody, 'emailBody') : render(template.smsBody, 'smsBody');
	if (channel === 'sms' && message && decision.purpose === 'marketing') message = withOptOutHint(message);
	return { channel, message, ...(channel === 'email' ? { subject: render(template.emailSubject, 'emailSubject') } : {}), ...(couponCode ? { couponCode } : {}) };
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
	if (settings.couponShop === 'none') throw LoyaltyError.invalid('decision.coupon', 'the decision has a coupon but Send Offer has no shop to create coupons in (set "Create Coupons In")');
}

/** The trigger URL with the decision id, so the delivery report finds its send even before it is finalised. */
export function smsStatusCallbackUrl(base: string | undefined, decisionId: string): string | undefined {
	if (!base?.trim()) return undefined;
	const url = new URL(base.trim());
	url.searchParams.set('decision', decisionId);
	url.searchParams.set('channel', 'sms');
	return url.toString();
}
