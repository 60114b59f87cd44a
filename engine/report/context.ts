import type { ProgramConfig } from '../ledger';
import type { Store } from '../store/store';
import type { PeriodBucket, ReportPeriod } from './periods';

/** What every section of the report reads from: the store, the program and the chosen window. */
export interface ReportContext {
	store: Store;
	program: ProgramConfig;
	programId: string;
	currency: string;
	timeZone: string;
	period: ReportPeriod;
	periods: PeriodBucket[];
	/** Start of the first period (UTC ISO). */
	since: string;
	now: Date;
	redemptionValue: number;
	conversionDays: number;
	baselineRate: number;
	minimumLift: number;
	/** A source is quiet after max(minQuietHours, quietFactor × its median gap). */
	quietFactor: number;
	minQuietHours: number;
}

export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

export const DAY_MS = 86_400_000;
