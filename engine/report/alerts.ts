import { NotEarningReason, type HealthView } from './types';

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
	/** What the problem is about within its kind (the quiet source's name); '' when the kind has one subject. */
	subject: string;
	/** A short line for an email subject or a notification title. */
	title: string;
	/** A sentence the owner can act on. */
	message: string;
}

/** How much of each problem is tolerated before it is one; 0 (the default) alerts on the first. */
export interface AlertThresholds {
	/** Deliveries in quarantine. */
	quarantineAbove?: number;
	/** Events parked after failing every run. */
	parkedAbove?: number;
	/** Paid orders from earlier periods that earned nothing and were never processed. */
	unprocessedAbove?: number;
}

/** What in a report needs the owner's attention now; empty when all is well. */
export function healthAlerts(report: HealthView, thresholds: AlertThresholds = {}): HealthAlert[] {
	const alerts: HealthAlert[] = [];
	for (const source of report.health.sources) {
		if (source.warning) alerts.push({ kind: AlertKind.QuietSource, subject: source.source, title: `No events from ${source.source} lately`, message: source.warning });
	}
	const q = report.health.quarantine;
	if (q.open > (thresholds.quarantineAbove ?? 0)) {
		alerts.push({
			kind: AlertKind.Quarantine,
			subject: '',
			title: `${q.open} ${q.open === 1 ? 'delivery' : 'deliveries'} in quarantine`,
			message: `${q.open} ${q.open === 1 ? 'delivery is' : 'deliveries are'} in quarantine (${q.byReason.map((r) => `${r.count} ${r.code}`).join(', ')}): replay or discard them with Award Points → Quarantine or n8n-loyalty quarantine.`,
		});
	}
	const parked = report.health.runs.parked;
	if (parked > (thresholds.parkedAbove ?? 0)) {
		alerts.push({ kind: AlertKind.ParkedRuns, subject: '', title: `${parked} events failed every run`, message: `${parked} events failed every run and are parked: fix the workflow, then retry them.` });
	}
	const held = report.program.held;
	if (held.count > 0) {
		alerts.push({ kind: AlertKind.HeldPoints, subject: '', title: `${held.count} orders wait for your approval`, message: `${held.count} orders (${held.points} points) wait for your approval above the per-order ceiling.` });
	}
	// The current period's orders may still be on their way; earlier periods should be settled.
	const unprocessed = report.health.reconciliation.rows.slice(0, -1).reduce((sum, row) => sum + (row.notEarning[NotEarningReason.NotProcessed] ?? 0), 0);
	if (unprocessed > (thresholds.unprocessedAbove ?? 0)) {
		alerts.push({
			kind: AlertKind.Unprocessed,
			subject: '',
			title: `${unprocessed} paid orders earned no points`,
			message: `${unprocessed} paid orders from earlier ${report.period}s earned no points and were never processed: check the Points on purchase workflow.`,
		});
	}
	return alerts;
}
