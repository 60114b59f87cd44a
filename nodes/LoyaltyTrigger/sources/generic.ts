import type { IWebhookFunctions } from 'n8n-workflow';

import { generic } from '../../../connectors';
import { CredentialName } from '../../shared/credentials';
import { REGISTERED_BY_HAND, parseJsonBody, rejectSignature, stringValue, type Received, type TriggerSource } from './types';

/** Any system that signs its JSON with the shared secret. Nothing to register remotely. */
export const genericSource: TriggerSource = {
	...REGISTERED_BY_HAND,

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		const credentials = await this.getCredentials(CredentialName.GenericWebhook);
		const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
		const header = headers[generic.GENERIC_SIGNATURE_HEADER.toLowerCase()];
		const check = generic.verifyGenericSignature(rawBody, Array.isArray(header) ? header[0] : header, stringValue(credentials.secret));
		if (!check.valid) return rejectSignature(check.reason);
		const body = parseJsonBody(rawBody);
		if (!body.ok) return body.result;
		const delivery = generic.normalizeGenericDelivery(body.value);
		return { kind: 'events', events: delivery.events, products: delivery.products };
	},
};
