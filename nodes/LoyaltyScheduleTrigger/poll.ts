import type { IDataObject, INodeExecutionData, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { claimDueEvents, claimDueEventsFrom, claimHealthAlerts, currentHealthAlerts, type HealthAlertEvent, type HealthCheckSettings, type RuleEvent, type ScheduleSettings, type Store } from '../../engine';
import { summarizeError, toNodeError } from '../shared/errors';
import { readStoredProgram } from '../shared/program';
import { openStoreFor } from '../shared/store';
import { healthCheckSettingsFrom, pollIntervalMs, scheduleSettingsFrom } from './settings';

/** Thrown to roll a look-only transaction back: a test run must not use up what is due. */
class LookOnly extends Error {}

function itemsOf(events: ReadonlyArray<RuleEvent | HealthAlertEvent>): INodeExecutionData[] {
	return events.map((event) => ({ json: event as unknown as IDataObject }));
}

/** What is due now, without claiming it: for "Test step" on the canvas. A store failure is returned, not thrown. */
async function peekDueEvents(store: Store, settings: ScheduleSettings | undefined, health: HealthCheckSettings | undefined, now: Date): Promise<{ events: Array<RuleEvent | HealthAlertEvent> } | { failure: unknown }> {
	let seen: Array<RuleEvent | HealthAlertEvent> = [];
	const outcome = await store.db
		.transaction(async (sql) => {
			seen = settings ? await claimDueEvents(sql, settings, now) : [];
			throw new LookOnly();
		})
		.then(
			() => undefined,
			(error: unknown) => error,
		);
	if (!(outcome instanceof LookOnly)) return { failure: outcome };
	// The health check's look writes nothing: it shows the problems as they are now, told before or not.
	if (health) {
		try {
			seen.push(...(await currentHealthAlerts(store, health, now)));
		} catch (failure) {
			return { failure };
		}
	}
	return { events: seen };
}

/**
 * Schedule mode: every interval, claim what has become due and start one run with it. The claim is
 * the store's (one row per customer and occurrence), so a restart, an overlapping look or a second
 * n8n main never starts a second run for the same birthday or cart. n8n activates triggers on the
 * leader only, so in queue mode the workers never look.
 */
export async function startSchedule(this: ITriggerFunctions): Promise<ITriggerResponse> {
	const read = (name: string, fallback?: unknown) => this.getNodeParameter(name, fallback as never) as unknown;
	let intervalMs: number;
	try {
		scheduleSettingsFrom(read);
		healthCheckSettingsFrom(read);
		intervalMs = pollIntervalMs(read);
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
	const store = await openStoreFor(this);
	/** Read at every look, so a change of the program's time zone or currency applies from the next look. */
	const currentSettings = async (): Promise<{ settings?: ScheduleSettings; health?: HealthCheckSettings }> => {
		const stored = await readStoredProgram(this, store, read('programId', ''));
		const program = { id: stored.id, currency: stored.settings.currency, timeZone: stored.settings.timeZone };
		return { settings: scheduleSettingsFrom(read, program), health: healthCheckSettingsFrom(read, program) };
	};

	if (this.getMode() === 'manual') {
		return {
			manualTriggerFunction: async () => {
				let current: Awaited<ReturnType<typeof currentSettings>>;
				try {
					current = await currentSettings();
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
				const peeked = await peekDueEvents(store, current.settings, current.health, new Date());
				if ('failure' in peeked) throw toNodeError(this.getNode(), peeked.failure);
				this.emit([itemsOf(peeked.events)]);
			},
		};
	}

	let looking = false;
	const look = async () => {
		if (looking) return;
		looking = true;
		try {
			const now = new Date();
			const { settings, health } = await currentSettings();
			const events: Array<RuleEvent | HealthAlertEvent> = settings ? await claimDueEventsFrom(store, settings, now) : [];
			// Each problem is told once (claimed in the store), so an owner's inbox gets one email per problem, not one per look.
			if (health) events.push(...(await claimHealthAlerts(store, health, now)));
			if (events.length > 0) this.emit([itemsOf(events)]);
			// Said after every look, so a test (or an owner reading debug logs) knows which trigger looked, as of when, found or not.
			const workflowId = this.getWorkflow().id ?? 'unsaved';
			this.logger.debug(`Loyalty Schedule Trigger looked for due events as of ${now.toISOString()}: ${events.length} due (workflow ${workflowId}, node "${this.getNode().name}")`, { node: this.getNode().name, workflowId });
		} catch (error) {
			// A store that is briefly unreachable must not switch the workflow off: log and look again next time.
			this.logger.error(`Loyalty Trigger could not look for due events: ${summarizeError(error).message}`, { node: this.getNode().name });
		} finally {
			looking = false;
		}
	};
	const timer = setInterval(() => void look(), intervalMs);
	void look();
	return {
		closeFunction: async () => {
			clearInterval(timer);
		},
	};
}
