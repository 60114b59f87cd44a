import { DateTime } from 'luxon';
import type { ExpiryPolicy } from './program';

/** When points that become spendable at `availableAt` expire under a per-lot policy; undefined = never. */
export function lotExpiry(policy: ExpiryPolicy, availableAt: Date, timeZone: string): string | undefined {
	switch (policy.kind) {
		case 'days_after_earn':
			return new Date(availableAt.getTime() + policy.days * 86_400_000).toISOString();
		case 'end_of_month_after':
			// "End of the month" is the shop's month, not UTC's.
			return DateTime.fromJSDate(availableAt, { zone: timeZone }).plus({ months: policy.months }).endOf('month').toUTC().toISO()!;
		default:
			return undefined;
	}
}

/** Inactivity expiry: all available points lapse once this instant has passed without activity. */
export function inactivityDeadline(policy: ExpiryPolicy, lastActivityAt: string | null): string | undefined {
	if (policy.kind !== 'inactivity' || !lastActivityAt) return undefined;
	return new Date(Date.parse(lastActivityAt) + policy.days * 86_400_000).toISOString();
}
