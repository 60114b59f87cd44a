import { forUpdate, type SqlClient } from '../store/db';

/** The referral feature's SQL: codes, referrals and marks (tables of engine/referral/migrations.ts). */

export interface ReferralRow {
	programId: string;
	orderSource: string;
	orderId: string;
	code: string;
	advocateId: string;
	friendId: string;
	status: ReferralStatus;
	reason?: ReferralRefusal;
	detail: string;
	friendPoints: number;
	advocatePoints: number;
	releaseAt: string;
	fingerprint: string;
	cancelKey?: string;
	createdAt: string;
	updatedAt: string;
}

export const ReferralStatus = {
	/** Both rewards credited, pending until the friend's return window has passed. */
	Rewarded: 'rewarded',
	/** A refund inside the window took the pending rewards back. */
	Cancelled: 'cancelled',
	/** A fraud check said no; nothing was credited. */
	Refused: 'refused',
} as const;
export type ReferralStatus = (typeof ReferralStatus)[keyof typeof ReferralStatus];

export const ReferralRefusal = {
	SelfReferral: 'self_referral',
	NotNew: 'not_new',
	TooMany: 'too_many',
} as const;
export type ReferralRefusal = (typeof ReferralRefusal)[keyof typeof ReferralRefusal];

/**
 * Friends this advocate brought whose first order was rewarded and not refunded inside the window
 * (refused and cancelled referrals do not count): the rules' `profile.referralCount`.
 */
export async function countReferralsBy(sql: SqlClient, programId: string, advocateId: string): Promise<number> {
	const [row] = await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM referrals WHERE program_id = $1 AND advocate_id = $2 AND status = $3', [programId, advocateId, ReferralStatus.Rewarded]);
	return Number(row?.n ?? 0);
}

export async function codeOfCustomer(sql: SqlClient, programId: string, customerId: string): Promise<string | undefined> {
	const [row] = await sql.query<{ code: string }>('SELECT code FROM referral_codes WHERE program_id = $1 AND customer_id = $2', [programId, customerId]);
	return row?.code;
}

/** Inserts the code unless the customer has one or the code is taken; true when it was inserted. */
export async function insertCode(sql: SqlClient, programId: string, customerId: string, code: string, now: string): Promise<boolean> {
	return (await sql.execute('INSERT INTO referral_codes (program_id, customer_id, code, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [programId, customerId, code, now])) > 0;
}

/** Which of `codes` exist, and whose they are; with `lock`, the rows stay locked until commit. */
export async function ownersOfCodes(sql: SqlClient, programId: string, codes: readonly string[], lock = false): Promise<Map<string, string>> {
	if (codes.length === 0) return new Map();
	const marks = codes.map((_, i) => `$${i + 2}`).join(', ');
	const rows = await sql.query<{ code: string; customer_id: string }>(`SELECT code, customer_id FROM referral_codes WHERE program_id = $1 AND code IN (${marks})${lock ? forUpdate(sql.dialect) : ''}`, [programId, ...codes]);
	return new Map(rows.map((row) => [row.code, row.customer_id]));
}

export async function getReferral(sql: SqlClient, programId: string, orderSource: string, orderId: string): Promise<ReferralRow | undefined> {
	const [row] = await sql.query(`SELECT * FROM referrals WHERE program_id = $1 AND order_source = $2 AND order_id = $3${forUpdate(sql.dialect)}`, [programId, orderSource, orderId]);
	return row ? fromRow(row) : undefined;
}

export async function insertReferral(sql: SqlClient, row: ReferralRow): Promise<void> {
	await sql.execute(
		`INSERT INTO referrals (program_id, order_source, order_id, code, advocate_id, friend_id, status, reason, detail, friend_points, advocate_points, release_at, fingerprint, cancel_key, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		[row.programId, row.orderSource, row.orderId, row.code, row.advocateId, row.friendId, row.status, row.reason ?? null, row.detail, row.friendPoints, row.advocatePoints, row.releaseAt, row.fingerprint, row.cancelKey ?? null, row.createdAt, row.updatedAt],
	);
}

/** Marks a rewarded referral cancelled by `cancelKey`; false when it was no longer rewarded. */
export async function cancelReferral(sql: SqlClient, row: Pick<ReferralRow, 'programId' | 'orderSource' | 'orderId'>, cancelKey: string, detail: string, now: string): Promise<boolean> {
	const changed = await sql.execute(
		`UPDATE referrals SET status = $1, cancel_key = $2, detail = $3, updated_at = $4 WHERE program_id = $5 AND order_source = $6 AND order_id = $7 AND status = $8`,
		[ReferralStatus.Cancelled, cancelKey, detail, now, row.programId, row.orderSource, row.orderId, ReferralStatus.Rewarded],
	);
	return changed > 0;
}

/** Rewarded referrals of an advocate since `since` (a cancelled one no longer counts). */
export async function rewardedSince(sql: SqlClient, programId: string, advocateId: string, since: string): Promise<number> {
	const [row] = await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM referrals WHERE program_id = $1 AND advocate_id = $2 AND status = $3 AND created_at >= $4', [programId, advocateId, ReferralStatus.Rewarded, since]);
	return Number(row.n);
}

/** Whether the friend was rewarded as a referred friend before (in any program). */
export async function wasReferredBefore(sql: SqlClient, friendId: string): Promise<boolean> {
	const rows = await sql.query('SELECT 1 FROM referrals WHERE friend_id = $1 AND status IN ($2, $3) LIMIT 1', [friendId, ReferralStatus.Rewarded, ReferralStatus.Cancelled]);
	return rows.length > 0;
}

/** The friend's paid orders other than this one, placed no later than it: any means the friend is not new. */
export async function earlierOrders(sql: SqlClient, customerId: string, orderSource: string, orderId: string, placedAt: string): Promise<number> {
	const [row] = await sql.query<{ n: number | string }>(
		`SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1 AND placed_at <= $2 AND status IN ('paid', 'refunded') AND NOT (source = $3 AND id = $4)`,
		[customerId, placedAt, orderSource, orderId],
	);
	return Number(row.n);
}

export async function saveMarks(sql: SqlClient, customerId: string, marks: ReadonlyArray<{ kind: string; hash: string }>, now: string): Promise<void> {
	for (const mark of marks) {
		await sql.execute('INSERT INTO referral_marks (customer_id, kind, value_hash, seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [customerId, mark.kind, mark.hash, now]);
	}
}

/** The kinds of `marks` the customer also has on file. */
export async function sharedMarks(sql: SqlClient, customerId: string, marks: ReadonlyArray<{ kind: string; hash: string }>): Promise<string[]> {
	const shared: string[] = [];
	for (const mark of marks) {
		const rows = await sql.query('SELECT 1 FROM referral_marks WHERE customer_id = $1 AND kind = $2 AND value_hash = $3', [customerId, mark.kind, mark.hash]);
		if (rows.length > 0) shared.push(mark.kind);
	}
	return shared;
}

export async function emailsOf(sql: SqlClient, customerId: string): Promise<string[]> {
	const rows = await sql.query<{ value: string }>("SELECT value FROM customer_identities WHERE customer_id = $1 AND kind = 'email'", [customerId]);
	return rows.map((row) => row.value);
}

function fromRow(row: Record<string, unknown>): ReferralRow {
	return {
		programId: String(row.program_id),
		orderSource: String(row.order_source),
		orderId: String(row.order_id),
		code: String(row.code),
		advocateId: String(row.advocate_id),
		friendId: String(row.friend_id),
		status: row.status as ReferralStatus,
		...(row.reason ? { reason: row.reason as ReferralRefusal } : {}),
		detail: String(row.detail),
		friendPoints: Number(row.friend_points),
		advocatePoints: Number(row.advocate_points),
		releaseAt: String(row.release_at),
		fingerprint: String(row.fingerprint),
		...(row.cancel_key ? { cancelKey: String(row.cancel_key) } : {}),
		createdAt: String(row.created_at),
		updatedAt: String(row.updated_at),
	};
}
