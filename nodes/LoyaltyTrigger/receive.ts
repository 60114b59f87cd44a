import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { VendorApiError } from '../../connectors';
import { REPLAY_HEADER, acceptEvents, acceptProductSnapshots, DEFAULT_BROWSE_SETTINGS, isLoyaltyError, quarantineDelivery, releaseFromQuarantine, type AcceptedProduct, type BrowseSettings, type Store } from '../../engine';
import { toNodeError } from '../shared/errors';
import { openDeliveryStore } from './deliveryStore';
import type { Received, TriggerSource } from './sources/types';

/**
 * The exact bytes the sender signed. n8n's body parser keeps them on `req.rawBody` (a Buffer) for
 * every webhook of a version-1 node; `readRawBody()` fills it in when the body was not parsed yet.
 */
export async function rawBodyOf(context: IWebhookFunctions): Promise<Buffer> {
	const request = context.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function') await request.readRawBody();
	if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
	// Only reached on a host that hands over no raw body at all. Re-serialising the parsed body
	// seldom reproduces the signed bytes, so such deliveries will usually fail the signature check
	// (closed), which is the safe outcome.
	const body = context.getBodyData() as unknown;
	return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? {}), 'utf8');
}

function respond(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * Intake of one delivery. A bad signature gets 401 and nothing is kept. A signed delivery is
 * always acknowledged with 200: its events are recorded and owed to every Loyalty Event Trigger
 * that listens for them (at least once, until a run finishes), or, when it cannot become events
 * (a wrong field, an unknown currency, a refund of an unknown order, a vendor lookup that failed
 * for good), it is quarantined with the reason, to be replayed after a fix. Only trouble that a
 * retry can cure (the store or a vendor briefly down) answers 5xx, so the sender tries again.
 * Events about a person who asked to be erased are acknowledged and kept nowhere.
 *
 * No workflow run starts here in production: the event triggers start them, and finish them.
 * "Listen for test event" shows the delivery's events on the canvas.
 */
export async function receiveDelivery(this: IWebhookFunctions, source: TriggerSource, sourceName: string): Promise<IWebhookResponseData> {
	const rawBody = await rawBodyOf(this);
	let received: Received;
	try {
		received = await source.receive.call(this, rawBody);
	} catch (error) {
		return await answerFailure(this, sourceName, rawBody, error);
	}
	if (received.kind === 'reject') {
		if (received.status === 401) return respond(this, 401, received.body);
		// Signed but unreadable (not JSON, not a form): keep it, the shop sent it on purpose.
		const message = typeof received.body.error === 'string' ? received.body.error : 'the delivery could not be read';
		const field = typeof received.body.field === 'string' ? received.body.field : undefined;
		return await quarantine(this, sourceName, rawBody, { code: 'invalid_input', field, message });
	}
	if (received.kind === 'ignore') return { webhookResponse: { received: true, ignored: received.reason } };
	const productReports = received.products ?? [];
	if (received.events.length === 0 && productReports.length === 0) return { webhookResponse: { received: true, ignored: 'nothing in this delivery changes loyalty data' } };

	let store: Store;
	let accepted: Awaited<ReturnType<typeof acceptEvents>>;
	let products: AcceptedProduct[];
	try {
		store = await openDeliveryStore(this);
		const browse = browseSettingsOf(this);
		accepted = await acceptEvents(store, received.events, new Date(), { browse });
		// Alerts are keyed by the report and the customer: after a failure here, the sender's retry finishes the job.
		products = await acceptProductSnapshots(store, productReports, new Date(), browse);
	} catch (error) {
		return await answerFailure(this, sourceName, rawBody, error);
	}
	if (accepted.length === 0) return answerProducts(this, products);
	const replayOf = headerText(this, REPLAY_HEADER);
	const fresh = accepted.filter((a) => a.inserted).length;
	// Events about a person who asked to be erased are acknowledged and not kept, not even in quarantine.
	const refused = accepted.filter((a) => a.refused);
	if (refused.length === accepted.length) return { webhookResponse: { received: true, ignored: `not recorded: ${refused[0].refused}` } };
	if (replayOf) await releaseFromQuarantine(store, sourceName, rawBody, `replayed: ${accepted.length} event(s), ${fresh} new`).catch(() => undefined);
	if (this.getMode() === 'manual' && fresh > 0) {
		// "Listen for test event": show what this delivery recorded on the canvas.
		const items: INodeExecutionData[] = accepted.filter((a) => a.inserted).map(({ event }) => ({ json: event as unknown as IDataObject }));
		return { workflowData: [items] };
	}
	return {
		webhookResponse: {
			received: true,
			events: accepted.length,
			new: fresh,
			...(refused.length > 0 ? { notRecorded: refused.length, notRecordedWhy: refused[0].refused } : {}),
			...(fresh === 0 ? { duplicate: true, stillOwed: accepted.reduce((n, a) => n + a.owed, 0) } : {}),
			...(products.length > 0 ? { products: products.length, alerts: products.reduce((n, p) => n + p.alerts.length, 0) } : {}),
		},
	};
}

/** The trigger's browse settings (how long views are kept, whose interest an alert goes to). */
function browseSettingsOf(context: IWebhookFunctions): Partial<BrowseSettings> {
	// Each source shows only the setting it uses; the other is read as its default.
	const number = (name: string, fallback: number): number => {
		const value = context.getNodeParameter(name, fallback) as unknown;
		return typeof value === 'number' ? value : fallback;
	};
	return { retentionDays: number('viewRetentionDays', DEFAULT_BROWSE_SETTINGS.retentionDays), alertWindowDays: number('alertWindowDays', DEFAULT_BROWSE_SETTINGS.alertWindowDays) };
}

/** A catalog or stock delivery: what changed, and how many customers are told. */
function answerProducts(context: IWebhookFunctions, products: readonly AcceptedProduct[]): IWebhookResponseData {
	const alerts = products.flatMap((p) => p.alerts);
	const fresh = alerts.filter((a) => a.inserted);
	if (context.getMode() === 'manual' && fresh.length > 0) return { workflowData: [fresh.map(({ event }) => ({ json: event as unknown as IDataObject }))] };
	return {
		webhookResponse: {
			received: true,
			products: products.map((p) => ({
				id: p.productId,
				change: p.change,
				...(p.priceDropPercent !== undefined ? { priceDropPercent: p.priceDropPercent } : {}),
				...(p.backInStock ? { backInStock: true } : {}),
				alerts: p.alerts.length,
			})),
			alerts: alerts.length,
			new: fresh.length,
		},
	};
}

/** Retryable trouble → 5xx (the sender retries); anything else about a signed delivery → quarantine. */
async function answerFailure(context: IWebhookFunctions, sourceName: string, rawBody: Buffer, error: unknown): Promise<IWebhookResponseData> {
	if (isLoyaltyError(error)) {
		if (error.code === 'store_error') return respond(context, error.retryable ? 503 : 500, { error: 'The loyalty store is unavailable', retryable: error.retryable });
		return await quarantine(context, sourceName, rawBody, { code: error.code, field: error.field, message: error.message });
	}
	if (error instanceof VendorApiError) {
		if (error.retryable) return respond(context, 503, { error: error.message, retryable: true });
		return await quarantine(context, sourceName, rawBody, { code: 'vendor_error', message: error.message });
	}
	throw toNodeError(context.getNode(), error);
}

async function quarantine(context: IWebhookFunctions, sourceName: string, rawBody: Buffer, error: { code: string; field?: string; message: string }): Promise<IWebhookResponseData> {
	let kept: { id: string; timesSeen: number };
	try {
		const store = await openDeliveryStore(context);
		kept = await quarantineDelivery(store, {
			source: sourceName,
			workflowId: context.getWorkflow().id,
			nodeName: context.getNode().name,
			deliveryId: deliveryIdOf(context),
			url: replayUrl(context),
			headers: verificationHeaders(context),
			body: rawBody,
			error,
		});
	} catch (storeError) {
		// Nowhere to keep it: the sender must try again later.
		return respond(context, 503, { error: 'The loyalty store is unavailable', retryable: true, reason: error.message, detail: storeError instanceof Error ? storeError.message : String(storeError) });
	}
	context.logger.warn(`Loyalty Trigger quarantined a ${sourceName} delivery: ${error.message}`, { node: context.getNode().name, quarantineId: kept.id });
	return { webhookResponse: { received: true, quarantined: true, id: kept.id, reason: error.message, field: error.field ?? null } };
}

function headerText(context: IWebhookFunctions, name: string): string | undefined {
	const value = (context.getHeaderData() as Record<string, string | string[] | undefined>)[name];
	return Array.isArray(value) ? value[0] : value;
}

function deliveryIdOf(context: IWebhookFunctions): string | undefined {
	return headerText(context, 'x-wc-webhook-delivery-id') ?? headerText(context, 'i-twilio-idempotency-token');
}

/** The headers that sign a delivery or say what it is; never cookies or authorization. */
function verificationHeaders(context: IWebhookFunctions): Record<string, string> {
	const kept: Record<string, string> = {};
	for (const [name, value] of Object.entries(context.getHeaderData() as Record<string, string | string[] | undefined>)) {
		const lower = name.toLowerCase();
		if (value === undefined || lower === REPLAY_HEADER) continue;
		if (lower.startsWith('x-') || lower.startsWith('i-twilio-') || lower === 'content-type' || lower === 'user-agent') kept[lower] = Array.isArray(value) ? value.join(', ') : value;
	}
	return kept;
}

/** The production URL with the delivery's query (CartFlows puts its token there), for a replay. */
function replayUrl(context: IWebhookFunctions): string | undefined {
	const base = context.getNodeWebhookUrl('default');
	if (!base) return undefined;
	const requested = context.getRequestObject().url ?? '';
	const query = requested.includes('?') ? requested.slice(requested.indexOf('?')) : '';
	return base + query;
}
