import { randomUUID } from 'node:crypto';
import { LoyaltyError } from '../model/errors';
import type { Row, SqlClient } from '../store/db';

export const PrivacyRequestKind = {
	Export: 'export',
	Erase: 'erase',
	/** A person erased before consented again: their identities are no longer refused. */
	ConsentAgain: 'consent_again',
} as const;
export type PrivacyRequestKind = (typeof PrivacyRequestKind)[keyof typeof PrivacyRequestKind];

/** One line of the privacy request log. It never holds an identity: after an erasure, only the pseudonym. */
export interface PrivacyRequest {
	id: string;
	kind: PrivacyRequestKind;
	/** The customer exported, the pseudonym of the customer erased; null when the request found nobody to name. */
	customerId: string | null;
	/** Who asked: `cli`, or `n8n: <workflow> / <node>`, or the consent's source. */
	source: string;
	requestedAt: string;
	/** `exported`, `erased`, `already_erased`, `lifted`. */
	outcome: string;
	/** What it found, removed and kept, per table. */
	detail: Record<string, unknown>;
}

interface RequestRow extends Row {
	id: string;
	kind: string;
	customer_id: string | null;
	source: string;
	requested_at: string;
	outcome: string;
	detail: string;
}

/** The source a request names; required, so every line of the log says who asked. */
export function requestSource(source: unknown): string {
	const text = typeof source === 'string' ? source.trim() : '';
	if (!text) throw LoyaltyError.invalid('source', 'say who asks (for example "cli" or "n8n: <workflow> / <node>"): every privacy request is logged with its source');
	return text.slice(0, 300);
}

export function newRequestId(): string {
	return `privacy_${randomUUID()}`;
}

export async function logRequest(sql: SqlClient, request: PrivacyRequest): Promise<void> {
	await sql.execute('INSERT INTO privacy_requests (id, kind, customer_id, source, requested_at, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
		request.id,
		request.kind,
		request.customerId,
		request.source,
		request.requestedAt,
		request.outcome,
		JSON.stringify(request.detail),
	]);
}

export async function latestErasure(sql: SqlClient, pseudonym: string): Promise<PrivacyRequest | undefined> {
	const [row] = await sql.query<RequestRow>(`SELECT * FROM privacy_requests WHERE customer_id = $1 AND kind = $2 AND outcome = 'erased' ORDER BY requested_at DESC LIMIT 1`, [pseudonym, PrivacyRequestKind.Erase]);
	return row ? requestOf(row) : undefined;
}

export async function requestById(sql: SqlClient, id: string): Promise<PrivacyRequest | undefined> {
	const [row] = await sql.query<RequestRow>('SELECT * FROM privacy_requests WHERE id = $1', [id]);
	return row ? requestOf(row) : undefined;
}

/** The log, newest first; for one customer (or pseudonym) when given. */
export async function listPrivacyRequests(sql: SqlClient, options: { customerId?: string; limit?: number } = {}): Promise<PrivacyRequest[]> {
	const limit = Math.max(1, Math.min(Math.floor(options.limit ?? 100), 10_000));
	const rows = options.customerId
		? await sql.query<RequestRow>(`SELECT * FROM privacy_requests WHERE customer_id = $1 ORDER BY requested_at DESC, id LIMIT ${limit}`, [options.customerId])
		: await sql.query<RequestRow>(`SELECT * FROM privacy_requests ORDER BY requested_at DESC, id LIMIT ${limit}`);
	return rows.map(requestOf);
}

function requestOf(row: RequestRow): PrivacyRequest {
	return {
		id: row.id,
		kind: row.kind as PrivacyRequestKind,
		customerId: row.customer_id,
		source: row.source,
		requestedAt: row.requested_at,
		outcome: row.outcome,
		detail: JSON.parse(row.detail) as Record<string, unknown>,
	};
}
