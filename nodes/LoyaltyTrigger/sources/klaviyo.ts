import type { IWebhookFunctions } from 'n8n-workflow';

import { klaviyo } from '../../../connectors';
import { DeliveryLog } from '../../../engine';
import { CredentialName } from '../../shared/credentials';
import { openDeliveryStore } from '../deliveryStore';
import { REGISTERED_BY_HAND, parseJsonBody, rejectSignature, stringValue, type Received, type TriggerSource } from './types';

/**
 * Klaviyo's "Started Checkout", forwarded by a webhook action in a Klaviyo flow, with the shared
 * secret as a fixed header. Nothing is registered remotely: the owner builds the flow. The same
 * URL takes Viewed Product (a body with `metric`, from a flow triggered by Viewed Product) and the offer flow's open/click reports (a body with `engagement`): those are recorded in
 * the send log and start no workflow run.
 */
export const klaviyoSource: TriggerSource = {
	...REGISTERED_BY_HAND,

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		const credentials = await this.getCredentials(CredentialName.GenericWebhook);
		const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
		const check = klaviyo.verifyKlaviyoToken(headers, stringValue(credentials.secret));
		if (!check.valid) return rejectSignature(check.reason);
		const body = parseJsonBody(rawBody);
		if (!body.ok) return body.result;
		if (klaviyo.isKlaviyoEngagement(body.value)) {
			const now = new Date();
			const fact = klaviyo.normalizeKlaviyoEngagement(body.value, now.toISOString());
			const result = await new DeliveryLog(await openDeliveryStore(this)).recordEngagement(fact, now);
			if (result.outcome === 'ignored') return { kind: 'ignore', reason: `email ${fact.kind} not recorded: ${result.reason}` };
			return { kind: 'ignore', reason: `email ${fact.kind} recorded for decision ${result.engagement.decisionId}${result.outcome === 'duplicate' ? ' (already recorded)' : ''}` };
		}
		if (klaviyo.isKlaviyoViewedProduct(body.value)) {
			const views = klaviyo.normalizeKlaviyoViewedProduct({ payload: body.value, receivedAt: new Date().toISOString(), defaultCurrency: stringValue(this.getNodeParameter('defaultCurrency', '')) });
			return { kind: 'events', events: views };
		}
		const events = klaviyo.normalizeKlaviyoStartedCheckout({
			payload: body.value,
			receivedAt: new Date().toISOString(),
			defaultCurrency: stringValue(this.getNodeParameter('defaultCurrency', '')),
		});
		return { kind: 'events', events };
	},
};
