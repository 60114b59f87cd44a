import { createHash } from 'node:crypto';
import type { CustomerInput, IdentityKind, Identities } from '../model/customer';
import { identityPairs } from '../store/customers';
import type { SqlClient } from '../store/db';
import { logRequest, newRequestId, PrivacyRequestKind } from './requestLog';

/**
 * An erased person's identities are kept only as hashes: enough to recognise a later webhook
 * about them, not to read who they were. Emails are compared lowercased and phones in E.164,
 * as the store keeps them. The hash is not keyed: anyone who already knows an email can check
 * whether it was erased, and that check is exactly what this table is for.
 */
export function identityHash(kind: IdentityKind, value: string): string {
	const normalized = kind === 'email' ? value.trim().toLowerCase() : value.trim();
	return createHash('sha256').update(`n8n-loyalty erased identity\u0000${kind}\u0000${normalized}`).digest('hex');
}

export interface Suppression {
	requestId: string;
	suppressedAt: string;
}

export async function suppressIdentities(sql: SqlClient, identities: ReadonlyArray<{ kind: IdentityKind; value: string }>, requestId: string, at: string): Promise<number> {
	let count = 0;
	for (const { kind, value } of identities) {
		count += await sql.execute(
			`INSERT INTO privacy_suppressions (identity_hash, kind, request_id, suppressed_at) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (identity_hash) DO UPDATE SET request_id = excluded.request_id, suppressed_at = excluded.suppressed_at`,
			[identityHash(kind, value), kind, requestId, at],
		);
	}
	return count;
}

/** The erasures these identities fall under, one per request. */
export async function suppressionsOf(sql: SqlClient, identities: Identities): Promise<Suppression[]> {
	const hashes = identityPairs(identities).map(([kind, value]) => identityHash(kind, value));
	if (hashes.length === 0) return [];
	const rows = await sql.query<{ request_id: string; suppressed_at: string }>(
		`SELECT DISTINCT request_id, suppressed_at FROM privacy_suppressions WHERE identity_hash IN (${hashes.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY suppressed_at, request_id`,
		hashes,
	);
	return rows.map((row) => ({ requestId: row.request_id, suppressedAt: row.suppressed_at }));
}

/**
 * Asked by the store before it creates a profile or puts an identity on file (engine/features.ts
 * registers it): an erased person is refused, unless this very input carries a consent granted
 * after their erasure (a sign-up with consent, an SMS START). That consent lifts the erasure's
 * suppression for all its identities, and the lift is logged with the consent's source.
 */
export async function refuseSuppressedCustomer(sql: SqlClient, input: CustomerInput, now: string): Promise<string | undefined> {
	const suppressions = await suppressionsOf(sql, input.identities);
	if (suppressions.length === 0) return undefined;
	const grants = Object.entries(input.consent ?? {}).filter(([, record]) => record?.granted);
	const refused: Suppression[] = [];
	for (const suppression of suppressions) {
		const grant = grants.find(([, record]) => Date.parse(record.at) > Date.parse(suppression.suppressedAt));
		if (!grant) {
			refused.push(suppression);
			continue;
		}
		const [channel, record] = grant;
		const lifted = await sql.execute('DELETE FROM privacy_suppressions WHERE request_id = $1', [suppression.requestId]);
		await logRequest(sql, {
			id: newRequestId(),
			kind: PrivacyRequestKind.ConsentAgain,
			customerId: null,
			source: `consent: ${record.source} (${channel})`,
			requestedAt: now,
			outcome: 'lifted',
			detail: { erasureRequest: suppression.requestId, consentAt: record.at, identitiesLifted: lifted },
		});
	}
	if (refused.length === 0) return undefined;
	const when = refused.map((s) => s.suppressedAt.slice(0, 10)).join(', ');
	return `this person asked for their data to be erased (${when}); nothing is recorded for them until they sign up again with consent`;
}
