import { DateTime } from 'luxon';
import { BirthdayWhen, type BirthdaySettings } from './settings';

/** A birthday as profiles hold it: the year is often unknown. */
export interface BirthdayDate {
	month: number;
	day: number;
	year?: number;
}

/** When a birthday is due this time round, and the facts a message can use. */
export interface DueBirthday {
	/** The local year of the birthday being celebrated: one emission per customer per occurrence. */
	occurrence: string;
	/** The birthday this year (YYYY-MM-DD), Feb 29 observed on Feb 28 in other years. */
	birthdayDate: string;
	/** The customer's local date at `now`. */
	localDate: string;
	/** When it became due (UTC ISO): `fromLocalHour` on the local day it is due. */
	dueAt: string;
	/** Age on this birthday, when the profile knows the year of birth. */
	age?: number;
}

const DAY_MS = 86_400_000;
/** IANA zones run from UTC−12 to UTC+14, so the local date somewhere is one of these. */
const MAX_BEHIND_MS = 12 * 3_600_000;
const MAX_AHEAD_MS = 14 * 3_600_000;

export function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The day the birthday falls on in `year`: Feb 29 is celebrated on Feb 28 when the year has none. */
export function observedBirthday(birthday: BirthdayDate, year: number): { year: number; month: number; day: number } {
	if (birthday.month === 2 && birthday.day === 29 && !isLeapYear(year)) return { year, month: 2, day: 28 };
	return { year, month: birthday.month, day: birthday.day };
}

export function isoDate(date: { year: number; month: number; day: number }): string {
	return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

function sameDate(a: { year: number; month: number; day: number }, b: { year: number; month: number; day: number }): boolean {
	return a.year === b.year && a.month === b.month && a.day === b.day;
}

function dueAtLocal(date: { year: number; month: number; day: number }, hour: number, zone: string): string {
	return DateTime.fromObject({ ...date, hour }, { zone }).toUTC().toISO()!;
}

/**
 * Whether the birthday is due at `now` for a customer in `zone`, and for which occurrence.
 * - `on_day`: on the local birthday, from `fromLocalHour`; a poll that missed the whole day emits nothing late.
 * - `days_before`: on the local day `daysBefore` days before the birthday, from `fromLocalHour`; only on that day.
 * - `month`: any time in the local birthday month from `fromLocalHour` on its first day (a late poll still emits).
 * Returns undefined when not due; claiming once per occurrence is the store's job.
 */
export function birthdayDue(birthday: BirthdayDate, zone: string, now: Date, settings: Pick<BirthdaySettings, 'when'> & Partial<BirthdaySettings>): DueBirthday | undefined {
	const hour = settings.fromLocalHour ?? 9;
	const local = DateTime.fromJSDate(now, { zone });
	if (!local.isValid) return undefined;
	const today = { year: local.year, month: local.month, day: local.day };
	const age = (year: number) => (birthday.year !== undefined && birthday.year <= year ? { age: year - birthday.year } : {});
	switch (settings.when) {
		case BirthdayWhen.OnDay: {
			const date = observedBirthday(birthday, today.year);
			if (!sameDate(date, today) || local.hour < hour) return undefined;
			return { occurrence: String(date.year), birthdayDate: isoDate(date), localDate: isoDate(today), dueAt: dueAtLocal(date, hour, zone), ...age(date.year) };
		}
		case BirthdayWhen.DaysBefore: {
			const before = settings.daysBefore ?? 0;
			// The birthday `before` days ahead decides the occurrence: a Jan 2 birthday is announced in December of the year before.
			const ahead = local.startOf('day').plus({ days: before });
			const date = observedBirthday(birthday, ahead.year);
			if (!sameDate(date, { year: ahead.year, month: ahead.month, day: ahead.day }) || local.hour < hour) return undefined;
			return { occurrence: String(date.year), birthdayDate: isoDate(date), localDate: isoDate(today), dueAt: dueAtLocal(today, hour, zone), ...age(date.year) };
		}
		case BirthdayWhen.Month: {
			if (local.month !== birthday.month || (local.day === 1 && local.hour < hour)) return undefined;
			const date = observedBirthday(birthday, today.year);
			return { occurrence: String(date.year), birthdayDate: isoDate(date), localDate: isoDate(today), dueAt: dueAtLocal({ year: today.year, month: today.month, day: 1 }, hour, zone), ...age(date.year) };
		}
		default:
			return undefined;
	}
}

/**
 * Which stored birthdays can possibly be due at `now`, in any zone: the SQL pre-filter that keeps
 * the store from reading every profile each minute. `days` undefined means any day of the month.
 * `years` are the occurrences they can belong to (one, except around New Year).
 */
export function birthdayCandidates(now: Date, settings: Pick<BirthdaySettings, 'when'> & Partial<BirthdaySettings>): { dates: Array<{ month: number; day?: number }>; years: number[] } {
	const shift = settings.when === BirthdayWhen.DaysBefore ? (settings.daysBefore ?? 0) : 0;
	const first = Math.floor((now.getTime() - MAX_BEHIND_MS) / DAY_MS);
	const last = Math.floor((now.getTime() + MAX_AHEAD_MS) / DAY_MS);
	const dates = new Map<string, { month: number; day?: number }>();
	const years = new Set<number>();
	for (let dayNumber = first; dayNumber <= last; dayNumber++) {
		const date = new Date((dayNumber + shift) * DAY_MS);
		const year = date.getUTCFullYear();
		const month = date.getUTCMonth() + 1;
		const day = date.getUTCDate();
		years.add(year);
		if (settings.when === BirthdayWhen.Month) {
			dates.set(`${month}`, { month });
			continue;
		}
		dates.set(`${month}-${day}`, { month, day });
		// Feb 29 birthdays are celebrated on Feb 28 in years without one.
		if (month === 2 && day === 28 && !isLeapYear(year)) dates.set('2-29', { month: 2, day: 29 });
	}
	return { dates: [...dates.values()], years: [...years].sort((a, b) => a - b) };
}
