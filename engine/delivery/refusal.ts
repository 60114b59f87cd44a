import type { DeliveryChannel } from './decision';

/** Why a send did not happen. Every policy check answers with one of these or with "allowed". */
export const RefusalReason = {
	NoConsent: 'no_consent',
	ConsentWithdrawn: 'consent_withdrawn',
	NoAddress: 'no_address',
	FrequencyCap: 'frequency_cap',
	DailyRewardLimit: 'daily_reward_limit',
	NoChannel: 'no_channel',
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

/** Why an offer was held back, as the owner's report counts it: a refusal, or a wait for quiet hours to end. */
export const QUIET_HOURS_DEFERRAL = 'quiet_hours';
export type SuppressionReason = RefusalReason | typeof QUIET_HOURS_DEFERRAL;

export interface Refusal {
	allowed: false;
	reason: RefusalReason;
	/** A sentence a shop owner can read. */
	detail: string;
	channel?: DeliveryChannel;
	/** When the same send would next be allowed, if waiting helps (frequency caps). */
	retryAt?: string;
}

export type Check = { allowed: true } | Refusal;

export const ALLOWED: Check = { allowed: true };

export function refuse(reason: RefusalReason, detail: string, extra: Partial<Pick<Refusal, 'channel' | 'retryAt'>> = {}): Refusal {
	return { allowed: false, reason, detail, ...extra };
}
