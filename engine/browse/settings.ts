import { LoyaltyError } from '../model/errors';

/** How long views are kept, and whose interest a price drop or restock is told to. */
export interface BrowseSettings {
	/** Views older than this are deleted (on each new view of the customer, and by pruneViews). */
	retentionDays: number;
	/** Customers who viewed or wish-listed a product within this many days get its alerts (views older than the retention period are gone, whatever this says). */
	alertWindowDays: number;
}

export const DEFAULT_BROWSE_SETTINGS: BrowseSettings = { retentionDays: 90, alertWindowDays: 30 };

export function parseBrowseSettings(input: Partial<BrowseSettings> = {}): BrowseSettings {
	const settings = { ...DEFAULT_BROWSE_SETTINGS, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
	for (const field of ['retentionDays', 'alertWindowDays'] as const) {
		const value = settings[field];
		if (!Number.isInteger(value) || value < 1 || value > 3650) throw LoyaltyError.invalid(field, 'must be a whole number of days from 1 to 3650');
	}
	return settings;
}
