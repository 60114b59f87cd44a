import type { Customer } from '../model/customer';
import { checkConsent } from './consent';
import { chooseChannel, type ChannelEngagement } from './channel';
import { DeliveryChannel, MessagePurpose, type OfferDecision } from './decision';
import { checkFrequency, DEFAULT_FREQUENCY_CAPS, type FrequencyCaps, type PastSend } from './frequency';
import { isHoldout } from './holdout';
import { customerTimeZone } from './phoneTimeZone';
import { DEFAULT_SEND_WINDOW, nextAllowedSendTime, type SendWindow } from './quietHours';
import { ALLOWED, refuse, RefusalReason, type Check, type Refusal } from './refusal';

export interface DeliveryContext {
	decision: OfferDecision;
	customer: Pick<Customer, 'consent' | 'identities' | 'timeZone'> & { preferredChannel?: DeliveryChannel };
	programTimeZone: string;
	/** Earlier contacts of this customer, from the send log, across all rules and channels. */
	history: readonly PastSend[];
	engagement?: Partial<Record<DeliveryChannel, ChannelEngagement>>;
	caps?: FrequencyCaps;
	sendWindow?: SendWindow;
	now: Date;
}

export type DeliveryPlan =
	| {
			action: 'send' | 'hold_out';
			channel: DeliveryChannel;
			/** `now`, or the next minute quiet hours allow. */
			sendAt: string;
			deferred: boolean;
			timeZone: string;
			timeZoneFrom: 'profile' | 'phone' | 'program';
			channelWhy: string;
	  }
	| ({ action: 'refuse' } & Omit<Refusal, 'allowed'>);

function addressCheck(customer: DeliveryContext['customer'], channel: DeliveryChannel): Check {
	const address = channel === DeliveryChannel.Email ? customer.identities.email : customer.identities.phone;
	return address ? ALLOWED : refuse(RefusalReason.NoAddress, channel === DeliveryChannel.Email ? 'no email address on the profile' : 'no phone number on the profile', { channel });
}

function eligibility(ctx: DeliveryContext, channel: DeliveryChannel): Check {
	const pref = ctx.decision.channelPreference;
	if (pref !== 'any' && pref !== channel && ctx.decision.purpose === MessagePurpose.Transactional) {
		return refuse(RefusalReason.NoChannel, `the rule asks for ${pref} only`, { channel });
	}
	const address = addressCheck(ctx.customer, channel);
	return address.allowed ? checkConsent(ctx.customer.consent, channel, ctx.decision.purpose, ctx.now) : address;
}

/**
 * Decides whether, where and when one decision is delivered. Pure: the same context always gives
 * the same plan. Order: consent and address, channel choice, quiet hours, frequency caps at the
 * (possibly deferred) send time, then the experiment arm.
 */
export function planDelivery(ctx: DeliveryContext): DeliveryPlan {
	const choice = chooseChannel({
		eligibility: { email: eligibility(ctx, DeliveryChannel.Email), sms: eligibility(ctx, DeliveryChannel.Sms) },
		statedPreference: ctx.customer.preferredChannel,
		engagement: ctx.engagement,
		rulePreference: ctx.decision.channelPreference,
	});
	if (!choice.allowed) return toRefusal(choice);
	const { zone, from } = customerTimeZone(ctx.customer.timeZone, ctx.customer.identities.phone, ctx.programTimeZone);
	const quietHoursApply = choice.channel === DeliveryChannel.Sms && ctx.decision.purpose === MessagePurpose.Marketing;
	const sendAt = quietHoursApply ? nextAllowedSendTime(ctx.now, zone, ctx.sendWindow ?? DEFAULT_SEND_WINDOW) : ctx.now;
	if (ctx.decision.purpose === MessagePurpose.Marketing) {
		const caps = checkFrequency(ctx.history, choice.channel, ctx.decision.isReward, sendAt, zone, ctx.caps ?? DEFAULT_FREQUENCY_CAPS);
		if (!caps.allowed) return toRefusal(caps);
	}
	return {
		action: isHoldout(ctx.decision) ? 'hold_out' : 'send',
		channel: choice.channel,
		sendAt: sendAt.toISOString(),
		deferred: sendAt.getTime() !== ctx.now.getTime(),
		timeZone: zone,
		timeZoneFrom: from,
		channelWhy: choice.why,
	};
}

function toRefusal(refusal: Refusal): DeliveryPlan {
	return { action: 'refuse', reason: refusal.reason, detail: refusal.detail, channel: refusal.channel, retryAt: refusal.retryAt };
}
