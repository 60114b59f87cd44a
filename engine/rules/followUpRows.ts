import type { RuleEvent } from './types';
import type { SqlClient } from '../store/db';

interface FollowUpRow {
	[key: string]: unknown;
	source_event_key: string;
	rule_id: string;
	customer_key: string;
	identities: string;
	unless_event: string | null;
	created_at: string;
	due_at: string;
}

/**
 * Claims the follow-ups that are due and returns them as `follow_up_due` events to evaluate. A
 * follow-up is dropped when the customer did its `unlessEvent` (bought, say) between scheduling
 * and the due time. Each row is claimed by one caller only (the UPDATE that marks it), so several
 * workers polling at once never emit one twice; the event's key is derived from the source event.
 */
export async function claimDueFollowUps(sql: SqlClient, programId: string, now: Date, limit = 500): Promise<RuleEvent[]> {
	const nowIso = now.toISOString();
	const rows = await sql.query<FollowUpRow>(
		`SELECT source_event_key, rule_id, customer_key, identities, unless_event, created_at, due_at FROM rule_follow_ups
		 WHERE program_id = $1 AND emitted_at IS NULL AND due_at <= $2 ORDER BY due_at, source_event_key, rule_id LIMIT ${Math.max(1, Math.floor(limit))}`,
		[programId, nowIso],
	);
	const events: RuleEvent[] = [];
	for (const row of rows) {
		let cancelled = false;
		if (row.unless_event) {
			const [seen] = await sql.query(`SELECT 1 AS seen FROM events WHERE customer_id = $1 AND type = $2 AND occurred_at > $3 AND occurred_at <= $4`, [row.customer_key, row.unless_event, row.created_at, row.due_at]);
			cancelled = seen !== undefined;
		}
		const claimed = await sql.execute('UPDATE rule_follow_ups SET emitted_at = $4, cancelled = $5 WHERE program_id = $1 AND source_event_key = $2 AND rule_id = $3 AND emitted_at IS NULL', [programId, row.source_event_key, row.rule_id, nowIso, cancelled ? 1 : 0]);
		if (claimed === 0 || cancelled) continue;
		events.push({
			type: 'follow_up_due',
			occurredAt: row.due_at,
			idempotencyKey: `follow_up:${row.source_event_key}:${row.rule_id}`,
			source: 'generic',
			customer: { identities: JSON.parse(row.identities) as Record<string, string> },
			data: { followUp: { ruleId: row.rule_id, sourceEventKey: row.source_event_key } },
		});
	}
	return events;
}
