import type { InactivitySettings } from './settings';

const DAY_MS = 86_400_000;

function median(values: readonly number[]): number | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median days between a customer's distinct purchase days (UTC day numbers); undefined with fewer than two. */
export function medianGapDays(purchaseDays: readonly number[]): number | undefined {
	const days = [...new Set(purchaseDays)].sort((a, b) => a - b);
	const gaps: number[] = [];
	for (let i = 1; i < days.length; i++) gaps.push(days[i] - days[i - 1]);
	return median(gaps);
}

/**
 * How many days without a purchase make this customer inactive: the configured days, or with
 * `relativeToRhythm` the larger of those and `rhythmFactor` × their median gap, so a customer who
 * buys every 40 days is not nudged after 30.
 */
export function inactivityThresholdDays(settings: Pick<InactivitySettings, 'days'> & Partial<InactivitySettings>, purchaseDays: readonly number[] = []): { thresholdDays: number; medianGapDays?: number } {
	if (!settings.relativeToRhythm) return { thresholdDays: settings.days };
	const gap = medianGapDays(purchaseDays);
	if (gap === undefined) return { thresholdDays: settings.days };
	return { thresholdDays: Math.max(settings.days, (settings.rhythmFactor ?? 2) * gap), medianGapDays: gap };
}

export function dayNumberOfInstant(iso: string): number {
	return Math.floor(Date.parse(iso) / DAY_MS);
}
