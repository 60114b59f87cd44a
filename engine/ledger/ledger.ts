import { z } from 'zod';
import { identitiesSchema } from '../model/customer';
import { idSchema, idText } from '../model/ids';
import { isoInstant } from '../model/instant';
import { ErrorCode, LoyaltyError } from '../model/errors';
import { EventType, type LoyaltyEvent } from '../model/event';
import { minorToDecimalString } from '../model/money';
import { type OrderInput } from '../model/order';
import { parseOrder } from '../model/parseOrder';
import { refundSchema, type RefundInput } from '../model/refund';
import { parseOrThrow } from '../model/validate';
import { balanceOf, lockAccount } from './accountRows';
import { findCustomerIds, upsertCustomerId } from '../store/customers';
import type { SqlClient } from '../store/db';
import { decideHeld, findOperation, getHeld, insertHeld, listHeldRows, listRecentEntries, saveOperation } from './ledgerRows';
import { getOrder, recordRefund, upsertOrder } from '../store/orders';
import type { Clock, Store } from '../store/store';
import { LockedAccount } from './account';
import { earnGroup, type EarnOutcome, type EarnRequest, type PreparedEarn } from './earnGroup';

export type { EarnOutcome, EarnRequest } from './earnGroup';
import { pointsForAmount, pointsToReverse } from './points';
import { parseProgram, type ProgramConfig, type ProgramInput } from './program';
import { assertSameLedgerRequest, canonicalJson, earnRequestJson, type LedgerRequest } from './fingerprint';
import { HeldStatus, Operation, type Balance, type CustomerRef, type HeldPoints, type LedgerEntry, type LedgerResult } from './types';

const customerRefSchema = z.union([z.object({ customerId: idSchema }), z.object({ identities: identitiesSchema })]);
const idempotencyKeySchema = idText(z.string().trim().min(1, 'is required: use an id from the event that caused this (order id, message id), so a retry is recognised'));

const heldDecisionSchema = z.object({
	approvalKey: idText(z.string().trim().min(1, 'is required: the approvalKey the held result or List Held Points gave')),
	idempotencyKey: idempotencyKeySchema.optional(),
	decidedBy: z.string().trim().min(1, 'is required: say who decided, so the history shows it').max(255, 'must be at most 255 characters'),
	reason: z.string().trim().optional(),
});
type HeldDecisionInput = z.input<typeof heldDecisionSchema>;

const listHeldSchema = z.object({
	status: z.enum([HeldStatus.Held, HeldStatus.Approved, HeldStatus.Declined, 'all']).default(HeldStatus.Held),
	customer: customerRefSchema.optional(),
	limit: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(100),
});

const redeemSchema = z.object({
	customer: customerRefSchema,
	points: z.number().int('must be a whole number').positive('must be more than zero'),
	idempotencyKey: idempotencyKeySchema,
	reason: z.string().optional(),
});

const adjustSchema = z.object({
	customer: customerRefSchema,
	points: z.number().int('must be a whole number').refine((p) => p !== 0, 'must not be zero'),
	idempotencyKey: idempotencyKeySchema,
	reason: z.string().trim().min(1, 'is required: say why the balance is adjusted'),
});

const ruleRewardSchema = z
	.object({
		customer: customerRefSchema,
		points: z.number().int('must be a whole number').nonnegative('must not be negative'),
		tier: z.string().trim().min(1).optional(),
		idempotencyKey: idempotencyKeySchema,
		reason: z.string().trim().min(1, 'is required: say which rule gives the reward'),
	})
	.refine((r) => r.points > 0 || r.tier !== undefined, { message: 'gives neither points nor a tier', path: ['points'] });

const pendingAwardSchema = z.object({
	customer: customerRefSchema,
	points: z.number().int('must be a whole number').positive('must be more than zero'),
	// Stored as UTC text, which is how the ledger compares instants.
	availableAt: isoInstant.transform((value) => new Date(value).toISOString()),
	idempotencyKey: idempotencyKeySchema,
	reason: z.string().trim().min(1, 'is required: say why the points are given'),
});

const pendingCancelSchema = z.object({
	customer: customerRefSchema,
	awardKey: idempotencyKeySchema,
	idempotencyKey: idempotencyKeySchema,
	reason: z.string().trim().min(1, 'is required: say why the points are taken back'),
});

type Resolve = (sql: SqlClient, nowIso: string) => Promise<string>;
type Apply = (account: LockedAccount) => Promise<Pick<LedgerResult, 'shortfall' | 'held' | 'decision'> | void>;

const grouped = (n: number) => n.toLocaleString('en-US');


/** Orders of one customer sort together; what cannot be read sorts first and fails in its own turn. */
function customerSortKey(order: OrderInput): string {
	const identities = (order as { customer?: { identities?: Record<string, unknown> } }).customer?.identities;
	return identities && typeof identities === 'object' ? JSON.stringify(Object.entries(identities).sort()) : '';
}

/**
 * The points ledger of one program. Every write is one transaction that locks the customer's
 * account, is keyed by an idempotency key derived from the source event, and stores its result:
 * a replay of the key returns that result and writes nothing (Stripe's idempotency design).
 */
export class Ledger {
	readonly program: ProgramConfig;
	private readonly store: Store;
	private readonly now: Clock;

	constructor(store: Store, program: ProgramInput = {}, options: { now?: Clock } = {}) {
		this.store = store;
		this.program = parseProgram(program);
		this.now = options.now ?? (() => new Date());
	}

	/** Purchases earn, refunds reverse; any other event changes no points and returns null. */
	async applyEvent(event: LoyaltyEvent): Promise<LedgerResult | null> {
		if (event.type === EventType.Purchase) {
			if (!event.order) throw LoyaltyError.invalid('event.order', 'a purchase event must carry its order');
			return this.earnForOrder(event.order, { idempotencyKey: event.idempotencyKey });
		}
		if (event.type === EventType.Refund) {
			if (!event.refund) throw LoyaltyError.invalid('event.refund', 'a refund event must carry its refund');
			return this.reverseForRefund(event.refund, { idempotencyKey: event.idempotencyKey });
		}
		return null;
	}

	async earnForOrder(input: OrderInput, options: { idempotencyKey?: string } = {}): Promise<LedgerResult> {
		return this.earnIn(undefined, input, options);
	}

	/**
	 * Group commit: earns for many orders with one commit for the lot instead of one each, and
	 * writes them with a few multi-row statements (engine/ledger/earnGroup.ts). Each order keeps
	 * its own key and checks exactly as `earnForOrder`: a replay earns nothing twice, a key reused
	 * for a different request is refused (that order alone), and an order that cannot be read
	 * fails alone before anything is written. The orders are taken in customer order and the
	 * accounts locked in one statement, so concurrent groups wait for each other instead of
	 * deadlocking. When anything else fails, nothing of the group is kept and every order is done
	 * again on its own, so each gets its own result or its own error. Outcomes come back in the
	 * order of `inputs`.
	 *
	 * `untilFirstFailure` is for a caller that stops at its first failed order (an n8n node without
	 * Continue On Fail): when any order fails, nothing of the group is kept, the orders are done
	 * one by one in the order given, and the outcomes end with the first that failed, as if each
	 * had been earned in turn and the caller had stopped there.
	 */
	async earnForOrders(inputs: readonly EarnRequest[], options: { untilFirstFailure?: boolean } = {}): Promise<EarnOutcome[]> {
		const outcomes: EarnOutcome[] = new Array(inputs.length);
		const group: Array<{ index: number; earn: PreparedEarn; customer: string }> = [];
		inputs.forEach((input, index) => {
			try {
				const earn = this.prepareEarn(input.order, input);
				group.push({ index, earn, customer: customerSortKey(earn.order) });
			} catch (error) {
				outcomes[index] = failed(error);
			}
		});
		const alone = options.untilFirstFailure && group.length < inputs.length;
		if (group.length === 0 && !alone) return outcomes;
		group.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : a.index - b.index));
		try {
			if (alone) throw new Error('an order failed: each is done alone, in turn');
			const done = await this.store.transaction(async (sql) => {
				const booked = await earnGroup(sql, this.program, this.now(), group.map((g) => g.earn), {
					book: (account, earn) => this.book(account, earn.key, earn.request, this.earnWork(earn, undefined)),
					bookAlone: (batch, earn) => this.earnPrepared(batch, earn),
				});
				// The caller stops at its first failure, so nothing after it may be kept.
				if (options.untilFirstFailure && booked.some((outcome) => !outcome.ok)) throw new Error('an order failed: each is done alone, in turn');
				return booked;
			});
			done.forEach((outcome, i) => (outcomes[group[i].index] = outcome));
			return outcomes;
		} catch {
			if (options.untilFirstFailure) return this.eachUntilFailure(inputs);
			for (const { index, earn } of group) {
				try {
					outcomes[index] = { ok: true, result: await this.earnPrepared(undefined, earn) };
				} catch (error) {
					outcomes[index] = failed(error);
				}
			}
			return outcomes;
		}
	}

	/** One order at a time, in the order given, up to and including the first that fails. */
	private async eachUntilFailure(inputs: readonly EarnRequest[]): Promise<EarnOutcome[]> {
		const outcomes: EarnOutcome[] = [];
		for (const input of inputs) {
			try {
				outcomes.push({ ok: true, result: await this.earnForOrder(input.order, input) });
			} catch (error) {
				outcomes.push(failed(error));
				break;
			}
		}
		return outcomes;
	}

	private async earnIn(batch: SqlClient | undefined, input: OrderInput, options: { idempotencyKey?: string }): Promise<LedgerResult> {
		return this.earnPrepared(batch, this.prepareEarn(input, options));
	}

	/** An order checked and turned into what its key stands for, before anything is read or written. */
	private prepareEarn(input: OrderInput, options: { idempotencyKey?: string }): PreparedEarn {
		const order = parseOrder(input);
		if (order.status !== 'paid') throw LoyaltyError.invalid('order.status', `is "${order.status}"; only paid orders earn points`);
		const rate = this.program.earnRates[order.currency];
		if (!rate) throw LoyaltyError.invalid('order.currency', `the program has no earn rate for ${order.currency}; set the program's Currency to it (Loyalty Program node)`);
		const key = options.idempotencyKey === undefined ? `${order.source}:order:${order.id}:paid` : parseOrThrow(idempotencyKeySchema, options.idempotencyKey, 'idempotencyKey');
		const request = {
			operation: Operation.Earn,
			customer: { identities: order.customer.identities },
			order: { source: order.source, id: order.id, currency: order.currency, amountMinor: order.totalMinor },
		} satisfies LedgerRequest;
		return { order, key, points: pointsForAmount(order.totalMinor, rate, this.program.rounding), request, fingerprint: earnRequestJson(request) };
	}

	private earnPrepared(batch: SqlClient | undefined, earn: PreparedEarn): Promise<LedgerResult> {
		return this.operate(batch, earn.key, earn.request, (sql, nowIso) => upsertCustomerId(sql, earn.order.customer, nowIso), this.earnWork(earn, upsertOrder));
	}

	/**
	 * What an earn does to the locked account: records the order (`recordOrder`; undefined when
	 * the group writes its orders together), then holds the points above the program's ceiling
	 * or credits them.
	 */
	private earnWork(earn: PreparedEarn, recordOrder: typeof upsertOrder | undefined): Apply {
		const { order, key, points } = earn;
		const ceiling = this.program.maxPointsPerOrder;
		return async (account) => {
			if (recordOrder) await recordOrder(account.sql, order, account.customerId, account.nowIso);
			if (ceiling > 0 && points > ceiling) {
				const held = { points, approvalKey: `held:${key}`, reason: `order ${order.id} would earn ${grouped(points)} points, above the program's ceiling of ${grouped(ceiling)} per order` };
				await insertHeld(account.sql, {
					...held,
					programId: this.program.id,
					customerId: account.customerId,
					operationKey: key,
					orderSource: order.source,
					orderId: order.id,
					currency: order.currency,
					totalMinor: order.totalMinor,
					heldAt: account.nowIso,
				});
				return { held };
			}
			await account.credit(points, 'earn', key, { orderSource: order.source, orderId: order.id, reason: `order ${order.id}` });
			account.touchActivity();
			return undefined;
		};
	}

	/**
	 * The owner says yes to points held above the ceiling: they are credited as an earn for that
	 * order (pending through the return period like any earn), so a later refund reverses its
	 * share. A refund that arrived while they were held is taken back at once.
	 */
	async approveHeld(input: HeldDecisionInput): Promise<LedgerResult> {
		const request = parseOrThrow(heldDecisionSchema, input, '');
		const key = request.idempotencyKey ?? `approve:${request.approvalKey}`;
		return this.operate(undefined, key, { operation: Operation.ApproveHeld, approvalKey: request.approvalKey }, this.heldCustomer(request.approvalKey), async (account) => {
			const held = await this.undecidedHeld(account, request.approvalKey);
			const extra = { orderSource: held.orderSource, orderId: held.orderId };
			await account.credit(held.points, 'earn', key, { ...extra, reason: `order ${held.orderId}, held points approved by ${request.decidedBy}` });
			const order = await getOrder(account.sql, held.orderSource, held.orderId, true);
			if (order && order.refundedMinor > 0) {
				const refunded = pointsToReverse(held.points, order.totalMinor, Math.min(order.refundedMinor, order.totalMinor), this.program.rounding);
				await account.debit(refunded, 'reverse', key, { ...extra, reason: `order ${held.orderId} was refunded while its points were held` }, (lot) => lot.orderSource === held.orderSource && lot.orderId === held.orderId);
			}
			account.touchActivity();
			await decideHeld(account.sql, this.program.id, held.approvalKey, { status: HeldStatus.Approved, key, by: request.decidedBy, reason: request.reason || undefined, at: account.nowIso });
			return { decision: { approvalKey: held.approvalKey, status: HeldStatus.Approved, points: held.points, decidedBy: request.decidedBy, ...(request.reason ? { reason: request.reason } : {}) } };
		});
	}

	/** The owner says no to held points: nothing is credited, and who declined and why is kept. */
	async declineHeld(input: HeldDecisionInput): Promise<LedgerResult> {
		const request = parseOrThrow(heldDecisionSchema, input, '');
		const key = request.idempotencyKey ?? `decline:${request.approvalKey}`;
		return this.operate(undefined, key, { operation: Operation.DeclineHeld, approvalKey: request.approvalKey }, this.heldCustomer(request.approvalKey), async (account) => {
			const held = await this.undecidedHeld(account, request.approvalKey);
			await decideHeld(account.sql, this.program.id, held.approvalKey, { status: HeldStatus.Declined, key, by: request.decidedBy, reason: request.reason || undefined, at: account.nowIso });
			return { decision: { approvalKey: held.approvalKey, status: HeldStatus.Declined, points: held.points, decidedBy: request.decidedBy, ...(request.reason ? { reason: request.reason } : {}) } };
		});
	}

	/** Held points of this program, oldest first: by default those still waiting for a decision. */
	async listHeld(input: { status?: HeldStatus | 'all'; customer?: CustomerRef; limit?: number } = {}): Promise<HeldPoints[]> {
		const options = parseOrThrow(listHeldSchema, input, '');
		const customerId = options.customer ? await this.store.transaction((sql) => this.existingCustomer(options.customer as CustomerRef)(sql, this.now().toISOString())) : undefined;
		return listHeldRows(this.store.db, this.program.id, { status: options.status === 'all' ? undefined : options.status, customerId, limit: options.limit });
	}

	private heldCustomer(approvalKey: string): Resolve {
		return async (sql) => {
			const held = await getHeld(sql, this.program.id, approvalKey);
			if (!held) throw LoyaltyError.notFound('approvalKey', `no points are held under "${approvalKey}" in program ${this.program.id}`);
			return held.customerId;
		};
	}

	private async undecidedHeld(account: LockedAccount, approvalKey: string): Promise<HeldPoints> {
		const held = (await getHeld(account.sql, this.program.id, approvalKey, true))!;
		if (held.status !== HeldStatus.Held) {
			const by = held.decidedBy ? ` by ${held.decidedBy}` : '';
			throw new LoyaltyError(ErrorCode.HeldAlreadyDecided, `approvalKey: the ${grouped(held.points)} points held for order ${held.orderId} were already ${held.status}${by} on ${held.decidedAt}`, { field: 'approvalKey' });
		}
		return held;
	}

	async reverseForRefund(input: RefundInput, options: { idempotencyKey?: string } = {}): Promise<LedgerResult> {
		const refund = parseOrThrow(refundSchema, input, 'refund');
		const key = options.idempotencyKey === undefined ? `${refund.source}:refund:${refund.id}` : parseOrThrow(idempotencyKeySchema, options.idempotencyKey, 'idempotencyKey');
		const request: LedgerRequest = {
			operation: Operation.Reverse,
			refund: { source: refund.source, id: refund.id, orderId: refund.orderId, currency: refund.currency, amountMinor: refund.amountMinor },
		};
		return this.operate(
			undefined,
			key,
			request,
			async (sql) => {
				const order = await getOrder(sql, refund.source, refund.orderId);
				if (!order) throw LoyaltyError.notFound('refund.orderId', `no ${refund.source} order "${refund.orderId}" has been recorded, so there are no points to take back for it`);
				return order.customerId;
			},
			async (account) => {
				const order = (await getOrder(account.sql, refund.source, refund.orderId, true))!;
				if (order.currency !== refund.currency) throw LoyaltyError.invalid('refund.currency', `is ${refund.currency} but order ${order.id} was paid in ${order.currency}`);
				const refundable = order.totalMinor - order.refundedMinor;
				if (refund.amountMinor > refundable) {
					const money = (minor: number) => `${minorToDecimalString(minor, order.currency)} ${order.currency}`;
					throw LoyaltyError.invalid('refund.amountMinor', `refunds ${money(refund.amountMinor)} but only ${money(refundable)} of the ${money(order.totalMinor)} paid for order ${order.id} is left to refund`);
				}
				if (!(await recordRefund(account.sql, refund))) {
					throw new LoyaltyError(ErrorCode.RefundAlreadyApplied, `refund.id: refund ${refund.id} was already applied under a different idempotency key, so its points were already taken back`, { field: 'refund.id' });
				}
				const earned = await account.earnedForOrder(order.source, order.id);
				// Telescoping: each refund takes back the step in the cumulative share, so partial refunds add up exactly.
				const before = pointsToReverse(earned, order.totalMinor, order.refundedMinor, this.program.rounding);
				const after = pointsToReverse(earned, order.totalMinor, order.refundedMinor + refund.amountMinor, this.program.rounding);
				const { shortfall } = await account.debit(after - before, 'reverse', key, { orderSource: order.source, orderId: order.id, reason: `refund ${refund.id}` }, (lot) => lot.orderSource === order.source && lot.orderId === order.id);
				return shortfall > 0 ? { shortfall } : undefined;
			},
		);
	}

	async redeem(input: { customer: CustomerRef; points: number; idempotencyKey: string; reason?: string }): Promise<LedgerResult> {
		const request = parseOrThrow(redeemSchema, input, '');
		const fingerprint: LedgerRequest = { operation: Operation.Redeem, customer: request.customer, points: request.points };
		return this.operate(undefined, request.idempotencyKey, fingerprint, this.existingCustomer(request.customer), async (account) => {
			this.requireAvailable(account, request.points);
			await account.debit(request.points, 'redeem', request.idempotencyKey, { reason: request.reason });
			account.touchActivity();
		});
	}

	async adjust(input: { customer: CustomerRef; points: number; idempotencyKey: string; reason: string }): Promise<LedgerResult> {
		const request = parseOrThrow(adjustSchema, input, '');
		const fingerprint: LedgerRequest = { operation: Operation.Adjust, customer: request.customer, points: request.points };
		return this.operate(undefined, request.idempotencyKey, fingerprint, this.existingCustomer(request.customer), async (account) => {
			if (request.points > 0) {
				await account.credit(request.points, 'adjust', request.idempotencyKey, { reason: request.reason });
				return;
			}
			this.requireAvailable(account, -request.points);
			await account.debit(-request.points, 'adjust', request.idempotencyKey, { reason: request.reason });
		});
	}

	/**
	 * What a fired rule gives: bonus points and/or a tier ("lifetime spend $500 → Gold"). A tier set
	 * here counts as a review: it holds until the program's next tier review, when the tier policy
	 * (if any) decides again. Keyed like every write, so a re-run of the decision gives nothing twice.
	 */
	async applyRuleReward(input: { customer: CustomerRef; points: number; tier?: string; idempotencyKey: string; reason: string }): Promise<LedgerResult> {
		const request = parseOrThrow(ruleRewardSchema, input, '');
		const fingerprint: LedgerRequest = { operation: Operation.RuleReward, customer: request.customer, points: request.points, tier: request.tier };
		return this.operate(undefined, request.idempotencyKey, fingerprint, this.existingCustomer(request.customer), async (account) => {
			if (request.points > 0) await account.credit(request.points, 'adjust', request.idempotencyKey, { reason: request.reason });
			if (request.tier !== undefined) account.setTier(request.tier);
		});
	}

	/**
	 * Points that stay pending until `availableAt`, then become spendable like any earn: what a
	 * referral's advocate gets, held until the friend's return window has passed. Keyed like every
	 * write; `cancelPending` takes them back while they are still pending.
	 */
	async awardPending(input: { customer: CustomerRef; points: number; availableAt: string; idempotencyKey: string; reason: string }): Promise<LedgerResult> {
		const request = parseOrThrow(pendingAwardSchema, input, '');
		const fingerprint: LedgerRequest = { operation: Operation.AwardPending, customer: request.customer, points: request.points, availableAt: request.availableAt };
		return this.operate(undefined, request.idempotencyKey, fingerprint, this.existingCustomer(request.customer), async (account) => {
			await account.creditPendingUntil(request.points, request.availableAt, request.idempotencyKey, request.reason);
		});
	}

	/**
	 * Takes back the points `awardKey` (an `awardPending`) credited, if they are still pending:
	 * once their date has passed they are the customer's, and nothing is taken (change 0).
	 */
	async cancelPending(input: { customer: CustomerRef; awardKey: string; idempotencyKey: string; reason: string }): Promise<LedgerResult> {
		const request = parseOrThrow(pendingCancelSchema, input, '');
		const fingerprint: LedgerRequest = { operation: Operation.CancelPending, customer: request.customer, awardKey: request.awardKey };
		return this.operate(undefined, request.idempotencyKey, fingerprint, this.existingCustomer(request.customer), async (account) => {
			await account.cancelPendingLot(request.awardKey, request.idempotencyKey, request.reason);
		});
	}

	async getBalance(customer: CustomerRef): Promise<Balance> {
		const resolve = this.existingCustomer(parseOrThrow(customerRefSchema, customer, 'customer'));
		return this.withAccount(resolve, async (account) => balanceOf(account.row));
	}

	async getHistory(customer: CustomerRef, options: { limit?: number } = {}): Promise<LedgerEntry[]> {
		const resolve = this.existingCustomer(parseOrThrow(customerRefSchema, customer, 'customer'));
		const limit = options.limit ?? 100;
		if (!Number.isInteger(limit) || limit < 1) throw LoyaltyError.invalid('limit', 'must be a whole number of at least 1');
		return this.withAccount(resolve, (account) => listRecentEntries(account.sql, this.program.id, account.customerId, limit));
	}

	private requireAvailable(account: LockedAccount, points: number): void {
		if (account.available >= points || this.program.allowNegativeBalance) return;
		const pending = account.pending > 0 ? ` (${account.pending} more are pending until the return period ends)` : '';
		throw new LoyaltyError(ErrorCode.InsufficientPoints, `points: ${points} requested but only ${account.available} available${pending}`, { field: 'points' });
	}

	private existingCustomer(ref: CustomerRef): Resolve {
		return async (sql) => {
			if ('customerId' in ref) {
				const [row] = await sql.query('SELECT id FROM customers WHERE id = $1', [ref.customerId]);
				if (!row) throw LoyaltyError.notFound('customer.customerId', `no customer with id "${ref.customerId}"`);
				return ref.customerId;
			}
			const ids = await findCustomerIds(sql, ref.identities);
			const described = Object.entries(ref.identities).map(([kind, value]) => `${kind} ${value}`).join(', ');
			if (ids.length === 0) throw LoyaltyError.notFound('customer', `no customer with ${described || 'these identities'}`);
			if (ids.length > 1) throw new LoyaltyError(ErrorCode.IdentityConflict, `customer: ${described} belong to different customers`, { field: 'customer' });
			return ids[0];
		};
	}

	/** Locks the account, brings it up to date (release, expiry, tier review) and runs `work`. */
	private withAccount<T>(resolve: Resolve, work: (account: LockedAccount) => Promise<T>, batch?: SqlClient): Promise<T> {
		const inTransaction = async (sql: SqlClient) => {
			const now = this.now();
			const customerId = await resolve(sql, now.toISOString());
			const account = await LockedAccount.load(sql, this.program, await lockAccount(sql, this.program.id, customerId, now.toISOString()), now);
			await account.maintain();
			const result = await work(account);
			await account.save();
			return result;
		};
		return batch ? inTransaction(batch) : this.store.transaction(inTransaction);
	}

	/**
	 * Runs one keyed write. A key seen before answers with its stored result when the request is
	 * the same, and is refused (key_reused, nothing written) when it is not.
	 */
	private async operate(batch: SqlClient | undefined, key: string, request: LedgerRequest, resolve: Resolve, apply: Apply): Promise<LedgerResult> {
		// Fast path: most replays are answered without taking a lock (in a batch, the batch's
		// transaction already holds what it needs, and the check below answers).
		const known = batch ? undefined : await findOperation(this.store.db, this.program.id, key);
		if (known) {
			assertSameLedgerRequest(key, known.request, request);
			return { ...known.result, replay: true };
		}
		return this.withAccount(resolve, async (account) => {
			// Checked again under the lock: a concurrent writer may have applied the key meanwhile.
			const applied = await findOperation(account.sql, this.program.id, key);
			if (applied) {
				assertSameLedgerRequest(key, applied.request, request);
				return { ...applied.result, replay: true };
			}
			const result = await this.book(account, key, request, apply);
			await saveOperation(account.sql, this.program.id, result, canonicalJson(request), account.nowIso);
			return result;
		}, batch);
	}

	/**
	 * Applies one keyed write to a locked account whose key is new, and says what it did: the
	 * result that `operate` (or the group) stores under the key.
	 */
	private async book(account: LockedAccount, key: string, request: LedgerRequest, apply: Apply): Promise<LedgerResult> {
		const maintenance = account.written.length;
		const tierBefore = account.row.tier ?? undefined;
		const extra = (await apply(account)) ?? {};
		const own = account.written.slice(maintenance);
		await account.reviewTier(true);
		const tierAfter = account.row.tier ?? undefined;
		return {
			operation: request.operation as Operation,
			customerId: account.customerId,
			idempotencyKey: key,
			replay: false,
			change: {
				available: own.reduce((sum, e) => sum + e.availableDelta, 0),
				pending: own.reduce((sum, e) => sum + e.pendingDelta, 0),
			},
			balance: balanceOf(account.row),
			...extra,
			...(tierBefore !== tierAfter ? { tierChange: { from: tierBefore, to: tierAfter } } : {}),
			...(this.program.version !== undefined ? { programVersion: this.program.version } : {}),
		};
	}
}

function failed(error: unknown): EarnOutcome {
	return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
}
