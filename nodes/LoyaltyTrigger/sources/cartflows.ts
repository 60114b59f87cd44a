import type { IWebhookFunctions } from 'n8n-workflow';

import { cartflows } from '../../../connectors';
import { CredentialName } from '../../shared/credentials';
import { REGISTERED_BY_HAND, rejectSignature, stringValue, type Received, type TriggerSource } from './types';

/**
 * CartFlows' "Cart Abandonment Recovery" plugin for WooCommerce: its webhook setting takes a URL
 * and posts each abandoned (and later recovered) cart there, form-encoded and unsigned. The shared
 * secret rides in the URL as `?token=`. Nothing is registered remotely: the owner pastes the URL.
 */
export const cartFlowsSource: TriggerSource = {
	...REGISTERED_BY_HAND,

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		const credentials = await this.getCredentials(CredentialName.GenericWebhook);
		const check = cartflows.verifyCartFlowsToken(this.getQueryData(), stringValue(credentials.secret));
		if (!check.valid) return rejectSignature(check.reason);
		// The raw bytes, not n8n's parsed body: what was received is exactly what is normalized.
		if (cartflows.isCartFlowsSample(rawBody)) return { kind: 'ignore', reason: 'the plugin\'s "Trigger Sample" delivery reached the trigger; nothing recorded' };
		const events = cartflows.normalizeCartFlowsDelivery({
			body: rawBody,
			receivedAt: new Date().toISOString(),
			defaultCurrency: stringValue(this.getNodeParameter('defaultCurrency', '')),
		});
		return { kind: 'events', events };
	},
};
