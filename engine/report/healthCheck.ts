import { z } from 'zod';
import { parseOrThrow } from '../model/validate';
import type { Store } from '../store/store';
import { healthAlerts, type AlertKind, type HealthAlert } from './alerts';
import { buildHealthReport } from './build';

export const HEALTH_ALERT_EVENT_TYPE = 'health_alert';

export const healthCheckSettingsSchema = z.object({
	programId: z.string().trim().min(1).default('default'),
	/** The shop's zone, for the days the report counts in. */
	timeZone: z.string().trim().min(1).default('UTC'),
	/** A source is quiet after max(minQuietHours, quietFactor × its usual gap). */
	quietFactor: z.number().gt(1, 'must be more than 1').max(100).default(3),
	minQuietHours: z.number().gt(0, 'must be more than 0').max(24 * 90).default(24),
	quarantineAbove: z.number().int().nonnegative().default(0),
	parkedAbove: z.number().int().nonnegative().default(0),
	unprocessedAbove: z.number().int().nonnegative().default(0),
});
export type HealthCheckSettings = z.input<typeof healthCheckSettingsSchema>;

/** One problem, told once: the schedule trigger's item for the owner's alert workflow. */
export interface HealthAlertEvent {
	type: typeof HEALTH_ALERT_EVENT_TYPE;
	kind: AlertKind;
	/** The quiet source's name; '' for kinds with one subject. */
	subject: string;
	title: string;
	message: string;
	/** When this occurrence of the problem was first seen. */
	since: string;
	programId: string;
	/** Stable for this occurrence: a workflow may use it to drop a repeat. */
	idempotencyKey: string;
}

/**
 * Looks at the store's health and returns the problems that are new since the last look: each
 * problem (a quiet source, quarantine not empty, parked runs, held orders, unprocessed orders) is
 * opened once in `health_alert_emissions` and returned only by the look that opened it; a problem
 * that is gone is closed, so when it comes back it is told again. The claim is the database's
 * (a unique index on the open problem), so two n8n mains or an overlapping look never tell it twice.
 */
export async function claimHealthAlerts(store: Store, input: HealthCheckSettings, now: Date = new Date()): Promise<HealthAlertEvent[]> {
	const settings = parseOrThrow(healthCheckSettingsSchema, input, 'healthCheck');
	const alerts = await alertsNow(store, settings, now);
	const at = now.toISOString();
	return store.db.transaction(async (sql) => {
		const current = new Set(alerts.map((a) => `${a.kind}\u0000${a.subject}`));
		const open = await sql.query<{ kind: string; subject: string }>('SELECT kind, subject FROM health_alert_emissions WHERE program_id = $1 AND closed_at IS NULL', [settings.programId]);
		for (const row of open) {
			if (current.has(`${row.kind}\u0000${row.subject}`)) continue;
			await sql.execute('UPDATE health_alert_emissions SET closed_at = $4 WHERE program_id = $1 AND kind = $2 AND subject = $3 AND closed_at IS NULL', [settings.programId, row.kind, row.subject, at]);
		}
		const told: HealthAlertEvent[] = [];
		for (const alert of alerts) {
			const inserted = await sql.execute('INSERT INTO health_alert_emissions (program_id, kind, subject, opened_at, message) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
				settings.programId,
				alert.kind,
				alert.subject,
				at,
				alert.message,
			]);
			if (inserted === 0) continue;
			told.push(eventOf(alert, settings.programId, at));
		}
		return told;
	});
}

/** The problems as they are now, told before or not; writes nothing ("Test step" on the canvas). */
export async function currentHealthAlerts(store: Store, input: HealthCheckSettings, now: Date = new Date()): Promise<HealthAlertEvent[]> {
	const settings = parseOrThrow(healthCheckSettingsSchema, input, 'healthCheck');
	return (await alertsNow(store, settings, now)).map((alert) => eventOf(alert, settings.programId, now.toISOString()));
}

async function alertsNow(store: Store, settings: z.output<typeof healthCheckSettingsSchema>, now: Date): Promise<HealthAlert[]> {
	const view = await buildHealthReport(store, { programId: settings.programId, timeZone: settings.timeZone, quietFactor: settings.quietFactor, minQuietHours: settings.minQuietHours, now });
	return healthAlerts(view, settings);
}

function eventOf(alert: HealthAlert, programId: string, since: string): HealthAlertEvent {
	return { type: HEALTH_ALERT_EVENT_TYPE, ...alert, since, programId, idempotencyKey: `health:${programId}:${alert.kind}:${alert.subject}:${since}` };
}
