import type { LedgerEntry } from './types';

/**
 * A lot is one batch of earned points (an earn, a pending earn, or a positive adjustment) and
 * what is left of it. Spending, expiry and reversals draw from lots, which is how we know which
 * points expire when and which points an order's refund takes back.
 */
export interface Lot {
	id: number;
	phase: 'pending' | 'available';
	remaining: number;
	availableAt?: string;
	expiresAt?: string;
	orderSource?: string;
	orderId?: string;
	createdAt: string;
}

export function lotsFromEntries(entries: readonly LedgerEntry[]): Map<number, Lot> {
	const lots = new Map<number, Lot>();
	for (const entry of entries) applyEntry(lots, entry);
	return lots;
}

/** Updates the lots for one more entry, in the order entries were written. */
export function applyEntry(lots: Map<number, Lot>, entry: LedgerEntry): void {
	switch (entry.kind) {
		case 'pending':
			lots.set(entry.id, {
				id: entry.id,
				phase: 'pending',
				remaining: entry.pendingDelta,
				availableAt: entry.availableAt,
				orderSource: entry.orderSource,
				orderId: entry.orderId,
				createdAt: entry.createdAt,
			});
			break;
		case 'earn':
			lots.set(entry.id, {
				id: entry.id,
				phase: 'available',
				remaining: entry.availableDelta,
				expiresAt: entry.expiresAt,
				orderSource: entry.orderSource,
				orderId: entry.orderId,
				createdAt: entry.createdAt,
			});
			break;
		case 'adjust':
			if (entry.availableDelta > 0) {
				lots.set(entry.id, { id: entry.id, phase: 'available', remaining: entry.availableDelta, expiresAt: entry.expiresAt, createdAt: entry.createdAt });
				break;
			}
			drawFrom(lots, entry);
			break;
		case 'release': {
			const lot = entry.lotId !== undefined ? lots.get(entry.lotId) : undefined;
			if (lot) {
				lot.phase = 'available';
				lot.expiresAt = entry.expiresAt;
			}
			break;
		}
		default:
			drawFrom(lots, entry);
	}
}

function drawFrom(lots: Map<number, Lot>, entry: LedgerEntry): void {
	if (entry.lotId === undefined) return; // drawn beyond all lots (a negative balance the program allows)
	const lot = lots.get(entry.lotId);
	if (lot) lot.remaining += entry.availableDelta + entry.pendingDelta;
}

/** Available lots in the order they are spent: soonest expiry first, then oldest. */
export function spendOrder(lots: Iterable<Lot>): Lot[] {
	return [...lots]
		.filter((lot) => lot.phase === 'available' && lot.remaining > 0)
		.sort((a, b) => (a.expiresAt ?? '\uffff').localeCompare(b.expiresAt ?? '\uffff') || a.id - b.id);
}
