import { NotEarningReason, type LoyaltyReport } from './types';

export const AlertKind = {
	QuietSource: 'quiet_source',
	Quarantine: 'quarantine',
	ParkedRuns: 'parked_runs',
	HeldPoints: 'held_points',
	Unprocessed: 'unprocessed_orders',
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

export interface HealthAlert {
	kind: AlertKind;
	/** A sentence the owner can act on. */
	message: string;
}

/** What in a report needs the owner's attention now; empty when all is well. */
export function healthAlerts(report: LoyaltyReport): HealthAlert[] {
	const alerts: HealthAlert[] = [];
	for (const source of report.health.sources) if (source.warning) alerts.push({ kind: AlertKind.QuietSource, message: source.warning });
	const q = report.health.quarantine;
	if (q.open > 0) alerts.push({ kind: AlertKind.Quarantine, message: `${q.open} deliveries are in quarantine (${q.byReason.map((r) => `${r.count} ${r.code}`).join(', ')}): replay or discard them with Award Points → Quarantine or n8n-loyalty quarantine.` });
	if (report.health.runs.parked > 0) alerts.push({ kind: AlertKind.ParkedRuns, message: `${report.health.runs.parked} events failed every run and are parked: fix the workflow, then retry them.` });
	if (report.program.held.count > 0) alerts.push({ kind: AlertKind.HeldPoints, message: `${report.program.held.count} orders (${report.program.held.points} points) wait for your approval above the per-order ceiling.` });
	// The current period's orders may still be on their way; earlier periods should be settled.
	const unprocessed = report.health.reconciliation.rows.slice(0, -1).reduce((sum, row) => sum + (row.notEarning[NotEarningReason.NotProcessed] ?? 0), 0);
	if (unprocessed > 0) alerts.push({ kind: AlertKind.Unprocessed, message: `${unprocessed} paid orders from earlier ${report.period}s earned no points and were never processed: check the Points on purchase workflow.` });
	return alerts;
}
