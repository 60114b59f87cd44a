import type { ConsentChannel, ConsentRecord, Customer, Identities } from '../model/customer';
import type { Db, Row, SqlClient } from '../store/db';
import { upsertCustomer } from '../store/customers';

export interface ConsentChange {
	identities: Identities;
	changes: Partial<Record<ConsentChannel, ConsentRecord>>;
	/** Derived from the source event (Twilio MessageSid, Klaviyo event id): a redelivered STOP is written once. */
	idempotencyKey: string;
}

export interface ConsentHistoryEntry extends ConsentRecord {
	channel: ConsentChannel;
	recordedAt: string;
}

/**
 * Records a grant or withdrawal: appended to the consent history and merged into the profile
 * (newest statement wins) in one transaction, so the profile never says what the history does not.
 */
export async function recordConsentChange(db: Db, change: ConsentChange, now: Date): Promise<{ customer: Customer; recorded: boolean }> {
	return db.transaction(async (sql) => {
		const customer = await upsertCustomer(sql, { identities: change.identities, consent: change.changes, tags: [] }, now.toISOString());
		let recorded = false;
		for (const [channel, record] of Object.entries(change.changes) as Array<[ConsentChannel, ConsentRecord]>) {
			const inserted = await sql.execute(
				`INSERT INTO delivery_consent_changes (idempotency_key, customer_id, channel, granted, at, source, wording_version, recorded_at)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING`,
				[`${change.idempotencyKey}:${channel}`, customer.id, channel, record.granted ? 1 : 0, record.at, record.source, record.wordingVersion ?? null, now.toISOString()],
			);
			recorded ||= inserted === 1;
		}
		return { customer, recorded };
	});
}

export async function consentHistory(sql: SqlClient, customerId: string): Promise<ConsentHistoryEntry[]> {
	const rows = await sql.query<Row & { channel: string; granted: number; at: string; source: string; wording_version: string | null; recorded_at: string }>(
		'SELECT channel, granted, at, source, wording_version, recorded_at FROM delivery_consent_changes WHERE customer_id = $1 ORDER BY at, channel',
		[customerId],
	);
	return rows.map((r) => ({ channel: r.channel as ConsentChannel, granted: Number(r.granted) === 1, at: r.at, source: r.source, ...(r.wording_version ? { wordingVersion: r.wording_version } : {}), recordedAt: r.recorded_at }));
}
