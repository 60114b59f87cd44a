import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { twilio } from '../../../connectors';
import { consentFromSmsKeyword } from '../../../engine';
import { DeliveryLog } from '../../../engine/store/delivery';
import { openStoreFor } from '../../shared/store';
import { rejectSignature, stringValue, type Received, type TriggerSource } from './types';

const TWILIO_CREDENTIAL = 'loyaltyTwilioApi';

/**
 * The URL Twilio called, as Twilio saw it: the configured (or n8n's) webhook URL plus the query
 * string of this request, which for status callbacks carries the decision id Send Offer put there.
 */
function calledUrl(context: IWebhookFunctions, configured: string): string {
	const base = configured.trim() || (context.getNodeWebhookUrl('default') ?? '');
	const requestUrl = context.getRequestObject().originalUrl ?? context.getRequestObject().url ?? '';
	const query = requestUrl.includes('?') ? requestUrl.slice(requestUrl.indexOf('?')) : '';
	return base.includes('?') || !query ? base : base + query;
}

/**
 * Inbound SMS and delivery status callbacks. Nothing is registered at Twilio automatically: the
 * number's (or Messaging Service's) "A message comes in" URL is set to this trigger's URL by hand.
 * A STOP or START changes SMS consent in the store; a status callback updates the send log. Neither
 * starts a workflow run.
 */
export const twilioSource: TriggerSource = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		return true;
	},

	async create(this: IHookFunctions): Promise<boolean> {
		return true;
	},

	async delete(this: IHookFunctions): Promise<boolean> {
		return true;
	},

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		const credentials = await this.getCredentials(TWILIO_CREDENTIAL);
		const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
		const header = headers[twilio.TWILIO_SIGNATURE_HEADER];
		const url = calledUrl(this, stringValue(credentials.webhookUrl));
		const check = twilio.verifyTwilioSignature(rawBody, Array.isArray(header) ? header[0] : header, stringValue(credentials.authToken), url);
		if (!check.valid) return rejectSignature(check.reason);

		const notification = twilio.normalizeTwilioRequest(new URLSearchParams(rawBody.toString('utf8')), url);
		if (notification.kind === 'ignored') return { kind: 'ignore', reason: notification.why };
		const log = new DeliveryLog(await openStoreFor(this));
		const now = new Date();
		if (notification.kind === 'inbound_sms') {
			if (!notification.consentIntent) return { kind: 'ignore', reason: 'an inbound SMS that changes no consent' };
			const changes = consentFromSmsKeyword(notification.consentIntent, now.toISOString(), `twilio:inbound:${notification.body.trim().toUpperCase().slice(0, 20)}`);
			const { recorded } = await log.recordConsent({ identities: { phone: notification.from }, changes, idempotencyKey: `twilio:${notification.messageSid}` }, now);
			return { kind: 'ignore', reason: `SMS consent ${notification.consentIntent === 'opt_out' ? 'withdrawn' : 'restored'}${recorded ? '' : ' (already recorded)'}` };
		}
		await log.applyStatus({
			decisionId: notification.decisionId,
			channel: notification.decisionId ? 'sms' : undefined,
			vendorMessageId: notification.messageSid,
			status: notification.status,
			...(notification.errorCode ? { detail: `Twilio error ${notification.errorCode}` } : {}),
			at: now.toISOString(),
		});
		if (notification.errorCode === twilio.TwilioErrorCode.OptedOut && notification.to) {
			const changes = consentFromSmsKeyword('opt_out', now.toISOString(), 'twilio:error:21610');
			await log.recordConsent({ identities: { phone: notification.to }, changes, idempotencyKey: `twilio:status:${notification.messageSid}` }, now);
		}
		return { kind: 'ignore', reason: `delivery status ${notification.status} recorded` };
	},
};
