import { decimalToMinor, LoyaltyError, type HealthCheckSettings, type ScheduleSettings } from '../../engine';

export type ReadParameter = (name: string, fallback?: unknown) => unknown;

const UNIT_MS: Record<string, number> = { seconds: 1_000, minutes: 60_000, hours: 3_600_000 };

function text(value: unknown, fallback: string): string {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

function positive(value: unknown, field: string): number {
	const number = Number(value);
	if (!Number.isFinite(number) || number <= 0) throw LoyaltyError.invalid(field, 'must be a number above 0');
	return number;
}

/** How often schedule mode looks, in milliseconds. */
export function pollIntervalMs(read: ReadParameter): number {
	const unit = text(read('checkEveryUnit', 'minutes'), 'minutes');
	if (!(unit in UNIT_MS)) throw LoyaltyError.invalid('checkEveryUnit', 'must be seconds, minutes or hours');
	return Math.round(positive(read('checkEvery', 1), 'checkEvery') * UNIT_MS[unit]);
}

/** What the trigger takes from the stored program (engine/program). */
export interface ScheduleProgram {
	id: string;
	currency: string;
	timeZone: string;
}

const UNSET_PROGRAM: ScheduleProgram = { id: 'default', currency: 'USD', timeZone: 'UTC' };

/** Version 1.1 asks for Cart Idle Minutes; a saved version-1 node still has Idle Hours. */
function cartIdleHours(read: ReadParameter): number {
	const minutes = read('cartIdleMinutes', undefined);
	if (minutes !== undefined && minutes !== null) return positive(minutes, 'cartIdleMinutes') / 60;
	return positive(read('cartIdleHours', 2), 'cartIdleHours');
}

const HEALTH_CHECK = 'healthCheck';

function pickedKinds(read: ReadParameter): Set<string> {
	const kinds = new Set((read('dueEvents', []) as string[]) ?? []);
	if (kinds.size === 0) throw LoyaltyError.invalid('dueEvents', 'pick at least one event to look for');
	return kinds;
}

/** The health check's settings when it is picked, else undefined; its days are the program's. */
export function healthCheckSettingsFrom(read: ReadParameter, program: ScheduleProgram = UNSET_PROGRAM): HealthCheckSettings | undefined {
	if (!pickedKinds(read).has(HEALTH_CHECK)) return undefined;
	const whole = (name: string) => {
		const value = Number(read(name, 0));
		if (!Number.isInteger(value) || value < 0) throw LoyaltyError.invalid(name, 'must be a whole number, 0 or more');
		return value;
	};
	const factor = positive(read('healthQuietFactor', 3), 'healthQuietFactor');
	if (factor <= 1) throw LoyaltyError.invalid('healthQuietFactor', 'must be more than 1 (1 would call every gap quiet)');
	return {
		programId: program.id,
		timeZone: program.timeZone,
		quietFactor: factor,
		minQuietHours: positive(read('healthMinQuietHours', 24), 'healthMinQuietHours'),
		quarantineAbove: whole('healthQuarantineAbove'),
		parkedAbove: whole('healthParkedAbove'),
		unprocessedAbove: whole('healthUnprocessedAbove'),
	};
}

/**
 * The node's parameters and the stored program as the engine's schedule settings, or undefined
 * when only the health check is picked; wrong numbers name their field. The program's currency prices cart values; its time zone stands in for a
 * customer's unknown one.
 */
export function scheduleSettingsFrom(read: ReadParameter, program: ScheduleProgram = UNSET_PROGRAM): ScheduleSettings | undefined {
	const currency = program.currency.toUpperCase();
	const kinds = pickedKinds(read);
	kinds.delete(HEALTH_CHECK);
	// Only the health check picked: no customer events to look for.
	if (kinds.size === 0) return undefined;
	const settings: ScheduleSettings = {
		programId: program.id,
		programTimeZone: program.timeZone,
		currency,
		kinds: {},
	};
	if (kinds.has('birthday')) {
		const when = text(read('birthdayWhen', 'on_day'), 'on_day') as 'on_day' | 'days_before' | 'month';
		settings.kinds.birthday = { when, fromLocalHour: Number(read('birthdayFromHour', 9)), ...(when === 'days_before' ? { daysBefore: positive(read('birthdayDaysBefore', 7), 'birthdayDaysBefore') } : {}) };
	}
	if (kinds.has('inactivity')) settings.kinds.inactivity = { days: positive(read('inactivityDays', 60), 'inactivityDays'), relativeToRhythm: read('inactivityRelative', false) === true };
	if (kinds.has('replenishment')) settings.kinds.replenishment = {};
	if (kinds.has('cartAbandoned')) {
		const minTotal = Number(read('cartMinTotal', 0));
		if (!Number.isFinite(minTotal) || minTotal < 0) throw LoyaltyError.invalid('cartMinTotal', 'must be 0 or more');
		settings.kinds.cartAbandoned = { idleHours: cartIdleHours(read), minTotalMinor: decimalToMinor(minTotal, currency, 'cartMinTotal') };
	}
	if (kinds.has('pointsExpiring')) settings.kinds.pointsExpiring = { withinDays: positive(read('expiringWithinDays', 14), 'expiringWithinDays') };
	if (kinds.has('tierReview')) settings.kinds.tierReview = { reviewEveryDays: positive(read('tierReviewEveryDays', 365), 'tierReviewEveryDays') };
	if (kinds.has('followUps')) settings.kinds.followUps = true;
	if (kinds.has('challengeDeadline')) settings.kinds.challengeDeadline = { daysBefore: positive(read('challengeDaysBefore', 2), 'challengeDaysBefore') };
	return settings;
}
