import { LoyaltyError } from '../model/errors';
import { dayNumberOf } from './transactions';

/** One order line of the orders CSV (`customer_id,placed_at,total[,order_id,currency,sku,category,quantity]`). */
export interface CsvOrder {
	line: number;
	customerId: string;
	placedAt: string;
	/** In major units, as written. */
	total: number;
	orderId?: string;
	currency?: string;
	sku?: string;
	category?: string;
	quantity?: number;
}

export interface CsvProblem {
	line: number;
	message: string;
}

const REQUIRED = ['customer_id', 'placed_at', 'total'] as const;
const OPTIONAL = ['order_id', 'currency', 'sku', 'category', 'quantity'] as const;

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote). */
export function splitCsvLine(text: string): string[] {
	const fields: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else field += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') {
			fields.push(field);
			field = '';
		} else field += ch;
	}
	fields.push(field);
	return fields.map((f) => f.trim());
}

/**
 * Reads the orders CSV. The header names the columns (any order; the three required ones must be
 * there). A line with a missing customer id, an unparseable date, or a negative or non-numeric
 * total is reported with its line number and skipped; the rest is still read.
 */
export function parseOrdersCsv(text: string): { orders: CsvOrder[]; problems: CsvProblem[] } {
	const lines = text.split(/\r?\n/);
	const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
	const missing = REQUIRED.filter((name) => !header.includes(name));
	if (missing.length) throw LoyaltyError.invalid('orders.header', `line 1 must name ${REQUIRED.join(', ')} (missing ${missing.join(', ')})`);
	const column = Object.fromEntries([...REQUIRED, ...OPTIONAL].map((name) => [name, header.indexOf(name)])) as Record<(typeof REQUIRED)[number] | (typeof OPTIONAL)[number], number>;
	const orders: CsvOrder[] = [];
	const problems: CsvProblem[] = [];
	for (let i = 1; i < lines.length; i++) {
		const line = i + 1;
		if (lines[i].trim() === '') continue;
		const fields = splitCsvLine(lines[i]);
		const get = (name: keyof typeof column): string | undefined => (column[name] >= 0 ? fields[column[name]] || undefined : undefined);
		const customerId = get('customer_id');
		const placedAt = get('placed_at') ?? '';
		const totalText = get('total') ?? '';
		if (!customerId) {
			problems.push({ line, message: 'customer_id: missing' });
			continue;
		}
		try {
			dayNumberOf(placedAt, 'placed_at');
		} catch (error) {
			problems.push({ line, message: (error as Error).message });
			continue;
		}
		const total = /^-?\d+(\.\d+)?$/.test(totalText) ? Number(totalText) : Number.NaN;
		if (!Number.isFinite(total)) {
			problems.push({ line, message: `total: not a number (${JSON.stringify(totalText)})` });
			continue;
		}
		if (total < 0) {
			problems.push({ line, message: `total: must not be negative (${totalText})` });
			continue;
		}
		const quantityText = get('quantity');
		const quantity = quantityText === undefined ? undefined : Number(quantityText);
		if (quantity !== undefined && !(Number.isFinite(quantity) && quantity > 0)) {
			problems.push({ line, message: `quantity: must be a number > 0 (${JSON.stringify(quantityText)})` });
			continue;
		}
		orders.push({ line, customerId, placedAt, total, orderId: get('order_id'), currency: get('currency'), sku: get('sku'), category: get('category'), quantity });
	}
	return { orders, problems };
}

/**
 * Rows of one order (several SKU lines) repeat its total; an order counts once. Lines with an
 * order_id are collapsed per (customer, order_id); lines without one each count as an order.
 */
export function ordersFromCsv(rows: readonly CsvOrder[]): CsvOrder[] {
	const seen = new Set<string>();
	const result: CsvOrder[] = [];
	for (const row of rows) {
		if (row.orderId !== undefined) {
			const key = `${row.customerId}\u0000${row.orderId}`;
			if (seen.has(key)) continue;
			seen.add(key);
		}
		result.push(row);
	}
	return result;
}
