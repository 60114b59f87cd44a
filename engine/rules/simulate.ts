import { customerInputSchema, type CustomerInput } from '../model/customer';
import type { LoyaltyEvent } from '../model/event';
import type { Order } from '../model/order';
import { upsertCustomer } from '../store/customers';
import type { SqlClient } from '../store/db';
import { recordEvent } from '../store/events';
import { recordRefund, upsertOrder } from '../store/orders';
import { claimDueFollowUps } from './followUpRows';
import type { Store } from '../store/store';
import type { CompiledRuleSet } from './compile';
import { decideEvent } from './decide';
import { SimulationTally, type SimulationSummary } from './simulationSummary';
import type { Decision, RuleEvent } from './types';

export interface SimulationOptions {
	/** Events after this instant are left out. */
	asOf?: Date;
	onDecision?(decision: Decision, event: RuleEvent): void;
	onError?(error: unknown, event: RuleEvent): void;
}

/** Replays events oldest first (ties by idempotency key, so the order never depends on the file). */
export function chronological(events: readonly RuleEvent[]): RuleEvent[] {
	return [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0));
}

/**
 * Dry run on history: every event, in time order, is decided at its own time against a scratch
 * store that accumulates exactly what the live store would (customers, orders, firings,
 * suppressions), so windows, frequency limits and caps bind as they would have.
 */
export async function simulate(store: Store, ruleSet: CompiledRuleSet, events: readonly RuleEvent[], options: SimulationOptions = {}): Promise<SimulationSummary> {
	const tally = new SimulationTally(ruleSet);
	const replayOne = async (event: RuleEvent) => {
		const at = new Date(event.occurredAt);
		try {
			const decision = await store.transaction(async (sql) => {
				const customerId = await rememberCustomer(sql, event, at);
				const decided = await decideEvent(sql, ruleSet, event, at);
				await rememberFacts(sql, event, customerId, at);
				return decided;
			});
			tally.add(decision);
			options.onDecision?.(decision, event);
		} catch (error) {
			tally.addFailure();
			options.onError?.(error, event);
		}
	};
	// Follow-ups fall due between events, as the schedule would emit them; each may schedule more.
	const replayDueFollowUps = async (until: Date) => {
		for (;;) {
			const due = await store.transaction((sql) => claimDueFollowUps(sql, ruleSet.program.id, until));
			if (due.length === 0) return;
			for (const followUp of due) await replayOne(followUp);
		}
	};
	let last: Date | undefined;
	for (const event of chronological(events)) {
		const at = new Date(event.occurredAt);
		if (options.asOf && at > options.asOf) continue;
		await replayDueFollowUps(at);
		await replayOne(event);
		last = at;
	}
	const end = options.asOf ?? last;
	if (end) await replayDueFollowUps(end);
	return tally.summary();
}

async function rememberCustomer(sql: SqlClient, event: RuleEvent, at: Date): Promise<string | undefined> {
	const parsed = customerInputSchema.safeParse(event.customer);
	if (!parsed.success) return undefined;
	const customer = await upsertCustomer(sql, parsed.data, at.toISOString());
	await recordEvent(sql, { ...event, id: event.id ?? event.idempotencyKey, source: event.source ?? 'generic' } as LoyaltyEvent, customer.id, at.toISOString());
	return customer.id;
}

async function rememberFacts(sql: SqlClient, event: RuleEvent, customerId: string | undefined, at: Date): Promise<void> {
	if (!customerId) return;
	if (event.type === 'purchase' && event.order && (event.order.status === undefined || event.order.status === 'paid')) {
		const order = { ...event.order, source: event.order.source ?? event.source ?? 'generic', status: 'paid', placedAt: event.order.placedAt ?? event.occurredAt, lines: event.order.lines ?? [], customer: event.customer as CustomerInput } as Order;
		await upsertOrder(sql, order, customerId, at.toISOString());
	}
	if (event.type === 'refund' && event.refund?.orderId) {
		await recordRefund(sql, { source: event.source ?? 'generic', id: event.refund.id, orderId: event.refund.orderId, amountMinor: event.refund.amountMinor, currency: event.refund.currency, createdAt: event.occurredAt } as Parameters<typeof recordRefund>[1]);
	}
}
