import type { Ledger } from '../ledger';
import { ErrorCode, LoyaltyError } from '../model/errors';
import { ORDER_SOURCES, type OrderInput, type OrderSource } from '../model/order';
import { parseOrder } from '../model/parseOrder';
import type { RefundInput } from '../model/refund';
import { upsertCustomerUnlessRefused } from '../store/customers';
import { insertOrderIfAbsent, recordRefund } from '../store/orders';
import type { SqlClient } from '../store/db';
import type { Store } from '../store/store';
import { ImportMode } from './orders';

/**
 * Imports a shop's order history as pages fetched from its API (the connectors page WooCommerce
 * and Square and normalize each order exactly as its webhook would be). Each page's orders are
 * booked under the keys the live webhooks use, in one transaction, then its refunds; after that
 * the page's `position` is saved in the store, so an import run again after an interruption asks
 * the shop for what comes after it. A page written but not yet marked is fetched again: its keys
 * write nothing twice.
 */
export interface HistoryPage {
	orders: Array<{ order: OrderInput; idempotencyKey: string }>;
	refunds: Array<{ refund: RefundInput; idempotencyKey: string }>;
	/** Where the next run resumes once this page is written; opaque to the engine. */
	position: string;
}

export interface HistoryImportOptions {
	/** Names the checkpoint, e.g. `woocommerce:https://shop.example`: one resume point per shop. */
	name: string;
	source: OrderSource;
	mode: ImportMode;
	/** The pages after `resumeFrom` (undefined: from the start). */
	pages: (resumeFrom: string | undefined) => AsyncIterable<HistoryPage>;
	onProgress?: (progress: HistoryProgress) => void;
	/** An order or refund that could not be booked: reported, then skipped. */
	onProblem?: (problem: { item: string; message: string }) => void;
	now?: () => Date;
}

export interface HistoryProgress {
	pages: number;
	orders: number;
	refunds: number;
	ordersPerSecond: number;
}

export interface HistoryImportSummary {
	mode: ImportMode;
	source: OrderSource;
	pages: number;
	orders: number;
	refunds: number;
	/** Orders that earned (or, record-only, were recorded) now. */
	written: number;
	/** Orders the store already had under their key: nothing written. */
	alreadyBooked: number;
	held: number;
	/** Refunds of orders the store has never had (an order refunded in full before it was paid, or before `since`): nothing to take back. */
	refundsWithoutOrder: number;
	skipped: number;
	resumedFrom?: string;
	seconds: number;
	ordersPerSecond: number;
}

export async function readImportCheckpoint(sql: SqlClient, name: string): Promise<string | undefined> {
	const rows = await sql.query<{ position: string }>('SELECT position FROM import_checkpoints WHERE name = $1', [name]);
	return rows[0]?.position;
}

async function saveImportCheckpoint(sql: SqlClient, name: string, position: string, now: Date): Promise<void> {
	await sql.execute(
		'INSERT INTO import_checkpoints (name, position, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
		[name, position, now.toISOString()],
	);
}

async function clearImportCheckpoint(sql: SqlClient, name: string): Promise<void> {
	await sql.execute('DELETE FROM import_checkpoints WHERE name = $1', [name]);
}

export async function importOrderHistory(store: Store, ledger: Ledger, options: HistoryImportOptions): Promise<HistoryImportSummary> {
	if (!ORDER_SOURCES.includes(options.source)) throw LoyaltyError.invalid('source', `must be one of ${ORDER_SOURCES.join(', ')}`);
	if (options.mode !== ImportMode.Earn && options.mode !== ImportMode.RecordOnly) throw LoyaltyError.invalid('mode', 'choose earn (award points for past orders) or record_only (orders for insight, no points)');
	const now = options.now ?? (() => new Date());
	const resumeFrom = await readImportCheckpoint(store.db, options.name);
	const started = performance.now();
	const summary: HistoryImportSummary = { mode: options.mode, source: options.source, pages: 0, orders: 0, refunds: 0, written: 0, alreadyBooked: 0, held: 0, refundsWithoutOrder: 0, skipped: 0, ...(resumeFrom !== undefined ? { resumedFrom: resumeFrom } : {}), seconds: 0, ordersPerSecond: 0 };
	const problem = (item: string, message: string) => {
		summary.skipped++;
		options.onProblem?.({ item, message });
	};
	const rate = () => Math.round(summary.orders / Math.max((performance.now() - started) / 1000, 0.001));

	for await (const page of options.pages(resumeFrom)) {
		await writeOrders(store, ledger, options.mode, page.orders, now(), summary, problem);
		for (const refund of page.refunds) await writeRefund(store, ledger, options.mode, refund, summary, problem);
		await saveImportCheckpoint(store.db, options.name, page.position, now());
		summary.pages++;
		options.onProgress?.({ pages: summary.pages, orders: summary.orders, refunds: summary.refunds, ordersPerSecond: rate() });
	}
	await clearImportCheckpoint(store.db, options.name);
	summary.seconds = +((performance.now() - started) / 1000).toFixed(3);
	summary.ordersPerSecond = rate();
	return summary;
}

async function writeOrders(store: Store, ledger: Ledger, mode: ImportMode, orders: HistoryPage['orders'], at: Date, summary: HistoryImportSummary, problem: (item: string, message: string) => void): Promise<void> {
	const count = (replay: boolean, held: boolean) => {
		summary.orders++;
		if (replay) summary.alreadyBooked++;
		else if (held) summary.held++;
		else summary.written++;
	};
	if (orders.length === 0) return;
	if (mode === ImportMode.Earn) {
		const outcomes = await ledger.earnForOrders(orders.map((o) => ({ order: o.order, idempotencyKey: o.idempotencyKey })));
		outcomes.forEach((outcome, i) => {
			if (outcome.ok) count(outcome.result.replay, outcome.result.held !== undefined);
			else problem(`order ${orders[i]!.order.id}`, outcome.error.message);
		});
		return;
	}
	const recordedAt = at.toISOString();
	const written = await store.transaction(async (sql) => {
		// Per order: written, already there, or why not (a customer who asked to be erased, skipped alone).
		const outcomes: Array<boolean | string> = [];
		for (const pending of orders) {
			const order = parseOrder(pending.order);
			const customer = await upsertCustomerUnlessRefused(sql, order.customer, recordedAt);
			outcomes.push('refused' in customer ? `customer: ${customer.refused}` : await insertOrderIfAbsent(sql, order, customer.customerId, recordedAt));
		}
		return outcomes;
	});
	written.forEach((w, i) => (typeof w === 'string' ? problem(`order ${orders[i]!.order.id}`, w) : count(!w, false)));
}

async function writeRefund(store: Store, ledger: Ledger, mode: ImportMode, entry: HistoryPage['refunds'][number], summary: HistoryImportSummary, problem: (item: string, message: string) => void): Promise<void> {
	const refund = entry.refund;
	try {
		if (mode === ImportMode.Earn) {
			await ledger.reverseForRefund(refund, { idempotencyKey: entry.idempotencyKey });
		} else {
			const order = await store.getOrder(refund.source, refund.orderId);
			if (!order) throw LoyaltyError.notFound('refund.orderId', `no ${refund.source} order "${refund.orderId}" to refund`);
			await store.transaction((sql) => recordRefund(sql, refund));
		}
		summary.refunds++;
	} catch (error) {
		// The same refund applied before (by a webhook, or a previous run) is not a problem.
		if ((error as { code?: string }).code === ErrorCode.RefundAlreadyApplied) {
			summary.refunds++;
			return;
		}
		if ((error as { code?: string; field?: string }).code === ErrorCode.NotFound && (error as { field?: string }).field === 'refund.orderId') {
			summary.refundsWithoutOrder++;
			return;
		}
		problem(`refund ${refund.id}`, (error as Error).message);
	}
}
