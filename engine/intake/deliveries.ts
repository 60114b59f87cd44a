import { LoyaltyError } from '../model/errors';
import type { LoyaltyEvent } from '../model/event';
import { forUpdate, type SqlClient } from '../store/db';
import type { Store } from '../store/store';

/**
 * At least once into the workflows. Every recorded event is owed to each event trigger
 * (a "consumer": one trigger node of one workflow) subscribed to its type. A consumer claims what
 * it is owed under a lease, starts a run, and marks the events done when n8n reports the run
 * finished; a run that failed is tried again later, and one whose process died is re-claimed when
 * its lease runs out. Effects stay single because every write downstream is keyed by the event.
 */
export const DeliveryStatus = { Owed: 'owed', Running: 'running', Done: 'done', Parked: 'parked' } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** A claim lasts this long unless the claiming process extends it; a dead process lets it lapse. */
export const LEASE_MS = 30_000;
/** Failed runs are tried this many times, with growing pauses (about 12 hours in all), then parked for the owner. */
export const MAX_ATTEMPTS = 8;
/** A consumer that has not polled for this long (its workflow deleted or long unpublished) is no longer owed new events. */
export const CONSUMER_IDLE_MS = 7 * 24 * 3_600_000;
const ALL_TYPES = '*';

/** Pause before the next try after `attempts` failed runs: 15 s, 1 min, 4 min, 16 min, 1 h, 4 h, then 6 h. */
export function retryDelayMs(attempts: number): number {
	return Math.min(15_000 * 4 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

export interface ConsumerRegistration {
	/** `<workflow id>:<node id>`: each trigger of each workflow keeps its own position. */
	consumer: string;
	workflowId?: string;
	nodeName?: string;
	/** Event types to hear; empty means every type. */
	eventTypes: readonly string[];
}

export interface ClaimedEvent {
	event: LoyaltyEvent;
	/** 1 for the first run, more for a retry or a recovery after a crash. */
	attempt: number;
	recordedAt: string;
}

function placeholders(from: number, count: number): string {
	return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}

/**
 * Subscribes a trigger (or refreshes its subscription). Events recorded from now on are owed to
 * it; what it was owed before (while its workflow was unpublished or n8n was down) stays owed.
 */
export async function registerConsumer(store: Store, registration: ConsumerRegistration, now: Date = new Date()): Promise<void> {
	if (!registration.consumer.trim()) throw LoyaltyError.invalid('consumer', 'is required');
	const nowIso = now.toISOString();
	const types = registration.eventTypes.length === 0 ? [ALL_TYPES] : [...new Set(registration.eventTypes)];
	await store.transaction(async (sql) => {
		await sql.execute(
			`INSERT INTO event_consumers (consumer, workflow_id, node_name, registered_at, last_poll_at) VALUES ($1, $2, $3, $4, $4)
			 ON CONFLICT (consumer) DO UPDATE SET workflow_id = excluded.workflow_id, node_name = excluded.node_name, last_poll_at = excluded.last_poll_at`,
			[registration.consumer, registration.workflowId ?? null, registration.nodeName ?? null, nowIso],
		);
		await sql.execute('DELETE FROM event_subscriptions WHERE consumer = $1', [registration.consumer]);
		for (const type of types) await sql.execute('INSERT INTO event_subscriptions (consumer, event_type) VALUES ($1, $2)', [registration.consumer, type]);
	});
}

/** Owes a just-recorded event to every live consumer of its type (inside the recording transaction). */
export async function oweToConsumers(sql: SqlClient, event: Pick<LoyaltyEvent, 'id' | 'type'>, nowIso: string): Promise<number> {
	const liveSince = new Date(Date.parse(nowIso) - CONSUMER_IDLE_MS).toISOString();
	return sql.execute(
		`INSERT INTO event_deliveries (consumer, event_id, event_type, recorded_at, status, attempts, available_at)
		 SELECT DISTINCT s.consumer, $1, $2, $3, '${DeliveryStatus.Owed}', 0, $3
		 FROM event_subscriptions s JOIN event_consumers c ON c.consumer = s.consumer
		 WHERE s.event_type IN ($2, '${ALL_TYPES}') AND c.last_poll_at >= $4
		 ON CONFLICT DO NOTHING`,
		[event.id, event.type, nowIso, liveSince],
	);
}

/**
 * The shop sent an event again that is still owed somewhere: a retry means "please process it",
 * so waiting retries and parked deliveries become due now. Returns how many consumers still owe it.
 */
export async function expediteOwed(sql: SqlClient, eventId: string, nowIso: string): Promise<number> {
	await sql.execute(
		`UPDATE event_deliveries SET status = '${DeliveryStatus.Owed}', available_at = $2, attempts = CASE WHEN status = '${DeliveryStatus.Parked}' THEN 0 ELSE attempts END
		 WHERE event_id = $1 AND (status = '${DeliveryStatus.Parked}' OR (status = '${DeliveryStatus.Owed}' AND available_at > $2))`,
		[eventId, nowIso],
	);
	const [row] = await sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM event_deliveries WHERE event_id = $1 AND status <> '${DeliveryStatus.Done}'`, [eventId]);
	return Number(row?.n ?? 0);
}

/**
 * Claims up to `limit` events owed to the consumer: due ones, and running ones whose lease lapsed
 * (the process that ran them died). Oldest first. Each claim counts as an attempt.
 */
export async function claimOwedEvents(
	store: Store,
	consumer: string,
	options: { instance: string; limit: number; now?: Date; leaseMs?: number },
): Promise<ClaimedEvent[]> {
	const now = options.now ?? new Date();
	const nowIso = now.toISOString();
	const leaseUntil = new Date(now.getTime() + (options.leaseMs ?? LEASE_MS)).toISOString();
	return store.transaction(async (sql) => {
		await sql.execute('UPDATE event_consumers SET last_poll_at = $2 WHERE consumer = $1', [consumer, nowIso]);
		const due = await sql.query<{ event_id: string; attempts: number; recorded_at: string }>(
			`SELECT event_id, attempts, recorded_at FROM event_deliveries
			 WHERE consumer = $1 AND ((status = '${DeliveryStatus.Owed}' AND available_at <= $2) OR (status = '${DeliveryStatus.Running}' AND lease_until < $2))
			 ORDER BY recorded_at, event_id LIMIT $3${forUpdate(sql.dialect)}${sql.dialect === 'postgres' ? ' SKIP LOCKED' : ''}`,
			[consumer, nowIso, options.limit],
		);
		if (due.length === 0) return [];
		const ids = due.map((row) => row.event_id);
		await sql.execute(
			`UPDATE event_deliveries SET status = '${DeliveryStatus.Running}', attempts = attempts + 1, leased_by = $2, lease_until = $3,
				first_emitted_at = COALESCE(first_emitted_at, $4), last_emitted_at = $4
			 WHERE consumer = $1 AND event_id IN (${placeholders(5, ids.length)})`,
			[consumer, options.instance, leaseUntil, nowIso, ...ids],
		);
		const payloads = await sql.query<{ id: string; payload: string }>(`SELECT id, payload FROM events WHERE id IN (${placeholders(1, ids.length)})`, ids);
		const byId = new Map(payloads.map((row) => [row.id, JSON.parse(row.payload) as LoyaltyEvent]));
		const claimed: ClaimedEvent[] = [];
		for (const row of due) {
			const event = byId.get(row.event_id);
			// An event row can only vanish through a customer erasure; nothing is left to deliver then.
			if (!event) {
				await sql.execute(`UPDATE event_deliveries SET status = '${DeliveryStatus.Done}', done_at = $3, last_error = 'the event is no longer in the store' WHERE consumer = $1 AND event_id = $2`, [consumer, row.event_id, nowIso]);
				continue;
			}
			claimed.push({ event, attempt: Number(row.attempts) + 1, recordedAt: row.recorded_at });
		}
		return claimed;
	});
}

/** Keeps the claims of runs still in progress in this process. */
export async function extendLeases(store: Store, consumer: string, eventIds: readonly string[], instance: string, now: Date = new Date(), leaseMs = LEASE_MS): Promise<void> {
	if (eventIds.length === 0) return;
	await store.db.execute(
		`UPDATE event_deliveries SET lease_until = $3 WHERE consumer = $1 AND leased_by = $2 AND status = '${DeliveryStatus.Running}' AND event_id IN (${placeholders(4, eventIds.length)})`,
		[consumer, instance, new Date(now.getTime() + leaseMs).toISOString(), ...eventIds],
	);
}

/** A run finished (successfully, or handed to n8n's Wait): these events are done for this consumer. */
export async function markEventsDone(store: Store, consumer: string, eventIds: readonly string[], now: Date = new Date()): Promise<void> {
	if (eventIds.length === 0) return;
	await store.db.execute(
		`UPDATE event_deliveries SET status = '${DeliveryStatus.Done}', done_at = $2, leased_by = NULL, lease_until = NULL WHERE consumer = $1 AND event_id IN (${placeholders(3, eventIds.length)})`,
		[consumer, now.toISOString(), ...eventIds],
	);
}

/**
 * A run failed: try again after a pause, or park the delivery for the owner after MAX_ATTEMPTS.
 * Only deliveries not already done are touched (another run may have finished them meanwhile).
 */
export async function markEventsFailed(store: Store, consumer: string, eventIds: readonly string[], error: string, now: Date = new Date()): Promise<void> {
	if (eventIds.length === 0) return;
	await store.transaction(async (sql) => {
		const rows = await sql.query<{ event_id: string; attempts: number }>(
			`SELECT event_id, attempts FROM event_deliveries WHERE consumer = $1 AND status <> '${DeliveryStatus.Done}' AND event_id IN (${placeholders(2, eventIds.length)})`,
			[consumer, ...eventIds],
		);
		for (const row of rows) {
			const attempts = Number(row.attempts);
			const parked = attempts >= MAX_ATTEMPTS;
			await sql.execute(
				`UPDATE event_deliveries SET status = $3, available_at = $4, leased_by = NULL, lease_until = NULL, last_error = $5 WHERE consumer = $1 AND event_id = $2`,
				[consumer, row.event_id, parked ? DeliveryStatus.Parked : DeliveryStatus.Owed, new Date(now.getTime() + retryDelayMs(attempts)).toISOString(), error.slice(0, 2000)],
			);
		}
	});
}

/** The newest recorded events of these types, for a trigger's "Test step": nothing is claimed. */
export async function latestEvents(store: Store, eventTypes: readonly string[], limit = 1): Promise<LoyaltyEvent[]> {
	const rows =
		eventTypes.length === 0
			? await store.db.query<{ payload: string }>('SELECT payload FROM events ORDER BY received_at DESC, id DESC LIMIT $1', [limit])
			: await store.db.query<{ payload: string }>(`SELECT payload FROM events WHERE type IN (${placeholders(2, eventTypes.length)}) ORDER BY received_at DESC, id DESC LIMIT $1`, [limit, ...eventTypes]);
	return rows.map((row) => JSON.parse(row.payload) as LoyaltyEvent);
}

export interface DeliveryCounts {
	owed: number;
	running: number;
	parked: number;
	done: number;
	/** Done after more than one run: recovered after a crash or a failed run. */
	recovered: number;
}

/** How a consumer (or all of them) stands: what is owed, running, parked, done and recovered. */
export async function deliveryCounts(store: Store, consumer?: string): Promise<DeliveryCounts> {
	const rows = await store.db.query<{ status: string; n: number; recovered: number }>(
		`SELECT status, COUNT(*) AS n, SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END) AS recovered FROM event_deliveries ${consumer ? 'WHERE consumer = $1' : ''} GROUP BY status`,
		consumer ? [consumer] : [],
	);
	const counts: DeliveryCounts = { owed: 0, running: 0, parked: 0, done: 0, recovered: 0 };
	for (const row of rows) {
		if (row.status in counts) counts[row.status as keyof Omit<DeliveryCounts, 'recovered'>] = Number(row.n);
		if (row.status === DeliveryStatus.Done) counts.recovered = Number(row.recovered ?? 0);
	}
	return counts;
}

export interface ParkedDelivery {
	consumer: string;
	workflowId: string | null;
	nodeName: string | null;
	eventId: string;
	eventType: string;
	attempts: number;
	lastError: string | null;
	recordedAt: string;
}

/** Deliveries that failed MAX_ATTEMPTS runs and wait for the owner. */
export async function listParkedDeliveries(store: Store, limit = 100): Promise<ParkedDelivery[]> {
	const rows = await store.db.query<Record<string, unknown>>(
		`SELECT d.consumer, c.workflow_id, c.node_name, d.event_id, d.event_type, d.attempts, d.last_error, d.recorded_at
		 FROM event_deliveries d LEFT JOIN event_consumers c ON c.consumer = d.consumer
		 WHERE d.status = '${DeliveryStatus.Parked}' ORDER BY d.recorded_at LIMIT $1`,
		[limit],
	);
	return rows.map((row) => ({
		consumer: String(row.consumer),
		workflowId: (row.workflow_id as string | null) ?? null,
		nodeName: (row.node_name as string | null) ?? null,
		eventId: String(row.event_id),
		eventType: String(row.event_type),
		attempts: Number(row.attempts),
		lastError: (row.last_error as string | null) ?? null,
		recordedAt: String(row.recorded_at),
	}));
}

/** The owner asks for parked deliveries (one event, or all) to be run again now. */
export async function retryParkedDeliveries(store: Store, eventId?: string, now: Date = new Date()): Promise<number> {
	return store.db.execute(
		`UPDATE event_deliveries SET status = '${DeliveryStatus.Owed}', attempts = 0, available_at = $1 WHERE status = '${DeliveryStatus.Parked}'${eventId ? ' AND event_id = $2' : ''}`,
		eventId ? [now.toISOString(), eventId] : [now.toISOString()],
	);
}

/** Done deliveries older than `before` are history; they are removed to keep the table small. */
export async function forgetDoneDeliveries(store: Store, before: Date): Promise<number> {
	return store.db.execute(`DELETE FROM event_deliveries WHERE status = '${DeliveryStatus.Done}' AND done_at < $1`, [before.toISOString()]);
}
