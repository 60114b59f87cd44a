/**
 * Keeps a customer's Square Loyalty balance equal to ours, for merchants whose customers see their
 * points in Square. Every ledger movement is mirrored as an exact adjustment keyed by the ledger's
 * own idempotency key, so a re-run never mirrors twice; reconcile reports and repairs any drift.
 */
import type { IDataObject } from 'n8n-workflow';

import { VendorApiError } from '../../../connectors/http';
import { squareDrift, squareMirrorKey, type SquareClient } from '../../../connectors/square';
import type { Balance, Store } from '../../../engine';

async function loyaltyAccountOf(store: Store, client: SquareClient, customerId: string): Promise<{ id: string; balance: number } | { skipped: string }> {
	const customer = await store.findCustomer({ customerId });
	const squareId = customer?.identities.square;
	if (!squareId) return { skipped: 'the customer has no Square customer id' };
	return (await client.findLoyaltyAccount(squareId)) ?? { skipped: 'the customer has no Square Loyalty account' };
}

/** Never throws for Square's sake: the points are already booked here, and reconcile repairs a failed mirror. */
export async function mirrorMovement(store: Store, client: SquareClient, result: { customerId: string; operation: string; idempotencyKey: string; change: { available: number } }): Promise<IDataObject> {
	if (result.change.available === 0) return { mirrored: false, skipped: 'no change in available points' };
	const mirror = async (): Promise<IDataObject> => {
		const account = await loyaltyAccountOf(store, client, result.customerId);
		if ('skipped' in account) return { mirrored: false, skipped: account.skipped };
		const idempotencyKey = squareMirrorKey(result.idempotencyKey);
		await client.adjustLoyaltyPoints({ loyaltyAccountId: account.id, points: result.change.available, reason: `n8n loyalty: ${result.operation}`, idempotencyKey, allowNegativeBalance: true });
		return { mirrored: true, points: result.change.available, idempotencyKey };
	};
	// Only Square's failures are reported in the item; a store failure still fails it.
	return await mirror().catch((error: unknown) => {
		if (error instanceof VendorApiError) return { mirrored: false, error: error.message, retryable: error.retryable };
		return Promise.reject(error);
	});
}

/** Compares our available points with Square's; with `repair`, adjusts Square to match. */
export async function reconcileCustomer(store: Store, client: SquareClient, balance: Balance, repair: boolean): Promise<IDataObject> {
	const account = await loyaltyAccountOf(store, client, balance.customerId);
	if ('skipped' in account) return { customerId: balance.customerId, operation: 'reconcileSquare', skipped: account.skipped };
	const square = (await client.retrieveLoyaltyAccount(account.id)).balance;
	const drift = squareDrift(balance.customerId, balance.available, square);
	if (!drift) return { customerId: balance.customerId, operation: 'reconcileSquare', ours: balance.available, square, drift: 0, repaired: false };
	if (repair) {
		await client.adjustLoyaltyPoints({ loyaltyAccountId: account.id, points: drift.adjustment, reason: 'n8n loyalty: reconcile', idempotencyKey: drift.idempotencyKey, allowNegativeBalance: true });
	}
	return { customerId: balance.customerId, operation: 'reconcileSquare', ours: drift.ours, square: drift.square, drift: drift.adjustment, repaired: repair };
}
