import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { splitCsvLine } from '../insight';
import type { Ledger } from '../ledger';
import { ErrorCode, LoyaltyError } from '../model/errors';
import { decimalToMinor } from '../model/money';
import { ORDER_SOURCES, type OrderInput, type OrderSource } from '../model/order';
import { parseOrder } from '../model/parseOrder';
import { upsertCustomerUnlessRefused } from '../store/customers';
import { insertOrderIfAbsent, recordRefund } from '../store/orders';
import type { Store } from '../store/store';

/**
 * Imports a shop's order history from the orders CSV that `segment` reads
 * (`customer_id,placed_at,total[,order_id,currency,sku,category,quantity]`), plus an optional
 * `email` column (so imported and live orders land on one profile) and `refund_id`.
 *
 * - Every row needs an `order_id`: orders are booked under the keys live webhooks use
 *   (`<source>:order:<order_id>:paid`), so a second import, or an import overlapping webhooks,
 *   earns nothing twice. Rows of one order (one per SKU) must follow each other; they count once.
 * - A negative total is a refund of that much of the order (`refund_id`, else
 *   `<order_id>:import-refund:<n>` for the order's n-th refund row in the file).
 * - `earn` awards points as `earnForOrder` would; `record_only` records orders (and refunds) for
 *   insight without points, and never overwrites an order the store already has.
 * - Orders are written in batches (5,000 on SQLite, 500 on PostgreSQL), one transaction per batch. After each commit a
 *   checkpoint file (file hash + last line) is written; a re-run after an interruption starts after
 *   it. A batch committed but not yet checkpointed is simply replayed: its keys write nothing.
 * - The file is streamed line by line: memory does not grow with its size.
 */
export const ImportMode = { Earn: 'earn', RecordOnly: 'record_only' } as const;
export type ImportMode = (typeof ImportMode)[keyof typeof ImportMode];

export interface ImportOptions {
	file: string;
	source: OrderSource;
	mode: ImportMode;
	/** Currency of rows without a currency column value. */
	currency?: string;
	/** Orders per transaction; default 5,000 on SQLite, 500 on PostgreSQL (see `defaultBatchSize`). */
	batchSize?: number;
	/** Where the resume point is kept; default `<file>.import-checkpoint.json`. Removed when the import completes. */
	checkpointPath?: string;
	/** Called every `progressEvery` rows (default 50,000) and at the end. */
	onProgress?: (progress: ImportProgress) => void;
	progressEvery?: number;
	/** A line that could not be imported: reported with its number, then skipped. */
	onProblem?: (problem: { line: number; message: string }) => void;
}

export interface ImportProgress {
	rows: number;
	orders: number;
	rowsPerSecond: number;
	/** Share of the file's bytes read, 0–1. */
	done: number;
	etaSeconds?: number;
}

export interface ImportSummary {
	mode: ImportMode;
	source: OrderSource;
	rows: number;
	orders: number;
	refunds: number;
	/** Orders that earned (or, record-only, were recorded) now. */
	written: number;
	/** Orders the store already had under their key: nothing written. */
	alreadyBooked: number;
	/** Earn only: above the program's ceiling, held for approval. */
	held: number;
	skippedLines: number;
	resumedAfterLine?: number;
	seconds: number;
	ordersPerSecond: number;
}

interface Checkpoint {
	fileSha256: string;
	line: number;
	mode: ImportMode;
	source: OrderSource;
}

interface PendingOrder {
	firstLine: number;
	lastLine: number;
	order: OrderInput;
}

interface PendingRefund {
	line: number;
	orderId: string;
	refundId: string;
	amountMinor: number;
	currency: string;
	createdAt: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function fileSha256(file: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const hash = createHash('sha256');
		createReadStream(file)
			.on('data', (chunk) => hash.update(chunk))
			.on('error', reject)
			.on('end', () => resolve(hash.digest('hex')));
	});
}

function readCheckpoint(path: string, sha: string, options: ImportOptions): number | undefined {
	if (!existsSync(path)) return undefined;
	try {
		const checkpoint = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
		if (checkpoint.fileSha256 === sha && checkpoint.mode === options.mode && checkpoint.source === options.source) return checkpoint.line;
	} catch {
		// A torn or foreign checkpoint: start from the top; the keys make that safe.
	}
	return undefined;
}

function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
	writeFileSync(`${path}.tmp`, JSON.stringify(checkpoint));
	renameSync(`${path}.tmp`, path);
}

export async function importOrders(store: Store, ledger: Ledger, options: ImportOptions): Promise<ImportSummary> {
	if (!ORDER_SOURCES.includes(options.source)) throw LoyaltyError.invalid('source', `must be one of ${ORDER_SOURCES.join(', ')}`);
	if (options.mode !== ImportMode.Earn && options.mode !== ImportMode.RecordOnly) throw LoyaltyError.invalid('mode', 'choose earn (award points for past orders) or record_only (orders for insight, no points)');
	const batchSize = options.batchSize ?? defaultBatchSize(store);
	const progressEvery = options.progressEvery ?? 50_000;
	const defaultCurrency = (options.currency ?? 'USD').toUpperCase();
	const checkpointPath = options.checkpointPath ?? `${options.file}.import-checkpoint.json`;
	const sha = await fileSha256(options.file);
	const resumeAfter = readCheckpoint(checkpointPath, sha, options);
	const totalBytes = Math.max(1, statSync(options.file).size);
	const started = performance.now();

	const summary: ImportSummary = { mode: options.mode, source: options.source, rows: 0, orders: 0, refunds: 0, written: 0, alreadyBooked: 0, held: 0, skippedLines: 0, seconds: 0, ordersPerSecond: 0, ...(resumeAfter ? { resumedAfterLine: resumeAfter } : {}) };
	const problem = (line: number, message: string) => {
		summary.skippedLines++;
		options.onProblem?.({ line, message });
	};

	let batch: PendingOrder[] = [];
	let current: PendingOrder | undefined;
	let lastLineDone = resumeAfter ?? 1;
	const refundCounts = new Map<string, number>();

	const flush = async (): Promise<void> => {
		if (current) {
			batch.push(current);
			current = undefined;
		}
		if (batch.length === 0) return;
		const orders = batch;
		batch = [];
		await writeOrders(store, ledger, options.mode, orders, summary, problem);
		lastLineDone = orders[orders.length - 1].lastLine;
		writeCheckpoint(checkpointPath, { fileSha256: sha, line: lastLineDone, mode: options.mode, source: options.source });
	};

	let bytes = 0;
	let lineNumber = 0;
	let column: Record<string, number> | undefined;
	const lines = createInterface({ input: createReadStream(options.file), crlfDelay: Infinity });
	for await (const text of lines) {
		lineNumber++;
		bytes += Buffer.byteLength(text) + 1;
		if (lineNumber === 1) {
			column = headerColumns(text);
			continue;
		}
		if (resumeAfter !== undefined && lineNumber <= resumeAfter) continue;
		if (text.trim() === '') continue;
		summary.rows++;
		if (summary.rows % progressEvery === 0) options.onProgress?.(progressOf(summary, started, bytes / totalBytes));
		const row = rowOf(splitCsvLine(text), column!);
		const orderId = row.order_id;
		if (!orderId) {
			problem(lineNumber, 'order_id: missing (an import books every order under its id, so that it is never booked twice)');
			continue;
		}
		if (current && current.order.id === orderId && current.order.customer.identities[identityKind(options.source)] === row.customer_id) {
			current.lastLine = lineNumber; // another SKU line of the same order
			continue;
		}
		let parsed: { order: OrderInput } | { refund: PendingRefund };
		try {
			parsed = parseRow(row, lineNumber, options.source, defaultCurrency, refundCounts);
		} catch (error) {
			problem(lineNumber, (error as Error).message);
			continue;
		}
		if ('refund' in parsed) {
			// The order it refunds may be in the open batch: write that first.
			await flush();
			await writeRefund(store, ledger, options, parsed.refund, summary, problem);
			lastLineDone = lineNumber;
			writeCheckpoint(checkpointPath, { fileSha256: sha, line: lastLineDone, mode: options.mode, source: options.source });
			continue;
		}
		if (current) batch.push(current);
		current = { firstLine: lineNumber, lastLine: lineNumber, order: parsed.order };
		if (batch.length >= batchSize) {
			const open = current;
			current = undefined;
			await flush();
			current = open;
		}
	}
	await flush();
	rmSync(checkpointPath, { force: true });
	summary.seconds = +((performance.now() - started) / 1000).toFixed(3);
	summary.ordersPerSecond = Math.round(summary.orders / Math.max(summary.seconds, 0.001));
	options.onProgress?.(progressOf(summary, started, 1));
	return summary;
}

/**
 * SQLite writes every page a transaction touched to its WAL at commit; an import's orders touch
 * customer-keyed index pages all over the file, so small batches rewrite the same pages again and
 * again (at 1,000,000 orders, 500 a batch spends half its time committing; 5,000 a batch is about
 * 1.6 times faster). The batch holds SQLite's write lock for well under a second, which is what a
 * live webhook waits at most. On PostgreSQL a batch holds its customers' account rows; 500 keeps
 * that short.
 */
export function defaultBatchSize(store: Store): number {
	return store.dialect === 'sqlite' ? 5000 : 500;
}

function progressOf(summary: ImportSummary, started: number, done: number): ImportProgress {
	const seconds = (performance.now() - started) / 1000;
	const rowsPerSecond = Math.round(summary.rows / Math.max(seconds, 0.001));
	return { rows: summary.rows, orders: summary.orders, rowsPerSecond, done: Math.min(1, done), ...(done > 0 && done < 1 ? { etaSeconds: Math.round((seconds / done) * (1 - done)) } : {}) };
}

function headerColumns(text: string): Record<string, number> {
	const header = splitCsvLine(text).map((h) => h.toLowerCase());
	const missing = ['customer_id', 'placed_at', 'total', 'order_id'].filter((name) => !header.includes(name));
	if (missing.length) throw LoyaltyError.invalid('orders.header', `line 1 must name customer_id, placed_at, total and order_id (missing ${missing.join(', ')})`);
	return Object.fromEntries(header.map((name, i) => [name, i]));
}

function rowOf(fields: string[], column: Record<string, number>): Record<string, string | undefined> {
	const row: Record<string, string | undefined> = {};
	for (const [name, i] of Object.entries(column)) row[name] = fields[i] || undefined;
	return row;
}

function identityKind(source: OrderSource): 'woocommerce' | 'square' | 'loyalty' {
	return source === 'generic' ? 'loyalty' : source;
}

function parseRow(row: Record<string, string | undefined>, line: number, source: OrderSource, defaultCurrency: string, refundCounts: Map<string, number>): { order: OrderInput } | { refund: PendingRefund } {
	const customerId = row.customer_id;
	if (!customerId) throw LoyaltyError.invalid('customer_id', 'missing');
	const placed = row.placed_at ?? '';
	const placedAt = DATE_ONLY.test(placed) ? `${placed}T00:00:00Z` : placed;
	if (!/^\d{4}-\d{2}-\d{2}T/.test(placedAt) || !Number.isFinite(Date.parse(placedAt))) throw LoyaltyError.invalid('placed_at', `expected an ISO date or a date-time with its offset (got ${JSON.stringify(placed)})`);
	const currency = (row.currency ?? defaultCurrency).toUpperCase();
	const totalText = row.total ?? '';
	if (!/^-?\d+(\.\d+)?$/.test(totalText)) throw LoyaltyError.invalid('total', `not a number (${JSON.stringify(totalText)})`);
	const negative = totalText.startsWith('-');
	const amountMinor = decimalToMinor(negative ? totalText.slice(1) : totalText, currency, 'total');
	const orderId = row.order_id!;
	if (negative) {
		const n = (refundCounts.get(orderId) ?? 0) + 1;
		refundCounts.set(orderId, n);
		return { refund: { line, orderId, refundId: row.refund_id ?? `${orderId}:import-refund:${n}`, amountMinor, currency, createdAt: placedAt } };
	}
	const identities: Record<string, string> = { [identityKind(source)]: customerId };
	if (row.email) identities.email = row.email;
	const order: OrderInput = { source, id: orderId, status: 'paid', placedAt, currency, totalMinor: amountMinor, lines: [], customer: { identities } };
	parseOrder(order); // validated here, so a bad line is reported with its number and never reaches a batch
	return { order };
}

async function writeOrders(store: Store, ledger: Ledger, mode: ImportMode, orders: PendingOrder[], summary: ImportSummary, problem: (line: number, message: string) => void): Promise<void> {
	const count = (replay: boolean, held: boolean) => {
		summary.orders++;
		if (replay) summary.alreadyBooked++;
		else if (held) summary.held++;
		else summary.written++;
	};
	if (mode === ImportMode.Earn) {
		// One commit for the batch (group commit); an order that fails is reported on its own line.
		const outcomes = await ledger.earnForOrders(orders.map((o) => ({ order: o.order })));
		outcomes.forEach((outcome, i) => {
			if (outcome.ok) count(outcome.result.replay, outcome.result.held !== undefined);
			else problem(orders[i]!.firstLine, outcome.error.message);
		});
		return;
	}
	const now = new Date().toISOString();
	const written = await store.transaction(async (sql) => {
		// Per order: written, already there, or why not (a customer who asked to be erased, skipped alone).
		const outcomes: Array<boolean | string> = [];
		for (const pending of orders) {
			const order = parseOrder(pending.order);
			const customer = await upsertCustomerUnlessRefused(sql, order.customer, now);
			outcomes.push('refused' in customer ? `customer: ${customer.refused}` : await insertOrderIfAbsent(sql, order, customer.customerId, now));
		}
		return outcomes;
	});
	written.forEach((w, i) => (typeof w === 'string' ? problem(orders[i]!.firstLine, w) : count(!w, false)));
}

async function writeRefund(store: Store, ledger: Ledger, options: ImportOptions, refund: PendingRefund, summary: ImportSummary, problem: (line: number, message: string) => void): Promise<void> {
	const input = { source: options.source, id: refund.refundId, orderId: refund.orderId, amountMinor: refund.amountMinor, currency: refund.currency, createdAt: refund.createdAt };
	try {
		if (options.mode === ImportMode.Earn) {
			await ledger.reverseForRefund(input);
		} else {
			const order = await store.getOrder(options.source, refund.orderId);
			if (!order) throw LoyaltyError.notFound('order_id', `no ${options.source} order "${refund.orderId}" to refund`);
			await store.transaction((sql) => recordRefund(sql, input));
		}
		summary.refunds++;
	} catch (error) {
		// A refund already applied under this key or id is not a problem: it is the same refund.
		if ((error as { code?: string }).code === ErrorCode.RefundAlreadyApplied) {
			summary.refunds++;
			return;
		}
		problem(refund.line, (error as Error).message);
	}
}
