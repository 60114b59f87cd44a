import { randomUUID } from 'node:crypto';
import { NodeOperationError, type IDataObject, type IRun, type ITriggerFunctions, type ITriggerResponse } from 'n8n-workflow';

import {
	LEASE_MS,
	claimOwedEvents,
	extendLeases,
	forgetDoneDeliveries,
	latestEvents,
	markEventsDone,
	markEventsFailed,
	onRecordedEvents,
	registerConsumer,
	type ClaimedEvent,
	type LoyaltyEvent,
} from '../../engine';
import { summarizeError, toNodeError } from '../shared/errors';
import { openStoreFor } from '../shared/store';
import { DEFAULT_MAX_EVENTS_PER_RUN, DEFAULT_POLL_SECONDS } from './description';

/** Runs of one trigger in progress at once; more owed events wait and then share a run. */
const MAX_RUNS_IN_FLIGHT = 4;
/**
 * A run that has not reported back in this long is given up on: its slot is freed and its claim
 * lapses, so the events come again (keys keep their effects single). n8n in queue mode
 * occasionally never reports a finished job back to the main instance (seen in the crash suite
 * after a restart: the execution succeeded, the "done" promise never settled); without this the
 * trigger would wait for it forever. A run parked in a Wait node reports back at once.
 */
const GIVE_UP_ON_RUN_MS = 2 * 60_000;
const HOUSEKEEPING_MS = 60 * 60_000;
const KEEP_DONE_MS = 30 * 24 * 3_600_000;

/** n8n statuses after which the events are done: finished, or parked in n8n's own Wait (kept in its database). */
const FINISHED = new Set(['success', 'waiting']);

function itemsOf(events: readonly LoyaltyEvent[]) {
	return events.map((event) => ({ json: event as unknown as IDataObject }));
}

/** Fresh events share runs; an event that is being tried again runs alone, so one bad event cannot hold others back. */
function runsOf(claimed: readonly ClaimedEvent[]): ClaimedEvent[][] {
	const fresh = claimed.filter((c) => c.attempt === 1);
	const retried = claimed.filter((c) => c.attempt > 1).map((c) => [c]);
	return fresh.length > 0 ? [fresh, ...retried] : retried;
}

function failureOf(run: IRun | undefined): string | undefined {
	if (!run) return 'n8n did not start the run';
	if (FINISHED.has(String(run.status))) return undefined;
	const error = run.data?.resultData?.error;
	const where = error && 'node' in error && error.node ? ` in "${(error.node as { name?: string }).name ?? ''}"` : '';
	return `run ${run.status ?? 'ended'}${where}${error?.message ? `: ${error.message}` : ''}`;
}

export async function startEventTrigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
	const eventTypes = this.getNodeParameter('events', []) as string[];
	const options = this.getNodeParameter('options', {}) as { maxEventsPerRun?: number; pollSeconds?: number };
	const maxEventsPerRun = Math.max(1, Math.floor(options.maxEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_RUN));
	const pollMs = Math.max(1, options.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000;
	let store: Awaited<ReturnType<typeof openStoreFor>>;
	try {
		store = await openStoreFor(this);
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}

	if (this.getMode() === 'manual') {
		return {
			manualTriggerFunction: async () => {
				const latest = await latestEvents(store, eventTypes, 1);
				if (latest.length === 0) {
					throw new NodeOperationError(this.getNode(), 'No matching event has been recorded yet', {
						description: 'Publish the workflow with your Loyalty Trigger (for example "Loyalty: points on purchase") and place a test order in your shop, or pin sample data on this node to try the steps after it.',
					});
				}
				// The newest recorded event, shown as is; nothing is claimed, so the published workflow still gets it.
				this.emit([itemsOf(latest)]);
			},
		};
	}

	const node = this.getNode();
	const workflowId = this.getWorkflow().id ?? 'unsaved';
	const consumer = `${workflowId}:${node.id}`;
	const instance = randomUUID();
	const log = (message: string, error?: unknown) =>
		this.logger.error(`Loyalty Event Trigger: ${message}${error ? `: ${summarizeError(error).message}` : ''}`, { node: node.name, workflowId });
	try {
		await registerConsumer(store, { consumer, workflowId, nodeName: node.name, eventTypes });
	} catch (error) {
		throw toNodeError(node, error);
	}

	const inFlight = new Map<string, { eventIds: string[]; startedAt: number; giveUp: NodeJS.Timeout }>();
	let pumping = false;
	let pumpAgain = false;
	let closed = false;

	const settle = async (runId: string, eventIds: string[], run: IRun | undefined, error?: unknown) => {
		const failure = error !== undefined ? `the run could not finish: ${summarizeError(error).message}` : failureOf(run);
		try {
			if (failure) await markEventsFailed(store, consumer, eventIds, failure);
			else await markEventsDone(store, consumer, eventIds);
		} catch (storeError) {
			// The claim lapses and the events come again; keys keep their effects single.
			log('could not record how a run ended', storeError);
		} finally {
			clearTimeout(inFlight.get(runId)?.giveUp);
			inFlight.delete(runId);
			if (!closed) void pump();
		}
	};

	const startRun = (claimed: ClaimedEvent[]) => {
		const runId = randomUUID();
		const eventIds = claimed.map((c) => c.event.id);
		const giveUp = setTimeout(() => {
			if (!inFlight.delete(runId)) return;
			this.logger.warn(`Loyalty Event Trigger: n8n did not report a run of ${eventIds.length} event(s) finished within ${GIVE_UP_ON_RUN_MS / 1000} s; they will be run again`, { node: node.name, workflowId });
			if (!closed) void pump();
		}, GIVE_UP_ON_RUN_MS);
		giveUp.unref?.();
		inFlight.set(runId, { eventIds, startedAt: Date.now(), giveUp });
		const done = this.helpers.createDeferredPromise<IRun>();
		done.promise.then(
			(run) => settle(runId, eventIds, run),
			(error: unknown) => settle(runId, eventIds, undefined, error ?? new Error('the run was lost')),
		);
		this.emit([itemsOf(claimed.map((c) => c.event))], undefined, done);
	};

	const pump = async () => {
		if (closed) return;
		if (pumping) {
			pumpAgain = true;
			return;
		}
		pumping = true;
		try {
			do {
				pumpAgain = false;
				while (!closed && inFlight.size < MAX_RUNS_IN_FLIGHT) {
					const claimed = await claimOwedEvents(store, consumer, { instance, limit: maxEventsPerRun });
					if (claimed.length === 0) break;
					for (const run of runsOf(claimed)) startRun(run);
				}
			} while (pumpAgain && !closed && inFlight.size < MAX_RUNS_IN_FLIGHT);
		} catch (error) {
			// A store that is briefly unreachable must not switch the workflow off: look again at the next poll.
			log('could not look for recorded events', error);
		} finally {
			pumping = false;
		}
	};

	const heartbeat = async () => {
		const alive = [...inFlight.values()].flatMap((run) => run.eventIds);
		await extendLeases(store, consumer, alive, instance).catch((error: unknown) => log('could not extend its claims', error));
	};

	const poller = setInterval(() => void pump(), pollMs);
	const leases = setInterval(() => void heartbeat(), Math.floor(LEASE_MS / 3));
	const housekeeping = setInterval(() => void forgetDoneDeliveries(store, new Date(Date.now() - KEEP_DONE_MS)).catch(() => undefined), HOUSEKEEPING_MS);
	const unsubscribe = onRecordedEvents(() => void pump());
	void pump();

	return {
		closeFunction: async () => {
			closed = true;
			for (const run of inFlight.values()) clearTimeout(run.giveUp);
			clearInterval(poller);
			clearInterval(leases);
			clearInterval(housekeeping);
			unsubscribe();
			// Runs still in progress report back to `settle`; if this process stops first, their claims lapse and the events come again.
		},
	};
}
