import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseOrThrow } from '../model/validate';
import { DeliveryChannel } from './decision';
import { ALLOWED, refuse, RefusalReason, type Check } from './refusal';

/**
 * Caps across all rules and channels. Defaults follow Klaviyo's Smart Sending (16 h between
 * emails, 24 h between SMS) and the program's one reward per day.
 */
export const frequencyCapsSchema = z.object({
	emailGapHours: z.number().min(0).default(16),
	smsGapHours: z.number().min(0).default(24),
	maxPerDay: z.number().int().min(1).default(2),
	maxPerWeek: z.number().int().min(1).default(5),
	rewardsPerDay: z.number().int().min(1).default(1),
});
export type FrequencyCaps = z.infer<typeof frequencyCapsSchema>;
export const DEFAULT_FREQUENCY_CAPS: FrequencyCaps = frequencyCapsSchema.parse({});

export function parseFrequencyCaps(input: unknown): FrequencyCaps {
	return parseOrThrow(frequencyCapsSchema, input ?? {}, 'frequencyCaps');
}

/** One earlier contact of the customer, whatever rule caused it. */
export interface PastSend {
	channel: DeliveryChannel;
	sentAt: string;
	isReward: boolean;
	/** Lets a resumed decision leave its own earlier claim out of its caps. */
	decisionId?: string;
}

/**
 * Whether one more message on `channel` is within the caps at `now`. "Per day" is the
 * customer's calendar day; "per week" is the last seven days.
 */
export function checkFrequency(history: readonly PastSend[], channel: DeliveryChannel, isReward: boolean, now: Date, timeZone: string, caps: FrequencyCaps = DEFAULT_FREQUENCY_CAPS): Check {
	const past = history.filter((s) => Date.parse(s.sentAt) <= now.getTime());
	const gapHours = channel === DeliveryChannel.Email ? caps.emailGapHours : caps.smsGapHours;
	const lastOnChannel = Math.max(...past.filter((s) => s.channel === channel).map((s) => Date.parse(s.sentAt)), Number.NEGATIVE_INFINITY);
	const gapEnds = lastOnChannel + gapHours * 3_600_000;
	if (gapEnds > now.getTime()) {
		return refuse(RefusalReason.FrequencyCap, `the last ${channel} went out less than ${gapHours} h ago`, { channel, retryAt: new Date(gapEnds).toISOString() });
	}
	const dayStart = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
	const nextDay = dayStart.plus({ days: 1 }).toUTC().toISO()!;
	const today = past.filter((s) => Date.parse(s.sentAt) >= dayStart.toMillis());
	if (isReward && today.filter((s) => s.isReward).length >= caps.rewardsPerDay) {
		return refuse(RefusalReason.DailyRewardLimit, `already ${caps.rewardsPerDay} reward(s) today`, { channel, retryAt: nextDay });
	}
	if (today.length >= caps.maxPerDay) return refuse(RefusalReason.FrequencyCap, `already ${caps.maxPerDay} message(s) today`, { channel, retryAt: nextDay });
	const weekAgo = now.getTime() - 7 * 86_400_000;
	const week = past.filter((s) => Date.parse(s.sentAt) > weekAgo).map((s) => Date.parse(s.sentAt)).sort((a, b) => a - b);
	if (week.length >= caps.maxPerWeek) {
		const frees = week[week.length - caps.maxPerWeek] + 7 * 86_400_000;
		return refuse(RefusalReason.FrequencyCap, `already ${caps.maxPerWeek} message(s) in the last 7 days`, { channel, retryAt: new Date(frees).toISOString() });
	}
	return ALLOWED;
}
