import { LoyaltyError } from '../model/errors';
import type { CustomerSummary } from './summary';

export type TimeUnit = 'day' | 'week';

export interface Transaction {
	customerId: string;
	/** ISO date or date-time; a date-time is placed on its calendar day in `timeZone`. */
	placedAt: string;
	/** Order value in any consistent unit (major or minor); monetary values come out in the same unit. */
	amount: number;
}

export interface SummaryOptions {
	/** Last day (inclusive, YYYY-MM-DD) of the calibration period; later transactions are holdout. */
	calibrationEnd: string;
	/** Last day of the holdout period; when given, holdout counts are returned. */
	holdoutEnd?: string;
	timeUnit?: TimeUnit;
	/** IANA zone whose calendar days define "same day" (default UTC). */
	timeZone?: string;
}

export interface CalibrationHoldoutSummary extends CustomerSummary {
	/** Transactions (distinct days) in (calibrationEnd, holdoutEnd]. */
	frequencyHoldout: number;
	/** Mean value of the holdout transactions (0 when there were none). */
	monetaryValueHoldout: number;
	/** Length of the holdout period in the time unit. */
	durationHoldout: number;
}

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Day number (days since 1970-01-01) of a YYYY-MM-DD calendar date; throws naming `field`. */
export function dayNumberOfDate(date: string, field: string): number {
	if (!DATE_ONLY.test(date)) throw LoyaltyError.invalid(field, `expected a date YYYY-MM-DD (got ${JSON.stringify(date)})`);
	const ms = Date.parse(`${date}T00:00:00Z`);
	if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) throw LoyaltyError.invalid(field, `${date} is not a calendar date`);
	return Math.round(ms / DAY_MS);
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** Calendar day number of an ISO date or date-time in `timeZone`. */
export function dayNumberOf(placedAt: string, field: string, timeZone = 'UTC'): number {
	if (DATE_ONLY.test(placedAt)) return dayNumberOfDate(placedAt, field);
	const ms = Date.parse(placedAt);
	if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(placedAt)) throw LoyaltyError.invalid(field, `expected an ISO date or date-time (got ${JSON.stringify(placedAt)})`);
	if (timeZone === 'UTC') return Math.floor(ms / DAY_MS);
	let format = dayFormatters.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
		dayFormatters.set(timeZone, format);
	}
	return dayNumberOfDate(format.format(ms), field);
}

export function unitDays(unit: TimeUnit): number {
	return unit === 'week' ? 7 : 1;
}

/**
 * Per-customer (x, t_x, T, mean repeat spend) from raw transactions, as in the literature: a
 * customer's transactions on the same calendar day are one transaction (amounts summed); times
 * are whole days between calendar dates divided by the unit; T runs from the first transaction
 * to the end of `calibrationEnd`'s day start (so a first purchase on the last day has T = 0).
 * Customers whose first transaction falls after the calibration period are left out (they did not
 * exist yet). With `holdoutEnd`, holdout counts are added.
 */
export function summaryFromTransactions(transactions: Iterable<Transaction>, options: SummaryOptions & { holdoutEnd: string }): CalibrationHoldoutSummary[];
export function summaryFromTransactions(transactions: Iterable<Transaction>, options: SummaryOptions): CustomerSummary[];
export function summaryFromTransactions(transactions: Iterable<Transaction>, options: SummaryOptions): CustomerSummary[] | CalibrationHoldoutSummary[] {
	const calibrationEnd = dayNumberOfDate(options.calibrationEnd, 'calibrationEnd');
	const holdoutEnd = options.holdoutEnd === undefined ? undefined : dayNumberOfDate(options.holdoutEnd, 'holdoutEnd');
	if (holdoutEnd !== undefined && holdoutEnd <= calibrationEnd) throw LoyaltyError.invalid('holdoutEnd', `must be after calibrationEnd (${options.holdoutEnd} <= ${options.calibrationEnd})`);
	const unit = unitDays(options.timeUnit ?? 'week');
	const lastDay = holdoutEnd ?? calibrationEnd;
	const days = new Map<string, Map<number, number>>();
	let index = 0;
	for (const tx of transactions) {
		const at = `transactions[${index++}]`;
		if (typeof tx.customerId !== 'string' || tx.customerId.trim() === '') throw LoyaltyError.invalid(`${at}.customerId`, 'missing');
		if (!(typeof tx.amount === 'number' && Number.isFinite(tx.amount) && tx.amount >= 0)) throw LoyaltyError.invalid(`${at}.amount`, `must be a number >= 0 (got ${tx.amount})`);
		const day = dayNumberOf(tx.placedAt, `${at}.placedAt`, options.timeZone);
		if (day > lastDay) continue;
		let perDay = days.get(tx.customerId);
		if (!perDay) days.set(tx.customerId, (perDay = new Map()));
		perDay.set(day, (perDay.get(day) ?? 0) + tx.amount);
	}
	const result: CalibrationHoldoutSummary[] = [];
	for (const [customerId, perDay] of days) {
		const ordered = [...perDay.entries()].sort((a, b) => a[0] - b[0]);
		const calibration = ordered.filter(([day]) => day <= calibrationEnd);
		if (calibration.length === 0) continue;
		const first = calibration[0][0];
		const last = calibration[calibration.length - 1][0];
		const repeats = calibration.slice(1);
		const holdout = ordered.filter(([day]) => day > calibrationEnd);
		result.push({
			customerId,
			frequency: repeats.length,
			recency: (last - first) / unit,
			T: (calibrationEnd - first) / unit,
			monetaryValue: repeats.length ? repeats.reduce((s, [, amount]) => s + amount, 0) / repeats.length : 0,
			frequencyHoldout: holdout.length,
			monetaryValueHoldout: holdout.length ? holdout.reduce((s, [, amount]) => s + amount, 0) / holdout.length : 0,
			durationHoldout: holdoutEnd === undefined ? 0 : (holdoutEnd - calibrationEnd) / unit,
		});
	}
	if (holdoutEnd !== undefined) return result;
	return result.map(({ customerId, frequency, recency, T, monetaryValue }) => ({ customerId, frequency, recency, T, monetaryValue }));
}
