import { type HttpFunction, type HttpRequest, type HttpResponse, VendorApiError } from '../http';
import { isObject } from '../shared/payload';
import { isSuccess, problemDetail, responseHeader, send, stripTrailingSlashes } from '../shared/transport';
import { type WooCommerceOrder, type WooCommerceWebhook, WooCommerceWebhookStatus } from './types';

const VENDOR = 'woocommerce';
const API_PREFIX = '/wp-json/wc/v3';
/** WooCommerce caps `per_page` at 100. */
const PAGE_SIZE = 100;
/** Guards against a server that keeps announcing more pages; no shop has 10,000 webhooks. */
const MAX_PAGES = 100;

export interface WooCommerceClientOptions {
	/** The shop's address, e.g. `https://shop.example`. A pasted `/wp-json/wc/v3` suffix is tolerated. */
	baseUrl: string;
	consumerKey: string;
	consumerSecret: string;
}

export interface CreateWooCommerceWebhookInput {
	name: string;
	topic: string;
	deliveryUrl: string;
	secret: string;
	status?: WooCommerceWebhookStatus;
}

export interface ListWooCommerceWebhooksOptions {
	status?: WooCommerceWebhookStatus | 'all';
	/** Page size; defaults to the maximum, 100. */
	perPage?: number;
}

export interface ListWooCommerceOrdersOptions {
	page: number;
	/** Page size; defaults to the maximum, 100. */
	perPage?: number;
	/** UTC date-time without offset or with Z; only orders created after it. */
	after?: string;
}

export interface WooCommerceClient {
	listWebhooks(options?: ListWooCommerceWebhooksOptions): Promise<WooCommerceWebhook[]>;
	createWebhook(input: CreateWooCommerceWebhookInput): Promise<WooCommerceWebhook>;
	/** Resolves when the webhook is gone, including when it was already deleted. */
	deleteWebhook(id: number): Promise<void>;
	getOrder(id: number): Promise<WooCommerceOrder>;
	/**
	 * One page of orders, oldest first, of every status; `after` (UTC, exclusive) limits them to
	 * orders created later. `totalPages` is WooCommerce's X-WP-TotalPages when it sends one.
	 */
	listOrders(options: ListWooCommerceOrdersOptions): Promise<{ orders: WooCommerceOrder[]; totalPages?: number }>;
	/**
	 * A cheap authenticated call for a credential test. It lists one webhook because managing
	 * webhooks needs the same permission the trigger needs, so a read-only key is caught here.
	 */
	testCredentials(): Promise<void>;
	/**
	 * Creates a coupon, or returns the existing one when a coupon with this code already exists:
	 * codes derive from the decision id, so a retried creation is not a second coupon.
	 */
	createCoupon(input: CreateWooCommerceCouponInput): Promise<WooCommerceCoupon>;
	/**
	 * The categories of each of these products, by product id, with one request per 100 distinct
	 * ids (WooCommerce's page cap), so one request for any real order. A product WooCommerce does
	 * not return (deleted since the order) is absent from the map.
	 */
	listProductCategories(productIds: readonly number[]): Promise<Map<number, WooCommerceProductCategory[]>>;
}

/** A category as WooCommerce lists it on a product; `name` may be HTML-escaped ("Coffee &amp; Tea"). */
export interface WooCommerceProductCategory {
	id?: number;
	name?: string;
	slug?: string;
}

export interface CreateWooCommerceCouponInput {
	code: string;
	discountType: 'percent' | 'fixed_cart';
	/** Decimal string, as WooCommerce wants it ("10", "5.00"). */
	amount: string;
	/** The coupon makes shipping free (a free-shipping perk: amount "0"). */
	freeShipping?: boolean;
	/** UTC instant; sent as date_expires_gmt. */
	expiresAt?: string;
	/** Only this customer may use it. */
	emailRestrictions?: string[];
	/** Defaults to 1: a personal offer is single-use. */
	usageLimit?: number;
	productIds?: number[];
	categoryIds?: number[];
	description?: string;
}

export interface WooCommerceCoupon {
	id: number;
	code: string;
	[field: string]: unknown;
}

export function createWooCommerceClient(http: HttpFunction, options: WooCommerceClientOptions): WooCommerceClient {
	const root = stripTrailingSlashes(options.baseUrl).replace(/\/wp-json(\/wc\/v3)?$/, '');
	const authorization = `Basic ${Buffer.from(`${options.consumerKey}:${options.consumerSecret}`, 'utf8').toString('base64')}`;

	async function call(method: HttpRequest['method'], path: string, extra: Pick<HttpRequest, 'query' | 'json'> = {}): Promise<HttpResponse> {
		return send(http, VENDOR, 'WooCommerce', {
			method,
			url: `${root}${API_PREFIX}${path}`,
			headers: { Authorization: authorization, Accept: 'application/json' },
			...extra,
		});
	}

	async function callJson(method: HttpRequest['method'], path: string, extra: Pick<HttpRequest, 'query' | 'json'> = {}): Promise<{ body: unknown; response: HttpResponse }> {
		const response = await call(method, path, extra);
		if (!isSuccess(response)) throw wooCommerceError(response);
		return { body: response.body, response };
	}

	return {
		async listWebhooks(listOptions = {}) {
			const perPage = listOptions.perPage ?? PAGE_SIZE;
			const webhooks: WooCommerceWebhook[] = [];
			for (let page = 1; page <= MAX_PAGES; page++) {
				const { body, response } = await callJson('GET', '/webhooks', { query: { per_page: perPage, page, status: listOptions.status } });
				if (!Array.isArray(body)) throw notJson(response);
				webhooks.push(...(body as WooCommerceWebhook[]));
				const totalPages = Number(responseHeader(response, 'x-wp-totalpages'));
				const more = Number.isFinite(totalPages) && totalPages > 0 ? page < totalPages : body.length >= perPage;
				if (!more) break;
			}
			return webhooks;
		},

		async createWebhook(input) {
			const { body, response } = await callJson('POST', '/webhooks', {
				json: {
					name: input.name,
					topic: input.topic,
					delivery_url: input.deliveryUrl,
					secret: input.secret,
					status: input.status ?? WooCommerceWebhookStatus.Active,
				},
			});
			if (!isObject(body)) throw notJson(response);
			if (typeof body.id !== 'number') {
				throw new VendorApiError(VENDOR, 'WooCommerce accepted the webhook but did not return its id', { status: response.status, retryable: false, details: body });
			}
			return body as WooCommerceWebhook;
		},

		async deleteWebhook(id) {
			const response = await call('DELETE', `/webhooks/${encodeURIComponent(String(id))}`, { query: { force: true } });
			// A webhook removed by hand in WordPress is already what we wanted.
			if (isSuccess(response) || response.status === 404 || response.status === 410) return;
			throw wooCommerceError(response);
		},

		async getOrder(id) {
			const { body, response } = await callJson('GET', `/orders/${encodeURIComponent(String(id))}`);
			if (!isObject(body)) throw notJson(response);
			return body as WooCommerceOrder;
		},

		async listOrders(listOptions) {
			const { body, response } = await callJson('GET', '/orders', {
				query: {
					page: listOptions.page,
					per_page: listOptions.perPage ?? PAGE_SIZE,
					orderby: 'date',
					order: 'asc',
					status: 'any',
					...(listOptions.after ? { after: listOptions.after.replace(/Z$/, ''), dates_are_gmt: true } : {}),
				},
			});
			if (!Array.isArray(body)) throw notJson(response);
			const totalPages = Number(responseHeader(response, 'x-wp-totalpages'));
			return { orders: body.filter(isObject) as WooCommerceOrder[], ...(Number.isFinite(totalPages) && totalPages >= 0 && responseHeader(response, 'x-wp-totalpages') !== undefined ? { totalPages } : {}) };
		},

		async testCredentials() {
			const { body, response } = await callJson('GET', '/webhooks', { query: { per_page: 1 } });
			if (!Array.isArray(body)) throw notJson(response);
		},

		async createCoupon(input) {
			const response = await call('POST', '/coupons', {
				json: {
					code: input.code,
					discount_type: input.discountType,
					amount: input.amount,
					...(input.expiresAt ? { date_expires_gmt: input.expiresAt.replace(/\.\d{3}Z$|Z$/, '') } : {}),
					individual_use: true,
					usage_limit: input.usageLimit ?? 1,
					usage_limit_per_user: 1,
					...(input.emailRestrictions?.length ? { email_restrictions: input.emailRestrictions } : {}),
					...(input.productIds?.length ? { product_ids: input.productIds } : {}),
					...(input.categoryIds?.length ? { product_categories: input.categoryIds } : {}),
					...(input.description ? { description: input.description } : {}),
					...(input.freeShipping ? { free_shipping: true } : {}),
				},
			});
			if (!isSuccess(response)) {
				const code = isObject(response.body) ? response.body.code : undefined;
				if (code !== 'woocommerce_rest_coupon_code_already_exists') throw wooCommerceError(response);
				const { body, response: found } = await callJson('GET', '/coupons', { query: { code: input.code } });
				const existing = Array.isArray(body) ? body.find((c) => isObject(c) && typeof c.code === 'string' && c.code.toLowerCase() === input.code.toLowerCase()) : undefined;
				if (!isObject(existing)) throw notJson(found);
				return existing as WooCommerceCoupon;
			}
			if (!isObject(response.body) || typeof response.body.id !== 'number') throw notJson(response);
			return response.body as WooCommerceCoupon;
		},

		async listProductCategories(productIds) {
			const ids = [...new Set(productIds)];
			const categories = new Map<number, WooCommerceProductCategory[]>();
			for (let start = 0; start < ids.length; start += PAGE_SIZE) {
				const chunk = ids.slice(start, start + PAGE_SIZE);
				const { body, response } = await callJson('GET', '/products', {
					query: {
						// WordPress reads array parameters as comma-separated lists. Repeating the key
						// (include=1&include=2) would not work: PHP keeps only the last value.
						include: chunk.join(','),
						per_page: PAGE_SIZE,
						// Products of any status: an order can name a product that was unpublished since.
						status: 'any',
						// Only what is used; a product's full record (descriptions, images) is large.
						_fields: 'id,categories',
					},
				});
				if (!Array.isArray(body)) throw notJson(response);
				for (const product of body) {
					if (!isObject(product) || typeof product.id !== 'number') continue;
					const listed = Array.isArray(product.categories) ? product.categories.filter(isObject) : [];
					categories.set(product.id, listed as WooCommerceProductCategory[]);
				}
			}
			return categories;
		},
	};
}

/** WooCommerce errors look like `{ code, message, data: { status } }`; messages may hold HTML. */
export function wooCommerceError(response: HttpResponse): VendorApiError {
	const body = response.body;
	const vendorMessage = isObject(body) && typeof body.message === 'string' ? plain(body.message) : undefined;
	const code = isObject(body) && typeof body.code === 'string' ? body.code : undefined;
	let message: string;
	if (vendorMessage) message = `WooCommerce: ${vendorMessage}${code ? ` (${code})` : ''}`;
	else message = `WooCommerce answered HTTP ${response.status}${problemDetail(body) ? `: ${problemDetail(body)}` : ''}`;
	if (response.status === 401 || response.status === 403) {
		message += '. Check the consumer key and secret, and that the key has Read/Write permission.';
	}
	return new VendorApiError(VENDOR, message, { status: response.status, details: body });
}

/** A 2xx that is not JSON usually means the URL reached WordPress but not its REST API. */
function notJson(response: HttpResponse): VendorApiError {
	return new VendorApiError(
		VENDOR,
		'WooCommerce answered with something other than the expected JSON. Check the shop URL and that WordPress permalinks are not set to "Plain".',
		{ status: response.status, retryable: false, details: response.body },
	);
}

function plain(html: string): string {
	return html
		.replace(/<[^>]*>/g, '')
		.replace(/&quot;/g, '"')
		.replace(/&#0?39;|&apos;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&')
		.trim();
}
