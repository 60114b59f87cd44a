import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { LoyaltyEvent, ProductSnapshot } from '../../../engine';

/** What a source made of one delivery, before anything is recorded. */
export type Received =
	/** Answer 2xx and start no workflow run (WooCommerce ping, unsubscribed topic, nothing to record). */
	| { kind: 'ignore'; reason: string }
	/** Answer with this status and body, record nothing (bad signature, malformed payload). */
	| { kind: 'reject'; status: number; body: IDataObject }
	/**
	 * Verified and normalized: record these and owe them to the Loyalty Event Triggers. `products`
	 * are catalog and stock reports, compared with the last ones kept (engine/browse): a price drop
	 * or restock becomes one alert event per interested customer.
	 */
	| { kind: 'events'; events: LoyaltyEvent[]; products?: ProductSnapshot[] };

/**
 * One delivery source of the Loyalty Trigger: its webhook registration lifecycle (run by n8n on
 * activation and deactivation) and how it turns one request into canonical events.
 */
export interface TriggerSource {
	checkExists(this: IHookFunctions): Promise<boolean>;
	create(this: IHookFunctions): Promise<boolean>;
	delete(this: IHookFunctions): Promise<boolean>;
	receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received>;
}

/** Sources whose sender is set up by hand register nothing: see nodes/shared/webhookLifecycle.ts. */
export { REGISTERED_BY_HAND } from '../../shared/webhookLifecycle';

export function rejectSignature(reason: string): Received {
	return { kind: 'reject', status: 401, body: { error: 'Signature check failed', reason } };
}

/** The body is signed bytes; parse exactly those bytes so what was verified is what is normalized. */
export function parseJsonBody(rawBody: Buffer): { ok: true; value: unknown } | { ok: false; result: Received } {
	try {
		return { ok: true, value: JSON.parse(rawBody.toString('utf8')) as unknown };
	} catch {
		return { ok: false, result: { kind: 'reject', status: 400, body: { error: 'The body is not valid JSON', field: 'body' } } };
	}
}

export function stringValue(value: unknown): string {
	return typeof value === 'string' ? value : '';
}
