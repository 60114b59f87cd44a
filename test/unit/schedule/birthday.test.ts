import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { birthdayCandidates, birthdayDue, inactivityThresholdDays, isoDate, medianGapDays, observedBirthday, parseScheduleSettings } from '../../../engine';

const HOUR = 3_600_000;

describe('birthday date maths', () => {
	test('Nov 25: due in Tokyo at 02:00Z, not yet in Los Angeles; there at 17:00Z', () => {
		const onDay = { when: 'on_day' as const };
		assert.equal(birthdayDue({ month: 11, day: 25 }, 'Asia/Tokyo', new Date('2026-11-25T02:00:00Z'), onDay)?.dueAt, '2026-11-25T00:00:00.000Z');
		assert.equal(birthdayDue({ month: 11, day: 25 }, 'America/Los_Angeles', new Date('2026-11-25T02:00:00Z'), onDay), undefined);
		assert.equal(birthdayDue({ month: 11, day: 25 }, 'America/Los_Angeles', new Date('2026-11-25T16:59:59Z'), onDay), undefined);
		assert.deepEqual(birthdayDue({ month: 11, day: 25 }, 'America/Los_Angeles', new Date('2026-11-25T17:00:00Z'), onDay), { occurrence: '2026', birthdayDate: '2026-11-25', localDate: '2026-11-25', dueAt: '2026-11-25T17:00:00.000Z' });
	});

	test('Feb 29 falls on Feb 28 outside leap years', () => {
		assert.deepEqual(observedBirthday({ month: 2, day: 29 }, 2027), { year: 2027, month: 2, day: 28 });
		assert.deepEqual(observedBirthday({ month: 2, day: 29 }, 2028), { year: 2028, month: 2, day: 29 });
		assert.deepEqual(observedBirthday({ month: 2, day: 29 }, 2100), { year: 2100, month: 2, day: 28 }, '2100 is not a leap year');
	});

	test('days before: the occurrence is the year of the birthday announced', () => {
		const due = birthdayDue({ month: 1, day: 2, year: 2000 }, 'UTC', new Date('2026-12-26T10:00:00Z'), { when: 'days_before', daysBefore: 7 });
		assert.deepEqual(due, { occurrence: '2027', birthdayDate: '2027-01-02', localDate: '2026-12-26', dueAt: '2026-12-26T09:00:00.000Z', age: 27 });
	});

	test('property: polled every hour of a year, on_day is due only on the local birthday from the local hour, in one occurrence', () => {
		const zones = ['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe', 'Europe/London', 'Pacific/Chatham', 'America/Santiago'];
		fc.assert(
			fc.property(fc.constantFrom(...zones), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 2024, max: 2030 }), fc.integer({ min: 0, max: 23 }), (zone, month, rawDay, year, hour) => {
				const day = Math.min(rawDay, new Date(Date.UTC(2000, month, 0)).getUTCDate());
				const celebrated = isoDate(observedBirthday({ month, day }, year));
				const start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone }).toMillis();
				const end = DateTime.fromObject({ year: year + 1, month: 1, day: 1 }, { zone }).toMillis();
				const due: number[] = [];
				for (let t = start; t < end; t += HOUR) {
					const result = birthdayDue({ month, day }, zone, new Date(t), { when: 'on_day', fromLocalHour: hour });
					if (!result) continue;
					assert.equal(result.occurrence, String(year));
					assert.equal(result.birthdayDate, celebrated);
					due.push(t);
				}
				assert.ok(due.length >= 1, `${zone} ${celebrated} from ${hour}:00 is due at least once`);
				for (const t of due) {
					const local = DateTime.fromMillis(t, { zone });
					assert.equal(local.toISODate(), celebrated);
					assert.ok(local.hour >= hour);
				}
				// The SQL pre-filter must let every due instant through.
				for (const t of due) assert.ok(birthdayCandidates(new Date(t), { when: 'on_day' }).dates.some((d) => d.month === month && d.day === day));
			}),
			{ numRuns: 15 },
		);
	});

	test('property: the month pre-filter admits every due instant of month and days_before modes', () => {
		fc.assert(
			fc.property(fc.constantFrom('Pacific/Kiritimati', 'Etc/GMT+12', 'UTC', 'Asia/Tokyo'), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 365 * 24 }), (zone, month, day, daysBefore, hours) => {
				const now = new Date(Date.UTC(2026, 0, 1) + hours * HOUR);
				for (const settings of [{ when: 'month' as const }, { when: 'days_before' as const, daysBefore }]) {
					const due = birthdayDue({ month, day }, zone, now, settings);
					if (!due) continue;
					const candidates = birthdayCandidates(now, settings);
					assert.ok(candidates.dates.some((d) => d.month === month && (d.day === undefined || d.day === day)), `${zone} ${now.toISOString()} ${JSON.stringify(settings)}`);
					assert.ok(candidates.years.includes(Number(due.occurrence)));
				}
			}),
			{ numRuns: 300 },
		);
	});
});

describe('inactivity rhythm', () => {
	test('median gap between distinct purchase days; same-day orders are one purchase', () => {
		assert.equal(medianGapDays([0, 0, 10, 40, 80, 90]), 20);
		assert.equal(medianGapDays([5]), undefined);
		assert.deepEqual(inactivityThresholdDays({ days: 30, relativeToRhythm: true, rhythmFactor: 2 }, [0, 40, 80]), { thresholdDays: 80, medianGapDays: 40 });
		assert.deepEqual(inactivityThresholdDays({ days: 30, relativeToRhythm: true }, [0, 5, 10]), { thresholdDays: 30, medianGapDays: 5 });
		assert.deepEqual(inactivityThresholdDays({ days: 30 }, [0, 40, 80]), { thresholdDays: 30 });
	});
});

describe('schedule settings', () => {
	test('defaults are filled in and bad values name their field', () => {
		const parsed = parseScheduleSettings({ programId: 'p', programTimeZone: 'Europe/Berlin', currency: 'EUR', kinds: { birthday: { when: 'on_day' }, inactivity: { days: 60 } } });
		assert.equal(parsed.kinds.birthday?.fromLocalHour, 9);
		assert.equal(parsed.kinds.inactivity?.rhythmFactor, 2);
		assert.throws(() => parseScheduleSettings({ programId: 'p', programTimeZone: 'UTC', currency: 'USD', kinds: { cartAbandoned: { idleHours: 0 } } }), (e: Error & { field?: string }) => e.field === 'settings.kinds.cartAbandoned.idleHours');
		assert.throws(() => parseScheduleSettings({ programId: 'p', programTimeZone: 'UTC', currency: 'USD', kinds: { birthdays: {} } as never }), (e: Error & { field?: string }) => e.field?.startsWith('settings.kinds') === true);
	});
});
