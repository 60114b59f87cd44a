import type { Row, SqlClient } from '../store/db';
import { mentionsCustomer, type CustomerSubject, type UnnamedRows } from '../store/erasure';

interface QuarantineRow extends Row {
	id: string;
	source: string;
	url: string | null;
	headers: string;
	body_base64: string;
	error_message: string;
	delivery_id: string | null;
	first_seen_at: string;
	status: string;
}

/** Quarantined deliveries whose raw bytes (billing address and all), URL, headers or error name the person. */
async function quarantinedAbout(sql: SqlClient, subject: CustomerSubject): Promise<QuarantineRow[]> {
	const rows = await sql.query<QuarantineRow>('SELECT id, source, url, headers, body_base64, error_message, delivery_id, first_seen_at, status FROM intake_quarantine ORDER BY first_seen_at, id');
	return rows.filter((row) => [Buffer.from(row.body_base64, 'base64').toString('utf8'), row.url ?? '', row.headers, row.error_message, row.delivery_id ?? ''].some((text) => mentionsCustomer(text, subject)));
}

/**
 * What intake holds about a person without naming them in a customer column: quarantined
 * deliveries about them, and the deliveries of their events still owed to (or parked by) a
 * workflow, which an erasure removes so no workflow runs on a person who is gone.
 */
export const INTAKE_UNNAMED_ROWS: UnnamedRows = {
	async find(sql, subject) {
		const quarantined = await quarantinedAbout(sql, subject);
		return { intake_quarantine: quarantined.map(({ body_base64, ...row }) => ({ ...row, body: Buffer.from(body_base64, 'base64').toString('utf8') })) };
	},
	async erase(sql, erasure) {
		const deliveries = await sql.execute('DELETE FROM event_deliveries WHERE event_id IN (SELECT id FROM events WHERE customer_id = $1)', [erasure.customerId]);
		let quarantined = 0;
		for (const row of await quarantinedAbout(sql, erasure)) quarantined += await sql.execute('DELETE FROM intake_quarantine WHERE id = $1', [row.id]);
		return { event_deliveries: deliveries, intake_quarantine: quarantined };
	},
};
