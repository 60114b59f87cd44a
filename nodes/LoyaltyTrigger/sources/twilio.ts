import type { IWebhookFunctions } from 'n8n-workflow';

import { twilio } from '../../../connectors';
import { consentFromSmsKeyword, DeliveryLog, ErrorCode, isLoyaltyError, type ConsentChange } from '../../../engine';
import { openDeliveryStore } from '../deliveryStore';
import { REGISTERED_BY_HAND, parseJsonBody, rejectSignature, stringValue, type Received, type TriggerSource } from './types';

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

function isJsonBody(rawBody: Buffer): boolean {
	const first = rawBody.toString('utf8').trimStart()[0];
	return first === '{' || first === '[';
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Records a consent change; for a number whose owner asked to be erased a STOP has nothing left to
 * change, so it is acknowledged and kept nowhere (a START, consent given anew, is recorded).
 */
async function recordConsentUnlessErased(log: DeliveryLog, change: ConsentChange, now: Date): Promise<{ recorded: boolean; erased?: true }> {
	// Any other failure goes on as it was, to the trigger's own handling (retry or quarantine).
	return log.recordConsent(change, now).catch((error: unknown) => (isLoyaltyError(error) && error.code === ErrorCode.CustomerErased ? { recorded: false, erased: true as const } : Promise.reject(error)));
}

/** A verified link click: recorded against the SMS it came from; no workflow run. */
async function recordClick(context: IWebhookFunctions, click: ReturnType<typeof twilio.normalizeTwilioLinkClick>): Promise<Received> {
	if (click.kind === 'ignored') return { kind: 'ignore', reason: click.why };
	const now = new Date();
	const result = await new DeliveryLog(await openDeliveryStore(context)).recordEngagement(click.fact, now);
	if (result.outcome === 'ignored') return { kind: 'ignore', reason: `SMS link click not recorded: ${result.reason}` };
	return { kind: 'ignore', reason: `SMS link click recorded for decision ${result.engagement.decisionId}${result.outcome === 'duplicate' ? ' (already recorded)' : ''}` };
}

/**
 * Inbound SMS, delivery status callbacks and Link Shortening click callbacks. Nothing is registered at Twilio automatically: the
 * number's (or Messaging Service's) "A message comes in" URL is set to this trigger's URL by hand.
 * A STOP or START changes SMS consent in the store; a status callback updates the send log; a link
 * click (the shortening domain's click tracking callback URL, set to this same URL) is recorded as
 * engagement with the SMS. None starts a workflow run.
 */
export const twilioSource: TriggerSource = {
	...REGISTERED_BY_HAND,

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		const credentials = await this.getCredentials(TWILIO_CREDENTIAL);
		const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
		const header = headers[twilio.TWILIO_SIGNATURE_HEADER];
		const url = calledUrl(this, stringValue(credentials.webhookUrl));
		// Link click callbacks may be JSON, signed through the bodySHA256 in the URL; everything else is a signed form.
		const json = isJsonBody(rawBody);
		const verify = json ? twilio.verifyTwilioJsonSignature : twilio.verifyTwilioSignature;
		const check = verify(rawBody, Array.isArray(header) ? header[0] : header, stringValue(credentials.authToken), url);
		if (!check.valid) return rejectSignature(check.reason);

		if (json) {
			const body = parseJsonBody(rawBody);
			if (!body.ok) return body.result;
			if (!isObject(body.value) || !twilio.isTwilioLinkClick(body.value)) return { kind: 'ignore', reason: 'a JSON request that is not a link click' };
			return recordClick(this, twilio.normalizeTwilioLinkClick(body.value, new Date().toISOString()));
		}
		const params = new URLSearchParams(rawBody.toString('utf8'));
		const form = Object.fromEntries(params);
		if (twilio.isTwilioLinkClick(form)) return recordClick(this, twilio.normalizeTwilioLinkClick(form, new Date().toISOString()));

		const notification = twilio.normalizeTwilioRequest(params, url);
		if (notification.kind === 'ignored') return { kind: 'ignore', reason: notification.why };
		const log = new DeliveryLog(await openDeliveryStore(this));
		const now = new Date();
		if (notification.kind === 'inbound_sms') {
			if (!notification.consentIntent) return { kind: 'ignore', reason: 'an inbound SMS that changes no consent' };
			const changes = consentFromSmsKeyword(notification.consentIntent, now.toISOString(), `twilio:inbound:${notification.body.trim().toUpperCase().slice(0, 20)}`);
			const { recorded, erased } = await recordConsentUnlessErased(log, { identities: { phone: notification.from }, changes, idempotencyKey: `twilio:${notification.messageSid}` }, now);
			if (erased) return { kind: 'ignore', reason: 'not recorded: the owner of this number asked for their data to be erased' };
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
			await recordConsentUnlessErased(log, { identities: { phone: notification.to }, changes, idempotencyKey: `twilio:status:${notification.messageSid}` }, now);
		}
		return { kind: 'ignore', reason: `delivery status ${notification.status} recorded` };
	},
};
