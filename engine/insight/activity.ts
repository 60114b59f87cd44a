import type { CustomerActivity } from './segment';
import { dayNumberOf, dayNumberOfDate, type Transaction } from './transactions';

/**
 * Per-customer activity from raw transactions up to and including `asOf` (same-day orders are
 * one purchase, as in summaryFromTransactions). The store computes the same thing in SQL.
 */
export function activityFromTransactions(transactions: Iterable<Transaction & { category?: string }>, asOf: string, timeZone = 'UTC'): CustomerActivity[] {
	const asOfDay = dayNumberOfDate(asOf, 'asOf');
	const byCustomer = new Map<string, { days: Map<number, number>; categories: Set<string> }>();
	let index = 0;
	for (const tx of transactions) {
		const day = dayNumberOf(tx.placedAt, `transactions[${index++}].placedAt`, timeZone);
		if (day > asOfDay) continue;
		let entry = byCustomer.get(tx.customerId);
		if (!entry) byCustomer.set(tx.customerId, (entry = { days: new Map(), categories: new Set() }));
		entry.days.set(day, (entry.days.get(day) ?? 0) + tx.amount);
		if (tx.category) entry.categories.add(tx.category);
	}
	return [...byCustomer.entries()].map(([customerId, { days, categories }]) => {
		const ordered = [...days.entries()].sort((a, b) => a[0] - b[0]);
		const total = ordered.reduce((s, [, amount]) => s + amount, 0);
		return {
			customerId,
			firstDay: ordered[0][0],
			lastDay: ordered[ordered.length - 1][0],
			previousDay: ordered.length >= 2 ? ordered[ordered.length - 2][0] : undefined,
			orders: ordered.length,
			totalSpend: total,
			repeatSpend: total - ordered[0][1],
			categories: categories.size,
		};
	});
}
