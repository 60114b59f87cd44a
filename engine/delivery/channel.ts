import { DeliveryChannel, DELIVERY_CHANNELS } from './decision';
import { refuse, RefusalReason, type Check, type Refusal } from './refusal';

/** Opens/clicks (email) or clicks/replies (SMS) per message sent on a channel. */
export interface ChannelEngagement {
	sent: number;
	engaged: number;
}

export interface ChannelChoiceInput {
	/** Consent and address check per channel (see checkConsent). */
	eligibility: Record<DeliveryChannel, Check>;
	statedPreference?: DeliveryChannel;
	engagement?: Partial<Record<DeliveryChannel, ChannelEngagement>>;
	rulePreference?: DeliveryChannel | 'any';
	/** Fewer sends than this on a channel say nothing about engagement. */
	minSendsForEngagement?: number;
}

export type ChannelChoice = { allowed: true; channel: DeliveryChannel; why: 'only_consented' | 'stated_preference' | 'engagement' | 'rule_preference' | 'default' } | Refusal;

/** Consent first, then the customer's stated preference, then measured engagement, then the rule's wish. */
export function chooseChannel(input: ChannelChoiceInput): ChannelChoice {
	const eligible = DELIVERY_CHANNELS.filter((c) => input.eligibility[c].allowed);
	if (eligible.length === 0) {
		const reasons = DELIVERY_CHANNELS.map((c) => {
			const check = input.eligibility[c];
			return check.allowed ? '' : `${c}: ${check.detail}`;
		}).filter(Boolean);
		const withdrawn = DELIVERY_CHANNELS.some((c) => {
			const check = input.eligibility[c];
			return !check.allowed && check.reason === RefusalReason.ConsentWithdrawn;
		});
		return refuse(withdrawn ? RefusalReason.ConsentWithdrawn : RefusalReason.NoChannel, `no channel may be used (${reasons.join('; ')})`);
	}
	if (eligible.length === 1) return { allowed: true, channel: eligible[0], why: 'only_consented' };
	if (input.statedPreference && eligible.includes(input.statedPreference)) return { allowed: true, channel: input.statedPreference, why: 'stated_preference' };
	const byEngagement = mostEngaged(eligible, input.engagement ?? {}, input.minSendsForEngagement ?? 3);
	if (byEngagement) return { allowed: true, channel: byEngagement, why: 'engagement' };
	if (input.rulePreference && input.rulePreference !== 'any' && eligible.includes(input.rulePreference)) return { allowed: true, channel: input.rulePreference, why: 'rule_preference' };
	// Email costs nothing per message; SMS does.
	return { allowed: true, channel: eligible.includes(DeliveryChannel.Email) ? DeliveryChannel.Email : eligible[0], why: 'default' };
}

function mostEngaged(channels: DeliveryChannel[], engagement: Partial<Record<DeliveryChannel, ChannelEngagement>>, minSends: number): DeliveryChannel | undefined {
	const rates = channels
		.map((c) => ({ channel: c, stats: engagement[c] }))
		.filter((r) => r.stats && r.stats.sent >= minSends)
		.map((r) => ({ channel: r.channel, rate: r.stats!.engaged / r.stats!.sent }));
	if (rates.length < channels.length) return undefined;
	rates.sort((a, b) => b.rate - a.rate);
	return rates[0].rate > rates[1].rate ? rates[0].channel : undefined;
}
