import { createHash } from 'node:crypto';
import { EventType, type LoyaltyEvent } from '../model/event';
import { LoyaltyError } from '../model/errors';
import type { Order, OrderInput } from '../model/order';
import { parseOrder } from '../model/parseOrder';
import { refundSchema, type RefundInput } from '../model/refund';
import { parseOrThrow } from '../model/validate';
import type { Ledger } from '../ledger/ledger';
import type { CustomerRef } from '../ledger/types';
import { canonicalJson } from '../ledger/fingerprint';
import { findCustomerIds, upsertCustomerId } from '../store/customers';
import type { SqlClient } from '../store/db';
import type { Store } from '../store/store';
import { candidateReferralCode, normalizeReferralCode, referralCodesInText } from './code';
import { referralLink, referralPolicySchema, type ReferralPolicy, type ReferralPolicyInput } from './policy';
import {
	cancelReferral,
	codeOfCustomer,
	earlierOrders,
	emailsOf,
	getReferral,
	insertCode,
	insertReferral,
	ownersOfCodes,
	ReferralRefusal,
	ReferralStatus,
	rewardedSince,
	saveMarks,
	sharedMarks,
	wasReferredBefore,
	type ReferralRow,
} from './rows';

const DAY_MS = 86_400_000;
/** Tries past the first derived code; each is taken by another customer with chance ≈ codes / 22 billion. */
const CODE_ATTEMPTS = 20;

/** What a customer hands to friends. */
export interface ReferralCode {
	customerId: string;
	code: string;
	/** The program's link with the code in it; absent when the program sets no link template. */
	link?: string;
	/** True for the one call that created the code. */
	created: boolean;
}

export const ReferralOutcomeStatus = {
	...ReferralStatus,
	/** The order carries no referral code (its coupons, if any, are ordinary ones). */
	NoCode: 'no_code',
	/** The order names a code that no customer has: nothing was written. */
	UnknownCode: 'unknown_code',
	/** Only a paid order can be a referral. */
	NotPaid: 'not_paid',
	/** A refund of an order that was no rewarded referral (or whose window has passed): nothing taken back. */
	Unchanged: 'unchanged',
} as const;
export type ReferralOutcomeStatus = (typeof ReferralOutcomeStatus)[keyof typeof ReferralOutcomeStatus];

/** What happened to one order or refund, with the reason a shop owner reads. */
export interface ReferralOutcome {
	status: ReferralOutcomeStatus;
	/** Why a referral was refused: self_referral, not_new or too_many. */
	reason?: ReferralRefusal;
	/** One sentence: what was decided and why. */
	message: string;
	order: { source: string; id: string };
	code?: string;
	advocateId?: string;
	friendId?: string;
	/** Points credited (pending until releaseAt), or taken back for a cancellation. */
	friendPoints?: number;
	advocatePoints?: number;
	releaseAt?: string;
	/** True when this order or refund was handled before: nothing was written again. */
	replay: boolean;
}

export interface ReferralsOptions {
	programId?: string;
	now?: () => Date;
}

/**
 * The referral program: codes, the friend's first paid order that carries one, and a refund that
 * cancels the rewards inside the friend's return window. Every write is keyed by the order (or
 * refund) that caused it; rewards go through the ledger, pending until the window has passed.
 */
export class Referrals {
	readonly policy: ReferralPolicy;
	readonly programId: string;
	private readonly now: () => Date;

	constructor(
		private readonly store: Store,
		private readonly ledger: Ledger,
		policy: ReferralPolicyInput = {},
		options: ReferralsOptions = {},
	) {
		this.policy = parseOrThrow(referralPolicySchema, policy, 'program.referral');
		this.programId = options.programId ?? ledger.program.id;
		this.now = options.now ?? (() => new Date());
	}

	/**
	 * The customer's code (and link), created on first request. The code is derived from the
	 * program and customer, so workers asking at once agree on it; it never changes afterwards.
	 */
	async codeFor(customer: CustomerRef): Promise<ReferralCode> {
		const nowIso = this.now().toISOString();
		return this.store.transaction(async (sql) => {
			const customerId = await existingCustomer(sql, customer);
			const known = await codeOfCustomer(sql, this.programId, customerId);
			if (known) return this.codeResult(customerId, known, false);
			for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
				const code = candidateReferralCode(this.programId, customerId, attempt);
				if (await insertCode(sql, this.programId, customerId, code, nowIso)) return this.codeResult(customerId, code, true);
				// Not inserted: either a concurrent call gave this customer a code, or another customer holds it.
				const mine = await codeOfCustomer(sql, this.programId, customerId);
				if (mine) return this.codeResult(customerId, mine, false);
			}
			throw new Error(`referral: no free code for customer ${customerId} after ${CODE_ATTEMPTS} tries`);
		});
	}

	private codeResult(customerId: string, code: string, created: boolean): ReferralCode {
		const link = referralLink(this.policy, code);
		return { customerId, code, ...(link ? { link } : {}), created };
	}

	/** Purchases are checked for a referral, refunds may cancel one; other events change nothing (null). */
	async applyEvent(event: LoyaltyEvent): Promise<ReferralOutcome | null> {
		if (event.type === EventType.Purchase && event.order) return this.applyOrder(event.order);
		if (event.type === EventType.Refund && event.refund) return this.applyRefund(event.refund);
		return null;
	}

	/**
	 * A paid order that carries an existing code (its referral code, a code in it, or a coupon
	 * with a code's name) makes its buyer a referred friend: checked for fraud, then both
	 * rewarded with points pending until the friend's return window has passed. An order without
	 * a code, or with a code nobody has, writes nothing and says so.
	 */
	async applyOrder(input: OrderInput): Promise<ReferralOutcome> {
		const order = parseOrder(input);
		const ref = { source: order.source, id: order.id };
		if (order.status !== 'paid') return { status: ReferralOutcomeStatus.NotPaid, message: `order ${order.id} is ${order.status}; only a paid order can be a referral`, order: ref, replay: false };
		const named = namedCodes(order);
		const nowIso = this.now().toISOString();
		const marks = marksOf(order);
		// Most orders carry no code and nothing to remember: answered without touching the store.
		if (named.all.length === 0 && named.written.length === 0 && marks.length === 0) return { status: ReferralOutcomeStatus.NoCode, message: `order ${order.id} carries no referral code`, order: ref, replay: false };
		const decided = await this.store.transaction(async (sql) => {
			const owners = await ownersOfCodes(sql, this.programId, named.all, true);
			const code = named.all.find((candidate) => owners.has(candidate));
			if (code === undefined && named.written.length > 0) {
				return { status: ReferralOutcomeStatus.UnknownCode, message: `order ${order.id}: the referral code "${named.written.join('", "')}" does not exist in program ${this.programId}; nothing was written`, order: ref, replay: false };
			}
			if (code === undefined) {
				await this.rememberMarks(sql, order, marks, nowIso);
				return { status: ReferralOutcomeStatus.NoCode, message: `order ${order.id} carries no referral code`, order: ref, replay: false };
			}
			const fingerprint = canonicalJson({ code, identities: order.customer.identities });
			const known = await getReferral(sql, this.programId, order.source, order.id);
			if (known) {
				if (known.fingerprint !== fingerprint) {
					throw LoyaltyError.keyReused('order.referralCode', `${order.source}:order:${order.id}`, `a referral with code ${known.code}`, `a referral with code ${code}`, known.code === code ? ['customer'] : ['code']);
				}
				return { ...outcomeOf(known), replay: true };
			}
			const advocateId = owners.get(code)!;
			const friendId = await upsertCustomerId(sql, order.customer, nowIso);
			const refusal = await this.refusal(sql, order, advocateId, friendId, marks, nowIso);
			await saveMarks(sql, friendId, marks, nowIso);
			const rewarded = refusal === undefined;
			const releaseAt = new Date(Date.parse(order.placedAt) + this.policy.returnWindowDays * DAY_MS).toISOString();
			const row: ReferralRow = {
				programId: this.programId,
				orderSource: order.source,
				orderId: order.id,
				code,
				advocateId,
				friendId,
				status: rewarded ? ReferralStatus.Rewarded : ReferralStatus.Refused,
				...(refusal ? { reason: refusal.reason } : {}),
				detail: refusal?.detail ?? `referred by code ${code}: ${this.policy.friendPoints} welcome points for the friend and ${this.policy.advocatePoints} for the advocate, pending until ${releaseAt}`,
				friendPoints: rewarded ? this.policy.friendPoints : 0,
				advocatePoints: rewarded ? this.policy.advocatePoints : 0,
				releaseAt,
				fingerprint,
				createdAt: nowIso,
				updatedAt: nowIso,
			};
			await insertReferral(sql, row);
			return { ...outcomeOf(row), replay: false };
		});
		// The rewards are keyed by the order: after a crash between the two, a replay credits what is missing, never twice.
		if (decided.status === ReferralStatus.Rewarded) await this.credit(decided);
		return decided;
	}

	/** The first fraud check that fails, with its reason; undefined when the referral stands. */
	private async refusal(sql: SqlClient, order: Order, advocateId: string, friendId: string, marks: Mark[], nowIso: string): Promise<{ reason: ReferralRefusal; detail: string } | undefined> {
		if (advocateId === friendId) return { reason: ReferralRefusal.SelfReferral, detail: `self-referral: order ${order.id} was placed by the code's own owner (same email, phone or shop account)` };
		const friendMailbox = order.customer.identities.email ? mailbox(order.customer.identities.email) : undefined;
		if (friendMailbox && (await emailsOf(sql, advocateId)).some((email) => mailbox(email) === friendMailbox)) {
			return { reason: ReferralRefusal.SelfReferral, detail: `self-referral: the friend's email is the advocate's own mailbox written differently (${order.customer.identities.email})` };
		}
		const shared = await sharedMarks(sql, advocateId, marks);
		if (shared.length > 0) return { reason: ReferralRefusal.SelfReferral, detail: `self-referral: the friend's ${shared.map((kind) => MARK_WORDS[kind] ?? kind).join(' and ')} ${shared.length > 1 ? 'are' : 'is'} the advocate's` };
		const earlier = await earlierOrders(sql, friendId, order.source, order.id, new Date(order.placedAt).toISOString());
		if (earlier > 0) return { reason: ReferralRefusal.NotNew, detail: `not a new customer: the friend had ${earlier} paid order${earlier > 1 ? 's' : ''} before order ${order.id}` };
		if (await wasReferredBefore(sql, friendId)) return { reason: ReferralRefusal.NotNew, detail: 'not a new customer: the friend was rewarded for a referral before' };
		const since = new Date(Date.parse(nowIso) - this.policy.periodDays * DAY_MS).toISOString();
		const count = await rewardedSince(sql, this.programId, advocateId, since);
		if (count >= this.policy.maxReferralsPerPeriod) return { reason: ReferralRefusal.TooMany, detail: `too many referrals: the advocate already brought ${count} in the last ${this.policy.periodDays} days (the program allows ${this.policy.maxReferralsPerPeriod})` };
		return undefined;
	}

	/** Remembers a buyer's address and card (hashed) even without a referral, so a later self-referral is seen. */
	private async rememberMarks(sql: SqlClient, order: Order, marks: Mark[], nowIso: string): Promise<void> {
		if (marks.length === 0) return;
		const ids = await findCustomerIds(sql, order.customer.identities);
		if (ids.length === 1) await saveMarks(sql, ids[0], marks, nowIso);
	}

	private async credit(outcome: ReferralOutcome): Promise<void> {
		const key = `referral:${outcome.order.source}:${outcome.order.id}`;
		const reason = `referral of order ${outcome.order.id} (code ${outcome.code})`;
		if (outcome.friendPoints) await this.ledger.awardPending({ customer: { customerId: outcome.friendId! }, points: outcome.friendPoints, availableAt: outcome.releaseAt!, idempotencyKey: `${key}:friend`, reason: `welcome: ${reason}` });
		if (outcome.advocatePoints) await this.ledger.awardPending({ customer: { customerId: outcome.advocateId! }, points: outcome.advocatePoints, availableAt: outcome.releaseAt!, idempotencyKey: `${key}:advocate`, reason });
	}

	/**
	 * A refund of a rewarded referral's order inside the friend's return window cancels both
	 * pending rewards; after the window, or for any other order, nothing changes (and it says why).
	 */
	async applyRefund(input: RefundInput): Promise<ReferralOutcome> {
		const refund = parseOrThrow(refundSchema, input, 'refund');
		const ref = { source: refund.source, id: refund.orderId };
		const cancelKey = `referral:${refund.source}:refund:${refund.id}`;
		const nowIso = this.now().toISOString();
		const decided = await this.store.transaction(async (sql): Promise<ReferralOutcome> => {
			const known = await getReferral(sql, this.programId, refund.source, refund.orderId);
			if (!known) return { status: ReferralOutcomeStatus.Unchanged, message: `order ${refund.orderId} was no referral; refund ${refund.id} changes no referral reward`, order: ref, replay: false };
			if (known.status === ReferralStatus.Cancelled) {
				if (known.cancelKey === cancelKey) return { ...outcomeOf(known), replay: true };
				return { ...outcomeOf(known), status: ReferralOutcomeStatus.Unchanged, message: `the referral of order ${refund.orderId} was already cancelled by an earlier refund`, replay: false };
			}
			if (known.status === ReferralStatus.Refused) return { ...outcomeOf(known), status: ReferralOutcomeStatus.Unchanged, message: `the referral of order ${refund.orderId} was refused, so refund ${refund.id} has no reward to take back`, replay: false };
			const refundedAt = new Date(refund.createdAt).toISOString();
			if (refundedAt > known.releaseAt) return { ...outcomeOf(known), status: ReferralOutcomeStatus.Unchanged, message: `refund ${refund.id} came after the return window ended (${known.releaseAt}); the referral rewards stand`, replay: false };
			const detail = `cancelled: order ${refund.orderId} was refunded (refund ${refund.id}) inside the return window`;
			await cancelReferral(sql, known, cancelKey, detail, nowIso);
			return { ...outcomeOf({ ...known, status: ReferralStatus.Cancelled, detail, cancelKey }), replay: false };
		});
		if (decided.status === ReferralStatus.Cancelled) await this.takeBack(decided, cancelKey);
		return decided;
	}

	private async takeBack(outcome: ReferralOutcome, cancelKey: string): Promise<void> {
		const key = `referral:${outcome.order.source}:${outcome.order.id}`;
		const reason = `order ${outcome.order.id} refunded inside the return window`;
		if (outcome.friendPoints) await this.ledger.cancelPending({ customer: { customerId: outcome.friendId! }, awardKey: `${key}:friend`, idempotencyKey: `${cancelKey}:friend`, reason });
		if (outcome.advocatePoints) await this.ledger.cancelPending({ customer: { customerId: outcome.advocateId! }, awardKey: `${key}:advocate`, idempotencyKey: `${cancelKey}:advocate`, reason });
	}
}

type Mark = { kind: string; hash: string };
const MARK_WORDS: Record<string, string> = { address: 'shipping address', payment: 'payment card' };

/** The order's shipping address and payment fingerprint, hashed: only ever compared. */
function marksOf(order: Order): Mark[] {
	const marks: Mark[] = [];
	const hash = (text: string) => createHash('sha256').update(text).digest('hex');
	if (order.shippingAddress) marks.push({ kind: 'address', hash: hash(order.shippingAddress.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()) });
	if (order.paymentFingerprint) marks.push({ kind: 'payment', hash: hash(order.paymentFingerprint) });
	return marks;
}

/** One mailbox however it is written: "ann.b+shop@gmail.com" and "annb@gmail.com" are the same person's. */
export function mailbox(email: string): string {
	const [local, domain = ''] = email.toLowerCase().split('@');
	const plain = local.split('+')[0];
	return `${domain === 'gmail.com' || domain === 'googlemail.com' ? plain.replace(/\./g, '') : plain}@${domain === 'googlemail.com' ? 'gmail.com' : domain}`;
}

/**
 * The codes an order names: what it carries as its referral code (a code, or a text with one in
 * it), then its coupons that have a code's shape. `written` is what the order offered as a
 * referral code, to name in an "unknown code" answer.
 */
function namedCodes(order: Order): { all: string[]; written: string[] } {
	const explicit = order.referralCode === undefined ? [] : normalizeReferralCode(order.referralCode) ? [normalizeReferralCode(order.referralCode)!] : referralCodesInText(order.referralCode);
	const coupons = (order.couponCodes ?? []).map((coupon) => normalizeReferralCode(coupon)).filter((code): code is string => code !== undefined);
	return { all: [...new Set([...explicit, ...coupons])], written: order.referralCode === undefined ? [] : [order.referralCode.trim()] };
}

function outcomeOf(row: ReferralRow): Omit<ReferralOutcome, 'replay'> {
	return {
		status: row.status,
		...(row.reason ? { reason: row.reason } : {}),
		message: row.detail,
		order: { source: row.orderSource, id: row.orderId },
		code: row.code,
		advocateId: row.advocateId,
		friendId: row.friendId,
		friendPoints: row.friendPoints,
		advocatePoints: row.advocatePoints,
		releaseAt: row.releaseAt,
	};
}

async function existingCustomer(sql: SqlClient, ref: CustomerRef): Promise<string> {
	if ('customerId' in ref) {
		const [row] = await sql.query('SELECT id FROM customers WHERE id = $1', [ref.customerId]);
		if (!row) throw LoyaltyError.notFound('customer.customerId', `no customer with id "${ref.customerId}"`);
		return ref.customerId;
	}
	const ids = await findCustomerIds(sql, ref.identities);
	if (ids.length === 0) throw LoyaltyError.notFound('customer', `no customer with ${Object.entries(ref.identities).map(([kind, value]) => `${kind} ${value}`).join(', ') || 'these identities'}`);
	if (ids.length > 1) throw LoyaltyError.invalid('customer', 'these identities belong to different customers');
	return ids[0];
}
