import { type HttpFunction, type HttpResponse, VendorApiError } from '../http';
import { isObject } from '../shared/payload';
import { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, withRetry } from '../shared/retry';
import { isSuccess, problemDetail, responseHeader, stripTrailingSlashes } from '../shared/transport';

const VENDOR = 'twilio';
const HOST = 'https://api.twilio.com';

/** Twilio error codes with a meaning of their own. */
export const TwilioErrorCode = {
	/** The recipient replied STOP: Twilio refuses every message to them until START. */
	OptedOut: 21610,
	TooManyRequests: 20429,
	InvalidToNumber: 21211,
} as const;

export type TwilioAuth = { kind: 'authToken'; accountSid: string; authToken: string } | { kind: 'apiKey'; accountSid: string; apiKeySid: string; apiKeySecret: string };

export interface TwilioClientOptions {
	auth: TwilioAuth;
	baseUrl?: string;
	retry?: RetryPolicy;
}

export interface TwilioSmsInput {
	to: string;
	body: string;
	/** A Twilio number or sender id; or leave it out and give a Messaging Service. */
	from?: string;
	messagingServiceSid?: string;
	/** Carries the decision id, so the callback finds its send even before the send is finalised. */
	statusCallback?: string;
	/** Twilio holds the message until then (Messaging Service only, 15 min to 35 days ahead). */
	sendAt?: string;
	/** Link Shortening: links become the shop's short links and each click is reported (Messaging Service with a shortening domain only). */
	shortenUrls?: boolean;
}

export interface TwilioMessage {
	sid: string;
	status: string;
}

/** A Twilio error, with `optedOut` set when the number said STOP and `ambiguous` when Twilio may have taken the message. */
export class TwilioApiError extends VendorApiError {
	readonly code?: number;
	readonly optedOut: boolean;
	/** No answer came back to a send: the message may exist. Never retried automatically (Twilio has no idempotency key). */
	readonly ambiguous: boolean;

	constructor(message: string, options: { status?: number; code?: number; retryable: boolean; ambiguous?: boolean; details?: unknown }) {
		super(VENDOR, message, { status: options.status, retryable: options.retryable, details: options.details });
		this.name = 'TwilioApiError';
		this.code = options.code;
		this.optedOut = options.code === TwilioErrorCode.OptedOut;
		this.ambiguous = options.ambiguous ?? false;
	}
}

export interface TwilioClient {
	sendSms(input: TwilioSmsInput): Promise<TwilioMessage>;
	/** Cheap authenticated call, suitable for a credential test. */
	fetchAccount(): Promise<{ sid: string; status: string }>;
}

/** Errors from the socket layer that prove the request never left this machine. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
	for (let current: unknown = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth += 1) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') return code;
	}
	return undefined;
}

export function createTwilioClient(http: HttpFunction, options: TwilioClientOptions): TwilioClient {
	const root = stripTrailingSlashes(options.baseUrl ?? HOST);
	const retry = options.retry ?? DEFAULT_RETRY;
	const { auth } = options;
	const user = auth.kind === 'authToken' ? auth.accountSid : auth.apiKeySid;
	const secret = auth.kind === 'authToken' ? auth.authToken : auth.apiKeySecret;
	const headers = { Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`, Accept: 'application/json' };
	const account = `/2010-04-01/Accounts/${encodeURIComponent(auth.accountSid)}`;

	async function post(path: string, form: Record<string, string>): Promise<HttpResponse> {
		return withRetry(retry, async () => {
			let response: HttpResponse;
			try {
				response = await http({ method: 'POST', url: `${root}${path}`, headers, form });
			} catch (error) {
				const code = causeCode(error);
				const reason = error instanceof Error ? error.message : String(error);
				if (code && NEVER_SENT.has(code)) throw new TwilioApiError(`Could not reach Twilio: ${reason}`, { retryable: true, details: error });
				throw new TwilioApiError(`No answer from Twilio (${reason}); the message may or may not have been sent, so it is not sent again`, { retryable: false, ambiguous: true, details: error });
			}
			if (!isSuccess(response)) throw twilioError(response);
			return response;
		});
	}

	return {
		async sendSms(input) {
			if (!input.from && !input.messagingServiceSid) throw new TwilioApiError('Twilio needs a sender: a From number or a Messaging Service', { retryable: false });
			const form: Record<string, string> = { To: input.to, Body: input.body };
			if (input.from) form.From = input.from;
			if (input.messagingServiceSid) form.MessagingServiceSid = input.messagingServiceSid;
			if (input.statusCallback) form.StatusCallback = input.statusCallback;
			if (input.shortenUrls) {
				if (!input.messagingServiceSid) throw new TwilioApiError('Twilio shortens links only through a Messaging Service', { retryable: false });
				form.ShortenUrls = 'true';
			}
			if (input.sendAt) {
				if (!input.messagingServiceSid) throw new TwilioApiError('Twilio schedules messages only through a Messaging Service', { retryable: false });
				form.SendAt = input.sendAt;
				form.ScheduleType = 'fixed';
			}
			const response = await post(`${account}/Messages.json`, form);
			const body = isObject(response.body) ? response.body : {};
			if (typeof body.sid !== 'string') throw new TwilioApiError("Twilio's answer has no message sid", { retryable: false, details: response.body });
			return { sid: body.sid, status: String(body.status ?? 'queued') };
		},

		async fetchAccount() {
			let response: HttpResponse;
			try {
				response = await http({ method: 'GET', url: `${root}${account}.json`, headers });
			} catch (error) {
				throw new TwilioApiError(`Could not reach Twilio: ${error instanceof Error ? error.message : String(error)}`, { retryable: true, details: error });
			}
			if (!isSuccess(response)) throw twilioError(response);
			const body = isObject(response.body) ? response.body : {};
			return { sid: String(body.sid ?? ''), status: String(body.status ?? '') };
		},
	};
}

/** Twilio errors look like `{ code, message, more_info, status }`. */
export function twilioError(response: HttpResponse): TwilioApiError {
	const body = isObject(response.body) ? response.body : undefined;
	const code = typeof body?.code === 'number' ? body.code : undefined;
	const text = typeof body?.message === 'string' ? body.message : problemDetail(response.body);
	let message = `Twilio${code ? ` error ${code}` : ` answered HTTP ${response.status}`}${text ? `: ${text}` : ''}`;
	if (code === TwilioErrorCode.OptedOut) message += '. The customer replied STOP; their SMS consent is withdrawn.';
	if (response.status === 401) message += '. Check the Account SID and Auth Token (or API Key and Secret).';
	const retryable = response.status === 429 || response.status >= 500 || code === TwilioErrorCode.TooManyRequests;
	const retryAfterMs = retryable ? parseRetryAfter(responseHeader(response, 'retry-after')) : undefined;
	return new TwilioApiError(message, { status: response.status, code, retryable, details: { body: response.body, retryHint: { retryAfterMs } } });
}
