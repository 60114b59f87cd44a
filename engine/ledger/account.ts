import { lotExpiry, inactivityDeadline } from './expiry';
import { applyEntry, lotsFromEntries, spendOrder, type Lot } from './lots';
import type { ProgramConfig } from './program';
import { nextTier } from './tiers';
import type { EntryKind, LedgerEntry } from './types';
import { saveAccount, type AccountRow } from './accountRows';
import type { SqlClient } from '../store/db';
import { insertEntry, listEntries, type NewEntry } from './ledgerRows';
import { netSpendSince } from '../store/orders';

export interface EntryDraft {
	kind: EntryKind;
	availableDelta?: number;
	pendingDelta?: number;
	lotId?: number;
	orderSource?: string;
	orderId?: string;
	availableAt?: string;
	expiresAt?: string;
	reason?: string;
}

/** `lots_due_at` when no lot will ever mature or expire: sorts after every ISO instant. */
export const NOTHING_DUE = '9999-12-31T23:59:59.999Z';

/**
 * One customer's account inside a locked transaction: the cached balance row, its lots, and the
 * entries this operation writes. Every movement goes through `write`, which keeps the cache, the
 * lots and the entries in step.
 *
 * The history (entries, and the lots derived from them) is read only when a movement needs it:
 * spending draws from lots, maintenance runs only once `lots_due_at` has passed, refunds look up
 * an order's earn. A plain earn writes its entry without reading the account's past, so its cost
 * does not grow with the account's history.
 */
export class LockedAccount {
	/** What this transaction wrote to the account, in order (its ids are not needed, so not kept). */
	readonly written: NewEntry[] = [];
	private history?: { entries: LedgerEntry[]; lots: Map<number, Lot> };
	/** The earliest due instant of lots credited while the history was not read. */
	private creditedDueAt?: string;
	private nowText?: string;

	private constructor(
		readonly sql: SqlClient,
		readonly program: ProgramConfig,
		readonly row: AccountRow,
		readonly now: Date,
		/** Group commit: entries go here, to be inserted with the group's, instead of one by one. */
		private readonly deferred?: NewEntry[],
	) {}

	static async load(sql: SqlClient, program: ProgramConfig, row: AccountRow, now: Date): Promise<LockedAccount> {
		return new LockedAccount(sql, program, row, now);
	}

	/**
	 * An account whose entries are collected in `entries` and written later, all at once, by the
	 * caller (group commit). Only for movements that need no history: the caller checks
	 * `maintenanceDue` first, and a movement that would read the history fails instead.
	 */
	static deferring(sql: SqlClient, program: ProgramConfig, row: AccountRow, now: Date, entries: NewEntry[]): LockedAccount {
		return new LockedAccount(sql, program, row, now, entries);
	}

	/** All entries and lots of the account, this transaction's own writes included. */
	private async read(): Promise<{ entries: LedgerEntry[]; lots: Map<number, Lot> }> {
		if (this.deferred) throw new Error(`ledger: the account of ${this.customerId} was read back in a group commit, whose entries have no ids yet`);
		if (!this.history) {
			const entries = await listEntries(this.sql, this.program.id, this.customerId);
			this.history = { entries, lots: lotsFromEntries(entries) };
		}
		return this.history;
	}

	get customerId(): string {
		return this.row.customer_id;
	}

	get available(): number {
		return Number(this.row.available);
	}

	get pending(): number {
		return Number(this.row.pending);
	}

	get nowIso(): string {
		return (this.nowText ??= this.now.toISOString());
	}

	async write(draft: EntryDraft, operationKey: string): Promise<NewEntry> {
		const entry: NewEntry = {
			programId: this.program.id,
			customerId: this.customerId,
			kind: draft.kind,
			availableDelta: draft.availableDelta ?? 0,
			pendingDelta: draft.pendingDelta ?? 0,
			operationKey,
			lotId: draft.lotId,
			orderSource: draft.orderSource,
			orderId: draft.orderId,
			availableAt: draft.availableAt,
			expiresAt: draft.expiresAt,
			reason: draft.reason,
			createdAt: this.nowIso,
		};
		if (this.deferred) this.deferred.push(entry);
		this.written.push(entry);
		if (this.history) {
			const inserted = await insertEntry(this.sql, entry);
			this.history.entries.push(inserted);
			applyEntry(this.history.lots, inserted);
		} else {
			if (!this.deferred) await insertEntry(this.sql, entry);
			const due = entry.kind === 'pending' ? entry.availableAt : entry.kind === 'earn' || (entry.kind === 'adjust' && entry.availableDelta > 0) ? entry.expiresAt : undefined;
			if (due !== undefined && (this.creditedDueAt === undefined || due < this.creditedDueAt)) this.creditedDueAt = due;
		}
		this.row.available = this.available + entry.availableDelta;
		this.row.pending = this.pending + entry.pendingDelta;
		if (entry.kind === 'earn' || entry.kind === 'pending' || (entry.kind === 'adjust' && entry.availableDelta > 0)) {
			this.row.lifetime_earned = Number(this.row.lifetime_earned) + entry.availableDelta + entry.pendingDelta;
		}
		this.row.updated_at = this.nowIso;
		return entry;
	}

	/** Adds freshly earned points: pending through the return period, or spendable at once. */
	async credit(points: number, kind: 'earn' | 'adjust', operationKey: string, extra: Pick<EntryDraft, 'orderSource' | 'orderId' | 'reason'> = {}): Promise<void> {
		if (points <= 0) return;
		if (kind === 'earn' && this.program.pendingDays > 0) {
			const availableAt = new Date(this.now.getTime() + this.program.pendingDays * 86_400_000).toISOString();
			await this.write({ kind: 'pending', pendingDelta: points, availableAt, ...extra }, operationKey);
		} else {
			await this.write({ kind, availableDelta: points, expiresAt: lotExpiry(this.program.expiry, this.now, this.program.timeZone), ...extra }, operationKey);
		}
	}

	/** Credits points that stay pending until `availableAt`, whatever the program's return period. */
	async creditPendingUntil(points: number, availableAt: string, operationKey: string, reason: string): Promise<void> {
		if (points <= 0) return;
		await this.write({ kind: 'pending', pendingDelta: points, availableAt, reason }, operationKey);
	}

	/**
	 * Takes back what is still pending of the lot that `awardKey` credited; nothing once it was
	 * released (its date has passed) or when no such award was made. Returns the points taken back.
	 */
	async cancelPendingLot(awardKey: string, operationKey: string, reason: string): Promise<number> {
		const { entries, lots } = await this.read();
		const award = entries.find((entry) => entry.kind === 'pending' && entry.operationKey === awardKey);
		const lot = award ? lots.get(award.id) : undefined;
		if (!lot || lot.phase !== 'pending' || lot.remaining <= 0) return 0;
		const points = lot.remaining;
		await this.write({ kind: 'reverse', pendingDelta: -points, lotId: lot.id, reason }, operationKey);
		return points;
	}

	/**
	 * Takes points out, lot by lot: first the lots `prefer` selects (an order's own points for a
	 * refund, pending before available), then spendable lots by expiry. What no lot covers is
	 * taken as a negative balance when the program allows it, else reported as shortfall.
	 */
	async debit(points: number, kind: 'redeem' | 'reverse' | 'adjust', operationKey: string, extra: Pick<EntryDraft, 'orderSource' | 'orderId' | 'reason'> = {}, prefer: (lot: Lot) => boolean = () => false): Promise<{ taken: number; shortfall: number }> {
		let left = points;
		const { lots } = await this.read();
		const preferred = [...lots.values()].filter((lot) => lot.remaining > 0 && prefer(lot)).sort((a, b) => (a.phase === b.phase ? a.id - b.id : a.phase === 'pending' ? -1 : 1));
		const others = spendOrder(lots.values()).filter((lot) => !preferred.includes(lot));
		for (const lot of [...preferred, ...others]) {
			if (left === 0) break;
			const amount = Math.min(left, lot.remaining, lot.phase === 'available' ? Math.max(this.available, 0) : lot.remaining);
			if (amount <= 0) continue;
			await this.write(lot.phase === 'pending' ? { kind, pendingDelta: -amount, lotId: lot.id, ...extra } : { kind, availableDelta: -amount, lotId: lot.id, ...extra }, operationKey);
			left -= amount;
		}
		if (left > 0 && this.program.allowNegativeBalance) {
			await this.write({ kind, availableDelta: -left, ...extra }, operationKey);
			left = 0;
		}
		return { taken: points - left, shortfall: left };
	}

	/** Whether `maintain` has points to release or expire, for which it reads the history. */
	get maintenanceDue(): boolean {
		const now = this.nowIso;
		const deadline = inactivityDeadline(this.program.expiry, this.row.last_activity_at);
		const lotsDue = this.row.lots_due_at === null || this.row.lots_due_at <= now;
		return lotsDue || (deadline !== undefined && deadline <= now && this.available > 0);
	}

	/** Releases matured pending points, expires lapsed ones and applies a due tier review. */
	async maintain(): Promise<void> {
		if (this.maintenanceDue) await this.expireAndRelease(this.nowIso, inactivityDeadline(this.program.expiry, this.row.last_activity_at));
		await this.reviewTier(false);
	}

	private async expireAndRelease(now: string, deadline: string | undefined): Promise<void> {
		const { lots } = await this.read();
		for (const lot of [...lots.values()]) {
			if (lot.phase === 'pending' && lot.availableAt && lot.availableAt <= now) {
				// Expiry counts from when the points became spendable, not from when maintenance ran.
				const expiresAt = lotExpiry(this.program.expiry, new Date(lot.availableAt), this.program.timeZone);
				await this.write({ kind: 'release', availableDelta: lot.remaining, pendingDelta: -lot.remaining, lotId: lot.id, orderSource: lot.orderSource, orderId: lot.orderId, expiresAt }, `release:${lot.id}`);
			}
		}
		for (const lot of spendOrder(lots.values())) {
			const lapsed = (lot.expiresAt && lot.expiresAt <= now) || (deadline !== undefined && deadline <= now);
			const amount = Math.min(lot.remaining, Math.max(this.available, 0));
			if (!lapsed || amount <= 0) continue;
			await this.write({ kind: 'expire', availableDelta: -amount, lotId: lot.id, reason: lot.expiresAt && lot.expiresAt <= now ? `expired ${lot.expiresAt}` : `inactive since ${this.row.last_activity_at}` }, `expire:${lot.id}`);
		}
	}

	/** A tier given by a rule; it counts as a review, so the policy looks again at the next one. */
	setTier(tier: string): void {
		this.row.tier = tier;
		this.row.tier_reviewed_at = this.nowIso;
	}

	touchActivity(): void {
		this.row.last_activity_at = this.nowIso;
	}

	/** Re-evaluates the tier; `changed` forces a look for an upgrade after earning or a refund. */
	async reviewTier(changed: boolean): Promise<{ from?: string; to?: string } | undefined> {
		const policy = this.program.tiers;
		if (!policy) return undefined;
		const reviewDue = !this.row.tier_reviewed_at || this.now.getTime() >= Date.parse(this.row.tier_reviewed_at) + policy.reviewEveryDays * 86_400_000;
		if (!changed && !reviewDue) return undefined;
		const since = new Date(this.now.getTime() - policy.windowDays * 86_400_000).toISOString();
		const qualifying = policy.basis === 'spend' ? await netSpendSince(this.sql, this.customerId, since, Object.keys(this.program.earnRates)[0] ?? 'USD') : await this.pointsEarnedSince(since);
		const from = this.row.tier ?? undefined;
		const next = nextTier(policy, this.row.tier, this.row.tier_reviewed_at, qualifying, this.now);
		if (next.reviewed) this.row.tier_reviewed_at = this.nowIso;
		this.row.tier = next.tier ?? null;
		return from !== next.tier ? { from, to: next.tier } : undefined;
	}

	private async pointsEarnedSince(since: string): Promise<number> {
		let total = 0;
		for (const entry of (await this.read()).entries) {
			if (entry.createdAt < since) continue;
			if (entry.kind === 'earn' || entry.kind === 'pending' || entry.kind === 'reverse') total += entry.availableDelta + entry.pendingDelta;
		}
		return total;
	}

	/** Points an order earned (pending or spendable), from its own entries. */
	async earnedForOrder(source: string, orderId: string): Promise<number> {
		return (await this.read()).entries
			.filter((e) => (e.kind === 'earn' || e.kind === 'pending') && e.orderSource === source && e.orderId === orderId)
			.reduce((sum, e) => sum + e.availableDelta + e.pendingDelta, 0);
	}

	async save(): Promise<void> {
		await saveAccount(this.sql, this.settle());
	}

	/** The row as it is to be saved: the cached balance and when maintenance is next due. */
	settle(): AccountRow {
		this.row.lots_due_at = this.history ? dueAt(this.history.lots) : earlier(this.row.lots_due_at, this.creditedDueAt);
		return this.row;
	}
}

/**
 * When `maintain` may next have work: the soonest a pending lot matures (released even when spent
 * down to zero, as `maintain` does) or a spendable lot with points left expires.
 */
function dueAt(lots: Map<number, Lot>): string {
	let due = NOTHING_DUE;
	for (const lot of lots.values()) {
		const at = lot.phase === 'pending' ? lot.availableAt : lot.remaining > 0 ? lot.expiresAt : undefined;
		if (at !== undefined && at < due) due = at;
	}
	return due;
}

/** The earlier of a stored due instant and a newly credited one; null (unknown) stays unknown. */
function earlier(stored: string | null, credited: string | undefined): string | null {
	if (stored === null || credited === undefined) return stored;
	return credited < stored ? credited : stored;
}
