import { DateTime } from 'luxon';
import { DAYS_OF_WEEK } from './vocabulary';
import type { Schedule } from './schema';

/** The evaluation instant as the customer sees it: luxon weekday (1 = Monday) and minute of day. */
export interface LocalTime {
	weekday: number;
	minuteOfDay: number;
	label: string;
}

export function localTimeOf(nowMs: number, zone: string): LocalTime {
	const local = DateTime.fromMillis(nowMs, { zone });
	return { weekday: local.weekday, minuteOfDay: local.hour * 60 + local.minute, label: `${DAYS_OF_WEEK[local.weekday - 1]} ${local.toFormat('HH:mm')} ${zone}` };
}

/** The evaluation's clock; the local time is worked out once, only if a schedule asks for it. */
export interface LocalClock {
	nowMs: number;
	zone: string;
	local: LocalTime | undefined;
}

function localTime(clock: LocalClock): LocalTime {
	return (clock.local ??= localTimeOf(clock.nowMs, clock.zone));
}

export type CompiledSchedule = (nowMs: number, clock: LocalClock) => string | undefined;

function minutes(clock: string): number {
	const [h, m] = clock.split(':').map(Number);
	return h * 60 + m;
}

/**
 * Returns why the rule is outside its schedule, or undefined when it is inside. Day-of-week and
 * hour windows are read in the customer's time zone (the program's when the customer has none);
 * an hour window whose end is before its start runs over midnight (22:00–02:00).
 */
export function compileSchedule(schedule: Schedule | undefined): CompiledSchedule | undefined {
	if (!schedule) return undefined;
	const from = schedule.activeFrom ? Date.parse(schedule.activeFrom) : undefined;
	const to = schedule.activeTo ? Date.parse(schedule.activeTo) : undefined;
	const days = schedule.daysOfWeek ? new Set(schedule.daysOfWeek.map((d) => DAYS_OF_WEEK.indexOf(d) + 1)) : undefined;
	const window = schedule.hours ? { start: minutes(schedule.hours.from), end: minutes(schedule.hours.to) } : undefined;
	return (nowMs, clock) => {
		if (from !== undefined && nowMs < from) return `not active before ${schedule.activeFrom}`;
		if (to !== undefined && nowMs >= to) return `not active after ${schedule.activeTo}`;
		if (days) {
			const time = localTime(clock);
			if (!days.has(time.weekday)) return `only on ${schedule.daysOfWeek!.join(', ')}; it is ${time.label}`;
		}
		if (window) {
			const time = localTime(clock);
			const inside = window.start <= window.end ? time.minuteOfDay >= window.start && time.minuteOfDay < window.end : time.minuteOfDay >= window.start || time.minuteOfDay < window.end;
			if (!inside) return `only ${schedule.hours!.from}–${schedule.hours!.to}; it is ${time.label}`;
		}
		return undefined;
	};
}
