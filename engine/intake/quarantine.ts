import { createHash } from 'node:crypto';
import { LoyaltyError } from '../model/errors';
import type { Store } from '../store/store';

/**
 * Signed deliveries that could not become events (a wrong field, an unknown currency, a refund of
 * an order never recorded, a vendor lookup that failed for good). They are acknowledged to the
 * sender, so the shop neither retries forever nor switches the webhook off, and kept here with
 * everything needed to process them again: the exact bytes, the headers that sign them and the URL
 * they were sent to. A replay sends them through the trigger again, so the same keys apply.
 */
export const QuarantineStatus = { Quarantined: 'quarantined', Replayed: 'replayed', Discarded: 'discarded' } as const;
export type QuarantineStatus = (typeof QuarantineStatus)[keyof typeof QuarantineStatus];

export interface QuarantineInput {
	source: string;
	workflowId?: string;
	nodeName?: string;
	deliveryId?: string;
	/** The URL the delivery was received on, with its query (CartFlows signs with a token there). */
	url?: string;
	/** Only the headers needed to verify and read it again. */
	headers: Record<string, string>;
	body: Buffer;
	error: { code: string; field?: string; message: string };
}

export interface QuarantinedDelivery {
	id: string;
	source: string;
	workflowId: string | null;
	nodeName: string | null;
	deliveryId: string | null;
	url: string | null;
	headers: Record<string, string>;
	body: Buffer;
	errorCode: string;
	errorField: string | null;
	errorMessage: string;
	firstSeenAt: string;
	lastSeenAt: string;
	timesSeen: number;
	status: QuarantineStatus;
	resolvedAt: string | null;
	resolution: string | null;
}

/** The same bytes from the same source are one quarantined delivery, however often they arrive. */
export function quarantineId(source: string, body: Buffer): string {
	return `${source}:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
}

/** Keeps a delivery that cannot be processed; a repeat of it only counts up and refreshes the error. */
export async function quarantineDelivery(store: Store, input: QuarantineInput, now: Date = new Date()): Promise<{ id: string; timesSeen: number }> {
	const id = quarantineId(input.source, input.body);
	const nowIso = now.toISOString();
	await store.db.execute(
		`INSERT INTO intake_quarantine (id, source, workflow_id, node_name, delivery_id, url, headers, body_base64, error_code, error_field, error_message, first_seen_at, last_seen_at, times_seen, status)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, '${QuarantineStatus.Quarantined}')
		 ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, times_seen = intake_quarantine.times_seen + 1, error_code = excluded.error_code,
			error_field = excluded.error_field, error_message = excluded.error_message, delivery_id = excluded.delivery_id, headers = excluded.headers, url = excluded.url,
			status = '${QuarantineStatus.Quarantined}', resolved_at = NULL, resolution = NULL`,
		[
			id,
			input.source,
			input.workflowId ?? null,
			input.nodeName ?? null,
			input.deliveryId ?? null,
			input.url ?? null,
			JSON.stringify(input.headers),
			input.body.toString('base64'),
			input.error.code,
			input.error.field ?? null,
			input.error.message.slice(0, 4000),
			nowIso,
		],
	);
	const [row] = await store.db.query<{ times_seen: number }>('SELECT times_seen FROM intake_quarantine WHERE id = $1', [id]);
	return { id, timesSeen: Number(row?.times_seen ?? 1) };
}

function fromRow(row: Record<string, unknown>): QuarantinedDelivery {
	return {
		id: String(row.id),
		source: String(row.source),
		workflowId: (row.workflow_id as string | null) ?? null,
		nodeName: (row.node_name as string | null) ?? null,
		deliveryId: (row.delivery_id as string | null) ?? null,
		url: (row.url as string | null) ?? null,
		headers: JSON.parse(String(row.headers)) as Record<string, string>,
		body: Buffer.from(String(row.body_base64), 'base64'),
		errorCode: String(row.error_code),
		errorField: (row.error_field as string | null) ?? null,
		errorMessage: String(row.error_message),
		firstSeenAt: String(row.first_seen_at),
		lastSeenAt: String(row.last_seen_at),
		timesSeen: Number(row.times_seen),
		status: String(row.status) as QuarantineStatus,
		resolvedAt: (row.resolved_at as string | null) ?? null,
		resolution: (row.resolution as string | null) ?? null,
	};
}

export async function listQuarantine(store: Store, options: { status?: QuarantineStatus | 'all'; limit?: number } = {}): Promise<QuarantinedDelivery[]> {
	const status = options.status ?? QuarantineStatus.Quarantined;
	const limit = options.limit ?? 100;
	const rows =
		status === 'all'
			? await store.db.query('SELECT * FROM intake_quarantine ORDER BY last_seen_at DESC, id LIMIT $1', [limit])
			: await store.db.query('SELECT * FROM intake_quarantine WHERE status = $1 ORDER BY last_seen_at DESC, id LIMIT $2', [status, limit]);
	return rows.map(fromRow);
}

export async function getQuarantined(store: Store, id: string): Promise<QuarantinedDelivery> {
	const [row] = await store.db.query('SELECT * FROM intake_quarantine WHERE id = $1', [id]);
	if (!row) throw LoyaltyError.notFound('id', `no quarantined delivery with id "${id}"`);
	return fromRow(row);
}

export async function countQuarantined(store: Store): Promise<number> {
	const [row] = await store.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM intake_quarantine WHERE status = '${QuarantineStatus.Quarantined}'`);
	return Number(row?.n ?? 0);
}

/**
 * A replayed delivery that now went through leaves the quarantine. (A shop that sends a fixed order
 * sends new bytes: that is a new delivery, and the old one is discarded by the owner.)
 */
export async function releaseFromQuarantine(store: Store, source: string, body: Buffer, resolution: string, now: Date = new Date()): Promise<boolean> {
	const changed = await store.db.execute(
		`UPDATE intake_quarantine SET status = '${QuarantineStatus.Replayed}', resolved_at = $2, resolution = $3 WHERE id = $1 AND status = '${QuarantineStatus.Quarantined}'`,
		[quarantineId(source, body), now.toISOString(), resolution],
	);
	return changed > 0;
}

/** The owner decides a delivery is not to be processed; it is kept, marked, and no longer counted. */
export async function discardQuarantined(store: Store, id: string, reason: string, now: Date = new Date()): Promise<QuarantinedDelivery> {
	const existing = await getQuarantined(store, id);
	if (existing.status === QuarantineStatus.Quarantined) {
		await store.db.execute(`UPDATE intake_quarantine SET status = '${QuarantineStatus.Discarded}', resolved_at = $2, resolution = $3 WHERE id = $1`, [id, now.toISOString(), reason.trim() || 'discarded by the owner']);
	}
	return getQuarantined(store, id);
}
