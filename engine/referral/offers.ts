import { createHash } from 'node:crypto';
import type { OfferDecisionInput } from '../delivery/decision';
import type { ReferralOutcome } from './referrals';

/** The offer templates a rewarded referral asks Send Offer for: the friend's welcome, the advocate's note. */
export const ReferralOffer = {
	FriendWelcome: 'referral_welcome',
	AdvocateThanks: 'referral_thanks',
} as const;

/** Decision ids may hold only these characters and at most 100 of them (vendor keys derive from them). */
const DECISION_ID_UNSAFE = /[^A-Za-z0-9._:@-]/g;

/**
 * What Send Offer sends for a rewarded referral: a welcome to the friend and a thank-you to the
 * advocate, each keyed by the order so a re-run sends nothing twice. Undefined for any other outcome.
 */
export function referralOffers(outcome: ReferralOutcome): { friend: OfferDecisionInput; advocate: OfferDecisionInput } | undefined {
	if (outcome.status !== 'rewarded' || !outcome.friendId || !outcome.advocateId) return undefined;
	let base = `referral:${outcome.order.source}:${outcome.order.id}`.replace(DECISION_ID_UNSAFE, '-');
	if (base.length > 80) base = `referral:${createHash('sha256').update(base).digest('hex').slice(0, 40)}`;
	const common = { ruleId: 'referral', channelPreference: 'any' as const };
	return {
		friend: { ...common, decisionId: `${base}:friend`, customer: { customerId: outcome.friendId }, offerTemplateId: ReferralOffer.FriendWelcome, isReward: true },
		// The advocate's points are still pending: a note, not a reward that counts against the day's one.
		advocate: { ...common, decisionId: `${base}:advocate`, customer: { customerId: outcome.advocateId }, offerTemplateId: ReferralOffer.AdvocateThanks, isReward: false },
	};
}
