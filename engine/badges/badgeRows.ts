import type { SqlClient } from '../store/db';

/** A badge a decision gives a customer. */
export interface BadgeAwardInput {
	programId: string;
	customerId: string;
	badge: string;
	name: string;
	ruleId: string;
	/** The source event whose decision awards it: a replay of that event finds its own award. */
	eventKey: string;
	awardedAt: string;
}

/** A badge as it is listed with the balance. */
export interface EarnedBadge {
	badge: string;
	name: string;
	awardedAt: string;
	ruleId: string;
}

/**
 * Awards a badge once per customer: the first event to write the row wins, every other event
 * (a later one, or one decided at the same moment on another worker) writes nothing. `awarded`
 * is whether this event holds the award, so a replay of the winning event still says yes and
 * the losers say no. `written` is whether this call added the row.
 */
export async function awardBadge(sql: SqlClient, award: BadgeAwardInput): Promise<{ awarded: boolean; written: boolean }> {
	const written = await sql.execute(
		`INSERT INTO customer_badges (program_id, customer_id, badge, name, rule_id, event_key, awarded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		[award.programId, award.customerId, award.badge, award.name, award.ruleId, award.eventKey, award.awardedAt],
	);
	if (written > 0) return { awarded: true, written: true };
	const [row] = await sql.query<{ event_key: string }>('SELECT event_key FROM customer_badges WHERE program_id = $1 AND customer_id = $2 AND badge = $3', [award.programId, award.customerId, award.badge]);
	return { awarded: row?.event_key === award.eventKey, written: false };
}

/**
 * The customer's badges in the order they were earned. `exceptEventKey` leaves out the ones this
 * same event awarded, so a re-run of a workflow on it sees the state before its first run.
 */
export async function listBadges(sql: SqlClient, programId: string, customerId: string, options: { exceptEventKey?: string } = {}): Promise<EarnedBadge[]> {
	const params: unknown[] = [programId, customerId];
	let except = '';
	if (options.exceptEventKey !== undefined) {
		params.push(options.exceptEventKey);
		except = ' AND event_key <> $3';
	}
	const rows = await sql.query<{ badge: string; name: string; awarded_at: string; rule_id: string }>(
		`SELECT badge, name, awarded_at, rule_id FROM customer_badges WHERE program_id = $1 AND customer_id = $2${except} ORDER BY awarded_at, badge`,
		params,
	);
	return rows.map((row) => ({ badge: row.badge, name: row.name, awardedAt: row.awarded_at, ruleId: row.rule_id }));
}
