import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { VendorApiError } from '../../connectors';
import { isLoyaltyError, type LoyaltyEvent } from '../../engine';
import { toNodeError } from '../shared/errors';
import { openStoreFor } from '../shared/store';
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
 * Verifies, normalizes and records one delivery. Bad signature → 401, malformed payload → 400,
 * vendor or store trouble → 5xx (the sender retries); nothing is recorded in any of those cases.
 * Events seen before (duplicate deliveries) are dropped; when nothing new is left, the sender gets
 * 200 and no workflow run starts.
 */
export async function receiveDelivery(this: IWebhookFunctions, source: TriggerSource): Promise<IWebhookResponseData> {
	let received: Received;
	let fresh: LoyaltyEvent[];
	try {
		received = await source.receive.call(this, await rawBodyOf(this));
		if (received.kind === 'reject') return respond(this, received.status, received.body);
		if (received.kind === 'ignore') return { webhookResponse: { received: true, ignored: received.reason } };

		fresh = [];
		if (received.events.length > 0) {
			// The store upserts the customer in the same transaction that records the event.
			const store = await openStoreFor(this);
			// Each workflow's trigger is its own subscription: it runs once per event, whatever other workflows got.
			const consumer = `${this.getWorkflow().id ?? 'unsaved'}:${this.getNode().id}`;
			for (const event of received.events) {
				const { inserted } = await store.recordEvent(event, new Date(), { consumer });
				if (inserted) fresh.push(event);
			}
		}
	} catch (error) {
		const answer = errorAnswer(error);
		if (answer) return respond(this, answer.status, answer.body);
		throw toNodeError(this.getNode(), error);
	}

	if (received.events.length === 0) {
		return { webhookResponse: { received: true, ignored: 'nothing in this delivery changes loyalty data' } };
	}
	if (fresh.length === 0) return { webhookResponse: { received: true, duplicate: true } };
	const items: INodeExecutionData[] = fresh.map((event) => ({ json: event as unknown as IDataObject }));
	return { workflowData: [items] };
}

/** Which engine and vendor failures the sender should hear about, and with which status. */
function errorAnswer(error: unknown): { status: number; body: IDataObject } | undefined {
	if (isLoyaltyError(error)) {
		if (error.code === 'store_error') {
			return { status: error.retryable ? 503 : 500, body: { error: 'The loyalty store is unavailable', retryable: error.retryable } };
		}
		return { status: error.code === 'conflict' ? 409 : 400, body: { error: error.message, field: error.field ?? null } };
	}
	if (error instanceof VendorApiError) {
		return { status: error.retryable ? 503 : 502, body: { error: error.message, retryable: error.retryable } };
	}
	return undefined;
}
