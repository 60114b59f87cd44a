import { createHash } from 'node:crypto';
import { type HttpFunction, type HttpRequest, type HttpResponse, VendorApiError } from '../http';
import { isObject } from '../shared/payload';
import { isSuccess, problemDetail, send, stripTrailingSlashes } from '../shared/transport';
import type { SquareApiError, SquareCatalogObject, SquareCustomer, SquareLocation, SquareOrder, SquareWebhookSubscription } from './types';

const VENDOR = 'square';

/** The API release the normalizer is written against; also pinned on webhook subscriptions. */
export const SQUARE_API_VERSION = '2025-08-20';

export const SquareEnvironment = {
	Production: 'production',
	Sandbox: 'sandbox',
} as const;
export type SquareEnvironment = (typeof SquareEnvironment)[keyof typeof SquareEnvironment];

const HOSTS: Readonly<Record<SquareEnvironment, string>> = {
	production: 'https://connect.squareup.com',
	sandbox: 'https://connect.squareupsandbox.com',
};

/** Square rejects idempotency keys longer than 45 characters. */
const IDEMPOTENCY_KEY_LENGTH = 45;
/** Loyalty endpoints allow longer idempotency keys than webhook subscriptions do. */
const LOYALTY_IDEMPOTENCY_KEY_LENGTH = 128;
/** Guards against a server that keeps returning a cursor. */
const MAX_PAGES = 100;

export interface SquareClientOptions {
	accessToken: string;
	environment: SquareEnvironment;
	/** Overrides the host chosen by `environment` (tests, proxies). */
	baseUrl?: string;
	squareVersion?: string;
}

export interface CreateSquareWebhookSubscriptionInput {
	name: string;
	eventTypes: string[];
	notificationUrl: string;
	/** Defaults to a key derived from the other fields, so a retried create cannot make a duplicate. */
	idempotencyKey?: string;
}

export interface ListSquareWebhookSubscriptionsOptions {
	includeDisabled?: boolean;
	sortOrder?: 'ASC' | 'DESC';
	/** Page size (Square's maximum and default is 100). */
	limit?: number;
}

export interface SearchSquareOrdersOptions {
	locationIds: readonly string[];
	cursor?: string;
	/** Only orders created at or after this instant (ISO). */
	createdFrom?: string;
	/** Page size; default 100. */
	limit?: number;
}

export interface SquareClient {
	retrieveOrder(orderId: string): Promise<SquareOrder>;
	/** Completed orders of these locations (at most 10), oldest first, one page; `cursor` asks for the next. */
	searchOrders(options: SearchSquareOrdersOptions): Promise<{ orders: SquareOrder[]; cursor?: string }>;
	retrievePayment(paymentId: string): Promise<Record<string, unknown>>;
	retrieveRefund(refundId: string): Promise<Record<string, unknown>>;
	retrieveCustomer(customerId: string): Promise<SquareCustomer>;
	listWebhookSubscriptions(options?: ListSquareWebhookSubscriptionsOptions): Promise<SquareWebhookSubscription[]>;
	/** The returned subscription carries `signature_key`, which Square shows only this once. */
	createWebhookSubscription(input: CreateSquareWebhookSubscriptionInput): Promise<SquareWebhookSubscription>;
	/** Resolves when the subscription is gone, including when it was already deleted. */
	deleteWebhookSubscription(subscriptionId: string): Promise<void>;
	/** Cheap authenticated call, suitable for a credential test. */
	listLocations(): Promise<SquareLocation[]>;
	/** The customer's Square Loyalty account, or undefined when they have none. */
	findLoyaltyAccount(squareCustomerId: string): Promise<{ id: string; balance: number } | undefined>;
	/**
	 * Puts a reward of the program's tier on the customer's Square Loyalty account: a personal,
	 * single-use offer the cashier sees at checkout. The key (≤ 128 characters) comes from the
	 * decision, so a retried creation returns the first reward.
	 */
	createLoyaltyReward(input: { loyaltyAccountId: string; rewardTierId: string; idempotencyKey: string }): Promise<{ id: string; status: string; points?: number }>;
	retrieveLoyaltyAccount(loyaltyAccountId: string): Promise<{ id: string; balance: number; lifetimePoints: number }>;
	/** Adds (positive) or takes away (negative) exact points; a repeated key is answered with the first result. */
	adjustLoyaltyPoints(input: { loyaltyAccountId: string; points: number; reason: string; idempotencyKey: string; allowNegativeBalance?: boolean }): Promise<void>;
	/** Points for a purchase under Square's own accrual rules (an order id) or an exact number. */
	accumulateLoyaltyPoints(input: { loyaltyAccountId: string; locationId: string; idempotencyKey: string; points?: number; orderId?: string }): Promise<void>;
	/** Catalog objects by id, with the objects they reference one level deep when asked (a variation's item, an item's categories). */
	batchRetrieveCatalogObjects(objectIds: readonly string[], includeRelatedObjects: boolean): Promise<{ objects: SquareCatalogObject[]; relatedObjects: SquareCatalogObject[] }>;
}

export function createSquareClient(http: HttpFunction, options: SquareClientOptions): SquareClient {
	const root = stripTrailingSlashes(options.baseUrl ?? HOSTS[options.environment]);
	const squareVersion = options.squareVersion ?? SQUARE_API_VERSION;
	const headers = {
		Authorization: `Bearer ${options.accessToken}`,
		'Square-Version': squareVersion,
		Accept: 'application/json',
	};

	async function call(method: HttpRequest['method'], path: string, extra: Pick<HttpRequest, 'query' | 'json'> = {}): Promise<HttpResponse> {
		return send(http, VENDOR, 'Square', { method, url: `${root}${path}`, headers, ...extra });
	}

	async function callJson(method: HttpRequest['method'], path: string, extra: Pick<HttpRequest, 'query' | 'json'> = {}): Promise<Record<string, unknown>> {
		const response = await call(method, path, extra);
		if (!isSuccess(response)) throw squareError(response);
		if (!isObject(response.body)) {
			throw new VendorApiError(VENDOR, 'Square answered with something other than JSON', { status: response.status, retryable: false, details: response.body });
		}
		return response.body;
	}

	function field<T>(body: Record<string, unknown>, name: string, what: string): T {
		const value = body[name];
		if (value === undefined || value === null) {
			throw new VendorApiError(VENDOR, `Square's answer has no ${what}`, { retryable: false, details: body });
		}
		return value as T;
	}

	return {
		async retrieveOrder(orderId) {
			const body = await callJson('GET', `/v2/orders/${pathSegment(orderId)}`);
			return field<SquareOrder>(body, 'order', 'order');
		},

		async searchOrders(search) {
			const body = await callJson('POST', '/v2/orders/search', {
				json: {
					location_ids: [...search.locationIds],
					...(search.cursor ? { cursor: search.cursor } : {}),
					limit: search.limit ?? 100,
					query: {
						filter: {
							state_filter: { states: ['COMPLETED'] },
							...(search.createdFrom ? { date_time_filter: { created_at: { start_at: search.createdFrom } } } : {}),
						},
						sort: { sort_field: 'CREATED_AT', sort_order: 'ASC' },
					},
				},
			});
			const orders = (Array.isArray(body.orders) ? body.orders.filter(isObject) : []) as SquareOrder[];
			return { orders, ...(typeof body.cursor === 'string' && body.cursor !== '' ? { cursor: body.cursor } : {}) };
		},

		async retrievePayment(paymentId) {
			const body = await callJson('GET', `/v2/payments/${pathSegment(paymentId)}`);
			return field<Record<string, unknown>>(body, 'payment', 'payment');
		},

		async retrieveRefund(refundId) {
			const body = await callJson('GET', `/v2/refunds/${pathSegment(refundId)}`);
			return field<Record<string, unknown>>(body, 'refund', 'refund');
		},

		async batchRetrieveCatalogObjects(objectIds, includeRelatedObjects) {
			const body = await callJson('POST', '/v2/catalog/batch-retrieve', { json: { object_ids: [...objectIds], include_related_objects: includeRelatedObjects } });
			const list = (name: string) => (Array.isArray(body[name]) ? (body[name] as SquareCatalogObject[]) : []);
			return { objects: list('objects'), relatedObjects: list('related_objects') };
		},

		async retrieveCustomer(customerId) {
			const body = await callJson('GET', `/v2/customers/${pathSegment(customerId)}`);
			return field<SquareCustomer>(body, 'customer', 'customer');
		},

		async listWebhookSubscriptions(listOptions = {}) {
			const subscriptions: SquareWebhookSubscription[] = [];
			let cursor: string | undefined;
			for (let page = 0; page < MAX_PAGES; page++) {
				const body = await callJson('GET', '/v2/webhooks/subscriptions', {
					query: { cursor, include_disabled: listOptions.includeDisabled, sort_order: listOptions.sortOrder, limit: listOptions.limit },
				});
				subscriptions.push(...((Array.isArray(body.subscriptions) ? body.subscriptions : []) as SquareWebhookSubscription[]));
				const next = typeof body.cursor === 'string' && body.cursor !== '' ? body.cursor : undefined;
				if (next === undefined || next === cursor) break;
				cursor = next;
			}
			return subscriptions;
		},

		async createWebhookSubscription(input) {
			const body = await callJson('POST', '/v2/webhooks/subscriptions', {
				json: {
					idempotency_key: input.idempotencyKey ?? subscriptionIdempotencyKey(input, squareVersion),
					subscription: {
						name: input.name,
						event_types: input.eventTypes,
						notification_url: input.notificationUrl,
						// Pinning the version keeps notification payloads in the shape the normalizer reads.
						api_version: squareVersion,
					},
				},
			});
			const subscription = field<SquareWebhookSubscription>(body, 'subscription', 'subscription');
			if (typeof subscription.id !== 'string' || typeof subscription.signature_key !== 'string') {
				throw new VendorApiError(VENDOR, 'Square created the webhook subscription but did not return its id and signature key', {
					retryable: false,
					details: body,
				});
			}
			return subscription;
		},

		async deleteWebhookSubscription(subscriptionId) {
			const response = await call('DELETE', `/v2/webhooks/subscriptions/${pathSegment(subscriptionId)}`);
			// A subscription removed in the Square dashboard is already what we wanted.
			if (isSuccess(response) || response.status === 404) return;
			throw squareError(response);
		},

		async findLoyaltyAccount(squareCustomerId) {
			const body = await callJson('POST', '/v2/loyalty/accounts/search', { json: { query: { customer_ids: [squareCustomerId] }, limit: 1 } });
			const account = Array.isArray(body.loyalty_accounts) ? body.loyalty_accounts.find(isObject) : undefined;
			if (!account || typeof account.id !== 'string') return undefined;
			return { id: account.id, balance: Number(account.balance ?? 0) };
		},

		async createLoyaltyReward(input) {
			checkLoyaltyKey(input.idempotencyKey);
			const body = await callJson('POST', '/v2/loyalty/rewards', {
				json: { idempotency_key: input.idempotencyKey, reward: { loyalty_account_id: input.loyaltyAccountId, reward_tier_id: input.rewardTierId } },
			});
			const reward = field<Record<string, unknown>>(body, 'reward', 'reward');
			if (typeof reward.id !== 'string') throw new VendorApiError(VENDOR, "Square created the reward but did not return its id", { retryable: false, details: body });
			return { id: reward.id, status: String(reward.status ?? ''), ...(typeof reward.points === 'number' ? { points: reward.points } : {}) };
		},

		async retrieveLoyaltyAccount(loyaltyAccountId) {
			const body = await callJson('GET', `/v2/loyalty/accounts/${pathSegment(loyaltyAccountId)}`);
			const account = field<Record<string, unknown>>(body, 'loyalty_account', 'loyalty account');
			return { id: String(account.id ?? loyaltyAccountId), balance: Number(account.balance ?? 0), lifetimePoints: Number(account.lifetime_points ?? 0) };
		},

		async adjustLoyaltyPoints(input) {
			checkLoyaltyKey(input.idempotencyKey);
			if (!Number.isInteger(input.points) || input.points === 0) throw new VendorApiError(VENDOR, 'a Square Loyalty adjustment needs a whole, non-zero number of points', { retryable: false });
			await callJson('POST', `/v2/loyalty/accounts/${pathSegment(input.loyaltyAccountId)}/adjust`, {
				json: {
					idempotency_key: input.idempotencyKey,
					adjust_points: { points: input.points, reason: input.reason.slice(0, 3500) },
					...(input.allowNegativeBalance ? { allow_negative_balance: true } : {}),
				},
			});
		},

		async accumulateLoyaltyPoints(input) {
			checkLoyaltyKey(input.idempotencyKey);
			if ((input.points === undefined) === (input.orderId === undefined)) throw new VendorApiError(VENDOR, 'Square accumulates either for an order or an exact number of points, not both or neither', { retryable: false });
			await callJson('POST', `/v2/loyalty/accounts/${pathSegment(input.loyaltyAccountId)}/accumulate`, {
				json: {
					idempotency_key: input.idempotencyKey,
					location_id: input.locationId,
					accumulate_points: input.orderId !== undefined ? { order_id: input.orderId } : { points: input.points },
				},
			});
		},

		async listLocations() {
			const body = await callJson('GET', '/v2/locations');
			return (Array.isArray(body.locations) ? body.locations : []) as SquareLocation[];
		},
	};
}

function checkLoyaltyKey(key: string): void {
	if (key.length === 0 || key.length > LOYALTY_IDEMPOTENCY_KEY_LENGTH) {
		throw new VendorApiError(VENDOR, `Square rejects idempotency keys longer than ${LOYALTY_IDEMPOTENCY_KEY_LENGTH} characters (or empty)`, { retryable: false });
	}
}

/**
 * Same subscription request, same key: a create retried after a timeout returns the first result
 * instead of registering a second subscription that would deliver every event twice.
 */
export function subscriptionIdempotencyKey(input: Pick<CreateSquareWebhookSubscriptionInput, 'name' | 'eventTypes' | 'notificationUrl'>, squareVersion = SQUARE_API_VERSION): string {
	const digest = createHash('sha256')
		.update(JSON.stringify([input.notificationUrl, [...input.eventTypes].sort(), input.name, squareVersion]))
		.digest('hex');
	return `loyalty-${digest}`.slice(0, IDEMPOTENCY_KEY_LENGTH);
}

/**
 * An id as one URL path segment. An id that has no URL form (a lone UTF-16 surrogate, which
 * `encodeURIComponent` refuses with a URIError) cannot name anything at Square: a non-retryable
 * error, like Square's own 404, rather than an exception no caller expects.
 */
function pathSegment(id: string): string {
	try {
		return encodeURIComponent(id);
	} catch {
		throw new VendorApiError(VENDOR, `${JSON.stringify(id)} is not a valid Square id`, { retryable: false });
	}
}

/** Square errors look like `{ errors: [{ category, code, detail, field }] }`. */
export function squareError(response: HttpResponse): VendorApiError {
	const errors = squareErrors(response.body);
	let message: string;
	if (errors.length > 0) {
		message = `Square: ${errors.map((e) => `${e.detail ?? e.code}${e.field ? ` (field: ${e.field})` : ''}`).join('; ')}`;
	} else {
		const detail = problemDetail(response.body);
		message = `Square answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
	}
	if (response.status === 401) message += '. Check the access token and that it belongs to the chosen environment (production or sandbox).';
	const retryable = response.status === 429 || response.status >= 500 || errors.some((e) => e.category === 'RATE_LIMIT_ERROR');
	return new VendorApiError(VENDOR, message, { status: response.status, retryable, details: response.body });
}

function squareErrors(body: unknown): SquareApiError[] {
	if (!isObject(body) || !Array.isArray(body.errors)) return [];
	return body.errors.filter(isObject).map((e) => ({
		category: String(e.category ?? ''),
		code: String(e.code ?? ''),
		detail: typeof e.detail === 'string' ? e.detail : undefined,
		field: typeof e.field === 'string' ? e.field : undefined,
	}));
}
