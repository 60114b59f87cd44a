import type { Order, OrderInput } from '../model/order';
import { upsertCustomerIds } from '../store/customers';
import type { SqlClient } from '../store/db';
import { upsertOrders } from '../store/orders';
import { LockedAccount, NOTHING_DUE } from './account';
import { lockAccounts, saveAccounts } from './accountRows';
import { assertSameLedgerRequest, type LedgerRequest } from './fingerprint';
import { findOperations, insertEntries, saveOperations, type NewEntry, type StoredOperationText } from './ledgerRows';
import type { ProgramConfig } from './program';
import type { LedgerResult } from './types';

/** One order of a group commit, with the key of the event that brought it (default: the order's own). */
export interface EarnRequest {
	order: OrderInput;
	idempotencyKey?: string;
}

/** What became of one order of a group commit: its result, or the error it alone caused. */
export type EarnOutcome = { ok: true; result: LedgerResult } | { ok: false; error: Error };

/** An order already checked, with its key, its points and its request (and that as canonical JSON). */
export interface PreparedEarn {
	order: Order;
	key: string;
	points: number;
	request: LedgerRequest;
	fingerprint: string;
}

/** The ledger's own steps, which the group runs for each order. */
export interface EarnSteps {
	/** Books one order on a locked account (its key is new) and returns the result to store. */
	book(account: LockedAccount, earn: PreparedEarn): Promise<LedgerResult>;
	/** Earns for one order inside the group's transaction, exactly as a single award does. */
	bookAlone(sql: SqlClient, earn: PreparedEarn): Promise<LedgerResult>;
}

function failed(error: unknown): EarnOutcome {
	return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
}

/** The stored answer to a key seen before: its result as a replay, or key_reused for a different request. */
function replayOf(stored: StoredOperationText, earn: PreparedEarn): EarnOutcome {
	try {
		if (stored.request !== null && stored.request !== earn.fingerprint) assertSameLedgerRequest(earn.key, JSON.parse(stored.request) as LedgerRequest, earn.request);
		return { ok: true, result: { ...(JSON.parse(stored.result) as LedgerResult), replay: true } };
	} catch (error) {
		return failed(error);
	}
}

/**
 * Earns for a group of orders inside one transaction, with a handful of statements for the whole
 * group instead of about ten per order:
 *
 * 1. the keys of all orders, read in one statement: a key stored before answers with its result
 *    (or key_reused), a key twice in the group is a replay of its first order (or key_reused);
 * 2. the customers of the rest, resolved together (store/customers `upsertCustomerIds`);
 * 3. their accounts, locked in one statement in customer id order (created when new); on
 *    PostgreSQL the keys are read again under the locks, since a concurrent writer may have
 *    applied one meanwhile (SQLite's write lock was held from the start);
 * 4. each order booked in memory on its account, by the ledger's own `book`, in `earns` order;
 * 5. the orders, entries, stored results and balances written with one statement each.
 *
 * An account whose history must be read first (points to release or expire, a tier policy to
 * review) is booked by the ledger's single-order path instead, still inside this transaction.
 * Outcomes come back in the order of `earns`; an error here (not an order's own) throws, and the
 * caller redoes each order alone.
 */
export async function earnGroup(sql: SqlClient, program: ProgramConfig, now: Date, earns: readonly PreparedEarn[], steps: EarnSteps): Promise<EarnOutcome[]> {
	const outcomes: Array<EarnOutcome | undefined> = new Array(earns.length);
	const nowIso = now.toISOString();
	const firstOfKey = new Map<string, number>();
	const repeats: Array<[index: number, first: number]> = [];
	const stored = await findOperations(sql, program.id, [...new Set(earns.map((e) => e.key))]);
	let fresh: number[] = [];
	earns.forEach((earn, i) => {
		const known = stored.get(earn.key);
		if (known) {
			outcomes[i] = replayOf(known, earn);
			return;
		}
		const first = firstOfKey.get(earn.key);
		if (first === undefined) {
			firstOfKey.set(earn.key, i);
			fresh.push(i);
		} else {
			try {
				if (earns[first].fingerprint !== earn.fingerprint) assertSameLedgerRequest(earn.key, earns[first].request, earn.request);
				repeats.push([i, first]);
			} catch (error) {
				outcomes[i] = failed(error);
			}
		}
	});

	if (fresh.length > 0) {
		const customerIds = await upsertCustomerIds(sql, fresh.map((i) => earns[i].order.customer), nowIso);
		const customerOf = new Map(fresh.map((i, n) => [i, customerIds[n]]));
		const { accounts: rows, created } = await lockAccounts(sql, program.id, customerIds, nowIso);
		if (sql.dialect === 'postgres') {
			const late = await findOperations(sql, program.id, fresh.map((i) => earns[i].key));
			if (late.size > 0) {
				for (const i of fresh) {
					const known = late.get(earns[i].key);
					if (known) outcomes[i] = replayOf(known, earns[i]);
				}
				fresh = fresh.filter((i) => outcomes[i] === undefined);
			}
		}

		const entries: NewEntry[] = [];
		const accounts = new Map<string, LockedAccount>();
		const alone = new Set<string>();
		for (const [customerId, row] of rows) {
			// An account created just now has no entries, so nothing of it can be due.
			if (created.has(customerId) && row.lots_due_at === null) row.lots_due_at = NOTHING_DUE;
			const account = LockedAccount.deferring(sql, program, row, now, entries);
			if (program.tiers || account.maintenanceDue) alone.add(customerId);
			else accounts.set(customerId, account);
		}
		const orders = new Map<string, { order: Order; customerId: string }>();
		const operations: Array<{ result: LedgerResult; resultJson: string; request: string }> = [];
		for (const i of fresh) {
			const earn = earns[i];
			const customerId = customerOf.get(i)!;
			if (alone.has(customerId)) {
				outcomes[i] = { ok: true, result: await steps.bookAlone(sql, earn) };
				continue;
			}
			const result = await steps.book(accounts.get(customerId)!, earn);
			// The last state of an order wins, as when its upserts run one after the other.
			orders.set(`${earn.order.source}\u0000${earn.order.id}`, { order: earn.order, customerId });
			operations.push({ result, resultJson: JSON.stringify(result), request: earn.fingerprint });
			outcomes[i] = { ok: true, result };
		}
		await upsertOrders(sql, [...orders.values()], nowIso);
		await insertEntries(sql, entries);
		await saveOperations(sql, program.id, operations, nowIso);
		await saveAccounts(sql, [...accounts.values()].map((account) => account.settle()));
	}

	for (const [i, first] of repeats) {
		const outcome = outcomes[first]!;
		outcomes[i] = outcome.ok ? { ok: true, result: { ...(JSON.parse(JSON.stringify(outcome.result)) as LedgerResult), replay: true } } : outcome;
	}
	return outcomes as EarnOutcome[];
}
