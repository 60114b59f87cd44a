import type { Identities } from '../model/customer';

/** Append-only movements. Balances are derived from them and cached per account. */
export const EntryKind = {
	Earn: 'earn',
	Pending: 'pending',
	Release: 'release',
	Redeem: 'redeem',
	Reverse: 'reverse',
	Expire: 'expire',
	Adjust: 'adjust',
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

export interface LedgerEntry {
	id: number;
	programId: string;
	customerId: string;
	kind: EntryKind;
	/** Change to spendable points. */
	availableDelta: number;
	/** Change to points still inside the return period. */
	pendingDelta: number;
	/** The operation that wrote this entry (its idempotency key). */
	operationKey: string;
	/** The earn/pending entry this movement draws from, for expiry and reversal bookkeeping. */
	lotId?: number;
	orderSource?: string;
	orderId?: string;
	/** Pending entries: when they become spendable. Earn/release entries: when they expire. */
	availableAt?: string;
	expiresAt?: string;
	reason?: string;
	createdAt: string;
}

export interface Balance {
	customerId: string;
	programId: string;
	available: number;
	pending: number;
	lifetimeEarned: number;
	tier?: string;
}

export const Operation = {
	Earn: 'earn',
	Reverse: 'reverse',
	Redeem: 'redeem',
	Adjust: 'adjust',
	RuleReward: 'rule_reward',
	ApproveHeld: 'approve_held',
	DeclineHeld: 'decline_held',
	/** Points that stay pending until a date of the caller's (a referral's advocate waits out the friend's return window). */
	AwardPending: 'award_pending',
	/** Takes back the still-pending points of an `award_pending` (the friend refunded within the window). */
	CancelPending: 'cancel_pending',
} as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

export interface LedgerResult {
	operation: Operation;
	customerId: string;
	idempotencyKey: string;
	/** True when this key was applied before: nothing was written, the original result is returned. */
	replay: boolean;
	change: { available: number; pending: number };
	balance: Balance;
	/** Reversals only: points that could not be taken back because the customer had already spent them. */
	shortfall?: number;
	/** Tier before and after, when the operation moved it. */
	tierChange?: { from?: string; to?: string };
	/** Earn only: the order would earn more than the program's ceiling, so nothing was credited until the owner approves. */
	held?: { points: number; reason: string; approvalKey: string };
	/** Approve / decline held points: what was decided, by whom. */
	decision?: { approvalKey: string; status: Exclude<HeldStatus, 'held'>; points: number; decidedBy: string; reason?: string };
	/** The stored program version whose settings applied (a replay returns the original's). */
	programVersion?: number;
}

export const HeldStatus = {
	Held: 'held',
	Approved: 'approved',
	Declined: 'declined',
} as const;
export type HeldStatus = (typeof HeldStatus)[keyof typeof HeldStatus];

/** Points an order would have earned, waiting for the owner's decision because they are above the ceiling. */
export interface HeldPoints {
	/** The key an owner approves or declines with ("held:" + the earn's idempotency key). */
	approvalKey: string;
	programId: string;
	customerId: string;
	/** The earn's idempotency key. */
	operationKey: string;
	orderSource: string;
	orderId: string;
	currency: string;
	totalMinor: number;
	points: number;
	reason: string;
	status: HeldStatus;
	heldAt: string;
	decisionKey?: string;
	decidedBy?: string;
	decisionReason?: string;
	decidedAt?: string;
}

/** Who a ledger call is about: the stored profile id, or any identity that resolves to it. */
export type CustomerRef = { customerId: string } | { identities: Identities };
