/**
 * Twilio's 2010-04-01 Messages API as this project uses it: messages created (form-encoded, basic
 * auth), then their status callbacks POSTed (sent, delivered) and signed with X-Twilio-Signature;
 * scheduled messages through a Messaging Service; inbound messages (STOP opts the number out,
 * and Twilio then refuses messages to it with error 21610).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Outbox, OutgoingDelivery } from './outbox';
import { basicAuth, json, type SandboxRequest, type SandboxResponse, type VendorRequest } from './types';

type Json = Record<string, unknown>;

const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

export interface TwilioMessage {
	sid: string;
	to: string;
	from: string | null;
	body: string;
	status: string;
	messagingServiceSid: string | null;
	statusCallback?: string;
	sendAt?: string;
	resource: Json;
	/** Status callbacks POSTed for it. */
	callbacks: OutgoingDelivery[];
}

function twilioError(status: number, code: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
	return json(status, { code, message, more_info: `twilio error ${code}`, status }, headers);
}

function sid(prefix: string): string {
	return prefix + randomBytes(16).toString('hex');
}

/** Twilio's recipe: URL, then each parameter name + value sorted by name; HMAC-SHA1 with the auth token, base64. */
export function twilioRequestSignature(authToken: string, url: string, params: Record<string, string>): string {
	const data = Object.keys(params)
		.sort()
		.reduce((acc, key) => acc + key + params[key], url);
	return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export class TwilioSandbox {
	readonly requests: VendorRequest[] = [];
	delayMs = 0;
	readonly messages: TwilioMessage[] = [];
	readonly optedOut = new Set<string>();
	/** Where inbound messages go unless `sendInbound` names a URL. */
	inboundUrl?: string;

	constructor(
		private readonly outbox: Outbox,
		readonly accountSid: string,
		readonly authToken: string,
	) {}

	/** A customer texts the shop's number: POSTed, signed, to `url` (or `inboundUrl`). STOP opts the number out. */
	async sendInbound(input: { from: string; to?: string; body: string; url?: string }): Promise<OutgoingDelivery> {
		const url = input.url ?? this.inboundUrl;
		if (!url) throw new Error('no URL for inbound messages: pass url or set inboundUrl');
		const word = input.body.trim().toUpperCase();
		if (STOP_WORDS.has(word)) this.optedOut.add(input.from);
		if (START_WORDS.has(word)) this.optedOut.delete(input.from);
		const messageSid = sid('SM');
		const params: Record<string, string> = { ToCountry: 'US', SmsMessageSid: messageSid, NumMedia: '0', SmsSid: messageSid, SmsStatus: 'received', Body: input.body, To: input.to ?? '+15005550006', NumSegments: '1', MessageSid: messageSid, AccountSid: this.accountSid, From: input.from, ApiVersion: '2010-04-01' };
		if (STOP_WORDS.has(word)) params.OptOutType = 'STOP';
		return this.outbox.post('twilio', url, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioRequestSignature(this.authToken, url, params) }, new URLSearchParams(params).toString());
	}

	/** Sends the scheduled messages now (Twilio's SendAt reached). */
	async releaseScheduled(): Promise<void> {
		for (const message of this.messages.filter((m) => m.status === 'scheduled')) {
			message.status = 'queued';
			message.resource.status = 'queued';
			await this.progress(message);
		}
	}

	async handle(request: SandboxRequest): Promise<SandboxResponse> {
		const auth = basicAuth(request);
		if (!auth || auth.user !== this.accountSid || auth.password !== this.authToken) return twilioError(401, 20003, 'Authenticate');
		const account = `/2010-04-01/Accounts/${this.accountSid}`;
		const route = request.pathname;
		let m: RegExpExecArray | null;
		if (route === `${account}.json` && request.method === 'GET') {
			return json(200, { sid: this.accountSid, friendly_name: 'Sandbox coffee shop', status: 'active', type: 'Full', auth_token: this.authToken, owner_account_sid: this.accountSid, date_created: rfc2822(), date_updated: rfc2822(), uri: `${account}.json`, subresource_uris: { messages: `${account}/Messages.json` } });
		}
		if (route === `${account}/Messages.json` && request.method === 'POST') return this.create(request.form ?? new URLSearchParams());
		if (route === `${account}/Messages.json` && request.method === 'GET') {
			return json(200, { messages: this.messages.map((msg) => msg.resource), end: Math.max(0, this.messages.length - 1), first_page_uri: `${account}/Messages.json?PageSize=50&Page=0`, next_page_uri: null, page: 0, page_size: 50, previous_page_uri: null, start: 0, uri: `${account}/Messages.json?PageSize=50&Page=0` });
		}
		if ((m = new RegExp(`^${account}/Messages/(SM[0-9a-f]{32})\\.json$`).exec(route)) && request.method === 'GET') {
			const message = this.messages.find((msg) => msg.sid === m![1]);
			return message ? json(200, message.resource) : twilioError(404, 20404, `The requested resource ${route} was not found`);
		}
		return twilioError(404, 20404, `The requested resource ${route} was not found`);
	}

	private create(form: URLSearchParams): SandboxResponse {
		const to = form.get('To') ?? '';
		const from = form.get('From');
		const service = form.get('MessagingServiceSid');
		const body = form.get('Body') ?? '';
		if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
		if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
		if (!from && !service) return twilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
		if (!body && !form.get('MediaUrl')) return twilioError(400, 21602, 'Message body is required.');
		if (this.optedOut.has(to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
		const sendAt = form.get('SendAt') ?? undefined;
		if (sendAt) {
			if (!service) return twilioError(400, 35111, 'MessagingServiceSid is required to schedule a message.');
			if (form.get('ScheduleType') !== 'fixed') return twilioError(400, 35114, 'ScheduleType must be fixed.');
			const ahead = Date.parse(sendAt) - Date.now();
			if (!(ahead >= 15 * 60_000 - 60_000 && ahead <= 35 * 86_400_000)) return twilioError(400, 35114, 'SendAt must be between 15 minutes and 35 days in the future.');
		}
		const messageSid = sid('SM');
		const status = sendAt ? 'scheduled' : service ? 'accepted' : 'queued';
		const account = `/2010-04-01/Accounts/${this.accountSid}`;
		const resource: Json = {
			account_sid: this.accountSid,
			api_version: '2010-04-01',
			body,
			date_created: rfc2822(),
			date_sent: null,
			date_updated: rfc2822(),
			direction: 'outbound-api',
			error_code: null,
			error_message: null,
			from: from ?? null,
			messaging_service_sid: service ?? null,
			num_media: '0',
			num_segments: String(Math.max(1, Math.ceil(body.length / 160))),
			price: null,
			price_unit: 'USD',
			sid: messageSid,
			status,
			subresource_uris: { media: `${account}/Messages/${messageSid}/Media.json` },
			to,
			uri: `${account}/Messages/${messageSid}.json`,
		};
		const message: TwilioMessage = { sid: messageSid, to, from: from ?? null, body, status, messagingServiceSid: service ?? null, statusCallback: form.get('StatusCallback') ?? undefined, sendAt, resource, callbacks: [] };
		this.messages.push(message);
		return { ...json(201, { ...resource }), after: () => (sendAt ? undefined : void this.progress(message)) };
	}

	/** queued → sent → delivered, each reported to the StatusCallback, one after the other. */
	private async progress(message: TwilioMessage): Promise<void> {
		for (const status of ['sent', 'delivered']) {
			message.status = status;
			message.resource.status = status;
			message.resource.date_updated = rfc2822();
			if (status === 'sent') message.resource.date_sent = rfc2822();
			if (!message.statusCallback) continue;
			const params: Record<string, string> = { AccountSid: this.accountSid, ApiVersion: '2010-04-01', MessageSid: message.sid, MessageStatus: status, SmsSid: message.sid, SmsStatus: status, To: message.to };
			if (message.from) params.From = message.from;
			if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
			const url = message.statusCallback;
			message.callbacks.push(await this.outbox.post('twilio', url, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioRequestSignature(this.authToken, url, params) }, new URLSearchParams(params).toString()));
		}
	}
}

function rfc2822(): string {
	return new Date().toUTCString().replace('GMT', '+0000');
}
