import { type HttpFunction, type HttpRequest, type HttpResponse, VendorApiError } from '../http';
import { isObject } from '../shared/payload';
import { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, withRetry } from '../shared/retry';
import { isSuccess, problemDetail, responseHeader, send, stripTrailingSlashes } from '../shared/transport';

const VENDOR = 'klaviyo';

/** The API revision the request bodies are written against; configurable on the credential. */
export const KLAVIYO_REVISION = '2026-07-15';
const HOST = 'https://a.klaviyo.com';
const JSON_API = 'application/vnd.api+json';

export interface KlaviyoClientOptions {
	apiKey: string;
	revision?: string;
	/** Overrides the API host (tests, proxies). */
	baseUrl?: string;
	retry?: RetryPolicy;
}

/** Who an event or consent change is about; Klaviyo matches profiles on any of them. */
export interface KlaviyoProfileRef {
	email?: string;
	phoneNumber?: string;
	externalId?: string;
}

export interface KlaviyoEventInput {
	/** The metric a Klaviyo flow triggers on, one per offer type ("Loyalty Offer: Coffee 10%"). */
	metricName: string;
	/** Klaviyo drops a second event with the same unique_id, which makes a retried send harmless. */
	uniqueId: string;
	profile: KlaviyoProfileRef & { firstName?: string };
	properties: Record<string, unknown>;
	time?: string;
	/** Decimal value in `valueCurrency`, as Klaviyo reports revenue. */
	value?: number;
	valueCurrency?: string;
}

export interface KlaviyoProfileInput extends KlaviyoProfileRef {
	firstName?: string;
	lastName?: string;
	/** Custom properties; loyalty ones come from loyaltyProfileProperties. */
	properties?: Record<string, unknown>;
}

export interface KlaviyoConsentInput extends KlaviyoProfileRef {
	email?: string;
	phoneNumber?: string;
	channels: { email?: boolean; sms?: boolean };
	consentedAt?: string;
	/** A Klaviyo list to subscribe to; without one, only the profile's consent changes. */
	listId?: string;
}

export interface KlaviyoClient {
	createEvent(input: KlaviyoEventInput): Promise<void>;
	upsertProfile(input: KlaviyoProfileInput): Promise<{ id: string }>;
	subscribe(input: KlaviyoConsentInput): Promise<void>;
	unsubscribe(input: KlaviyoConsentInput): Promise<void>;
	/** Cheap authenticated call, suitable for a credential test. */
	getAccountId(): Promise<string>;
}

export function createKlaviyoClient(http: HttpFunction, options: KlaviyoClientOptions): KlaviyoClient {
	const root = stripTrailingSlashes(options.baseUrl ?? HOST);
	const retry = options.retry ?? DEFAULT_RETRY;
	const headers = {
		Authorization: `Klaviyo-API-Key ${options.apiKey}`,
		revision: options.revision ?? KLAVIYO_REVISION,
		Accept: JSON_API,
		'Content-Type': JSON_API,
	};

	async function call(method: HttpRequest['method'], path: string, json?: unknown): Promise<HttpResponse> {
		return withRetry(retry, async () => {
			const response = await send(http, VENDOR, 'Klaviyo', { method, url: `${root}${path}`, headers, ...(json === undefined ? {} : { json }) });
			if (!isSuccess(response)) throw klaviyoError(response);
			return response;
		});
	}

	function profileAttributes(ref: KlaviyoProfileRef & { firstName?: string; lastName?: string; properties?: Record<string, unknown> }): Record<string, unknown> {
		if (!ref.email && !ref.phoneNumber && !ref.externalId) throw new VendorApiError(VENDOR, 'Klaviyo needs an email, phone number or external id to find the profile', { retryable: false });
		return compact({ email: ref.email, phone_number: ref.phoneNumber, external_id: ref.externalId, first_name: ref.firstName, last_name: ref.lastName, properties: ref.properties });
	}

	function consentJob(type: string, input: KlaviyoConsentInput, consent: 'SUBSCRIBED' | 'UNSUBSCRIBED'): unknown {
		const marketing = compact({ consent, consented_at: consent === 'SUBSCRIBED' ? input.consentedAt : undefined });
		const subscriptions = compact({ email: input.channels.email && input.email ? { marketing } : undefined, sms: input.channels.sms && input.phoneNumber ? { marketing } : undefined });
		if (Object.keys(subscriptions).length === 0) throw new VendorApiError(VENDOR, 'Klaviyo consent needs an email (for email) or a phone number (for SMS)', { retryable: false });
		return {
			data: {
				type,
				attributes: { profiles: { data: [{ type: 'profile', attributes: compact({ email: input.email, phone_number: input.phoneNumber, subscriptions }) }] } },
				...(input.listId ? { relationships: { list: { data: { type: 'list', id: input.listId } } } } : {}),
			},
		};
	}

	return {
		async createEvent(input) {
			await call('POST', '/api/events', {
				data: {
					type: 'event',
					attributes: compact({
						properties: input.properties,
						time: input.time,
						value: input.value,
						value_currency: input.valueCurrency,
						unique_id: input.uniqueId,
						metric: { data: { type: 'metric', attributes: { name: input.metricName } } },
						profile: { data: { type: 'profile', attributes: profileAttributes(input.profile) } },
					}),
				},
			});
		},

		async upsertProfile(input) {
			const response = await call('POST', '/api/profile-import', { data: { type: 'profile', attributes: profileAttributes(input) } });
			const id = isObject(response.body) && isObject(response.body.data) ? response.body.data.id : undefined;
			if (typeof id !== 'string') throw new VendorApiError(VENDOR, "Klaviyo's answer has no profile id", { retryable: false, details: response.body });
			return { id };
		},

		async subscribe(input) {
			await call('POST', '/api/profile-subscription-bulk-create-jobs', consentJob('profile-subscription-bulk-create-job', input, 'SUBSCRIBED'));
		},

		async unsubscribe(input) {
			await call('POST', '/api/profile-subscription-bulk-delete-jobs', consentJob('profile-subscription-bulk-delete-job', input, 'UNSUBSCRIBED'));
		},

		async getAccountId() {
			const response = await call('GET', '/api/accounts');
			const first = isObject(response.body) && Array.isArray(response.body.data) ? response.body.data[0] : undefined;
			return isObject(first) && typeof first.id === 'string' ? first.id : '';
		},
	};
}

/** What the customer's Klaviyo profile shows, so the shop's own Klaviyo flows can use it. */
export interface LoyaltySnapshot {
	points: number;
	pendingPoints?: number;
	tier?: string;
	segment?: string;
	lifecycle?: string;
	nextBestAction?: string;
	/** Customer lifetime value, decimal in `currency`. */
	clv?: number;
	currency?: string;
	/** Badge names the customer has earned (a Klaviyo list property, for segments and emails). */
	badges?: string[];
	/** Whether the customer has the early-access perk. */
	earlyAccess?: boolean;
	updatedAt: string;
}

export function loyaltyProfileProperties(snapshot: LoyaltySnapshot): Record<string, unknown> {
	return compact({
		loyalty_points: snapshot.points,
		loyalty_pending_points: snapshot.pendingPoints,
		loyalty_tier: snapshot.tier,
		loyalty_segment: snapshot.segment,
		loyalty_lifecycle: snapshot.lifecycle,
		loyalty_next_best_action: snapshot.nextBestAction,
		loyalty_clv: snapshot.clv,
		loyalty_currency: snapshot.currency,
		loyalty_badges: snapshot.badges,
		loyalty_early_access: snapshot.earlyAccess,
		loyalty_updated_at: snapshot.updatedAt,
	});
}

function compact<T extends Record<string, unknown>>(object: T): T {
	return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** Klaviyo errors are JSON:API: `{ errors: [{ status, code, title, detail, source: { pointer } }] }`. */
export function klaviyoError(response: HttpResponse): VendorApiError {
	const errors = isObject(response.body) && Array.isArray(response.body.errors) ? response.body.errors.filter(isObject) : [];
	let message: string;
	if (errors.length > 0) {
		message = `Klaviyo: ${errors
			.map((e) => {
				const pointer = isObject(e.source) && typeof e.source.pointer === 'string' ? ` (at ${e.source.pointer})` : '';
				return `${String(e.detail ?? e.title ?? e.code ?? 'error')}${pointer}`;
			})
			.join('; ')}`;
	} else {
		const detail = problemDetail(response.body);
		message = `Klaviyo answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
	}
	if (response.status === 401 || response.status === 403) message += '. Check the private API key and that it has the events, profiles and subscriptions scopes.';
	const retryAfterMs = response.status === 429 ? parseRetryAfter(responseHeader(response, 'retry-after')) : undefined;
	return new VendorApiError(VENDOR, message, {
		status: response.status,
		retryable: response.status === 429 || response.status >= 500,
		details: { body: response.body, retryHint: { retryAfterMs } },
	});
}
