import { LoyaltyError, smsKeywordIntent } from '../../engine';

/** What a Twilio webhook says, in the engine's terms. */
export type TwilioNotification =
	| {
			kind: 'inbound_sms';
			messageSid: string;
			from: string;
			to: string;
			body: string;
			/** STOP/START and their synonyms (or Twilio's own OptOutType), else undefined. */
			consentIntent?: 'opt_out' | 'opt_in';
	  }
	| {
			kind: 'status';
			messageSid: string;
			to?: string;
			status: 'sent' | 'delivered' | 'undelivered' | 'failed';
			errorCode?: number;
			/** From the StatusCallback URL Send Offer set; absent for messages sent elsewhere. */
			decisionId?: string;
	  }
	/** Intermediate states (queued, sending, accepted, scheduled) and anything else: nothing to record. */
	| { kind: 'ignored'; messageSid?: string; why: string };

const FINAL_STATUSES = ['sent', 'delivered', 'undelivered', 'failed'] as const;

function required(params: URLSearchParams, name: string): string {
	const value = params.get(name);
	if (!value) throw LoyaltyError.invalid(`twilio.${name}`, 'is missing');
	return value;
}

/** Reads a verified Twilio form body. `callbackUrl` is the URL Twilio called (its query carries the decision id). */
export function normalizeTwilioRequest(params: URLSearchParams, callbackUrl?: string): TwilioNotification {
	const messageSid = params.get('MessageSid') ?? params.get('SmsSid') ?? undefined;
	const messageStatus = params.get('MessageStatus') ?? params.get('SmsStatus');
	if (messageStatus && messageStatus !== 'received') {
		if (!messageSid) throw LoyaltyError.invalid('twilio.MessageSid', 'is missing');
		if (!(FINAL_STATUSES as readonly string[]).includes(messageStatus)) return { kind: 'ignored', messageSid, why: `status ${messageStatus} is not final` };
		const errorCode = params.get('ErrorCode');
		const decisionId = callbackUrl ? new URL(callbackUrl).searchParams.get('decision') ?? undefined : undefined;
		return {
			kind: 'status',
			messageSid,
			to: params.get('To') ?? undefined,
			status: messageStatus as (typeof FINAL_STATUSES)[number],
			...(errorCode ? { errorCode: Number(errorCode) } : {}),
			...(decisionId ? { decisionId } : {}),
		};
	}
	const body = params.get('Body') ?? '';
	const optOutType = params.get('OptOutType')?.toUpperCase();
	const consentIntent = optOutType === 'STOP' ? 'opt_out' : optOutType === 'START' ? 'opt_in' : smsKeywordIntent(body);
	return {
		kind: 'inbound_sms',
		messageSid: required(params, 'MessageSid'),
		from: required(params, 'From'),
		to: params.get('To') ?? '',
		body,
		...(consentIntent ? { consentIntent } : {}),
	};
}
