import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseOrThrow } from '../model/validate';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 09:00');

/** The local hours in which marketing SMS may go out: [start, end). An end before start wraps past midnight. */
export const sendWindowSchema = z
	.object({ start: clock.default('09:00'), end: clock.default('20:00') })
	.refine((w) => w.start !== w.end, { message: 'start and end must differ', path: ['end'] });
export type SendWindow = z.infer<typeof sendWindowSchema>;
export const DEFAULT_SEND_WINDOW: SendWindow = { start: '09:00', end: '20:00' };

export function parseSendWindow(input: unknown): SendWindow {
	return parseOrThrow(sendWindowSchema, input ?? {}, 'quietHours');
}

function minutesOf(hhmm: string): number {
	return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** True when the instant falls inside the window in that time zone. */
export function isInsideSendWindow(at: Date, timeZone: string, window: SendWindow = DEFAULT_SEND_WINDOW): boolean {
	const local = DateTime.fromJSDate(at, { zone: timeZone });
	const minute = local.hour * 60 + local.minute;
	const start = minutesOf(window.start);
	const end = minutesOf(window.end);
	return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * The first instant at or after `at` when a marketing SMS may go out: `at` itself inside the
 * window, else the next local opening. A send is deferred, never dropped. Opening times that
 * a daylight-saving jump skips resolve to the first real minute after the jump.
 */
export function nextAllowedSendTime(at: Date, timeZone: string, window: SendWindow = DEFAULT_SEND_WINDOW): Date {
	if (isInsideSendWindow(at, timeZone, window)) return at;
	const start = minutesOf(window.start);
	const local = DateTime.fromJSDate(at, { zone: timeZone });
	for (let dayOffset = 0; dayOffset <= 2; dayOffset += 1) {
		const day = local.startOf('day').plus({ days: dayOffset });
		let opening = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(start / 60), minute: start % 60 }, { zone: timeZone });
		// Luxon moves a skipped local time forward by the jump; a minute-by-minute walk keeps it inside the window.
		for (let guard = 0; guard < 180 && !isInsideSendWindow(opening.toJSDate(), timeZone, window); guard += 1) opening = opening.plus({ minutes: 1 });
		// ...and may overshoot: the window really opened at the jump itself.
		for (let guard = 0; guard < 180; guard += 1) {
			const earlier = opening.minus({ minutes: 1 });
			if (earlier.toMillis() <= at.getTime() || !isInsideSendWindow(earlier.toJSDate(), timeZone, window)) break;
			opening = earlier;
		}
		const candidate = opening.toJSDate();
		if (candidate.getTime() > at.getTime() && isInsideSendWindow(candidate, timeZone, window)) return candidate;
	}
	// Unreachable for any real zone: the window opens at least once every day.
	throw new Error(`no send window opening found after ${at.toISOString()} in ${timeZone}`);
}
