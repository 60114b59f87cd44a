import { createHash } from 'node:crypto';

/** Square's limit for loyalty idempotency keys. */
const MAX_KEY = 128;

/**
 * The Square key of one mirrored ledger movement, derived from the ledger's own idempotency key
 * (itself derived from the source event), so a re-run mirrors nothing twice. Keys that would be
 * too long keep a readable head and end in a digest of the whole.
 */
export function squareMirrorKey(ledgerIdempotencyKey: string, kind: 'mirror' | 'reconcile' = 'mirror'): string {
	const key = `loyalty:${kind}:${ledgerIdempotencyKey}`;
	if (key.length <= MAX_KEY) return key;
	const digest = createHash('sha256').update(key).digest('hex');
	return `${key.slice(0, MAX_KEY - digest.length - 1)}:${digest}`;
}

export interface SquareDrift {
	ours: number;
	square: number;
	/** Points to add on Square (negative: take away) so both agree. */
	adjustment: number;
	/** Derived from both balances: a reconcile retried against the same drift is not applied twice. */
	idempotencyKey: string;
}

/** What reconciling one customer means: nothing when the balances agree. */
export function squareDrift(customerId: string, ours: number, square: number): SquareDrift | undefined {
	if (ours === square) return undefined;
	return { ours, square, adjustment: ours - square, idempotencyKey: squareMirrorKey(`${customerId}:${ours}:${square}`, 'reconcile') };
}
