/**
 * WooCommerce REST API v3 as this project uses it: orders (with refunds and coupons), customers,
 * products with categories, coupons and webhooks; and webhook deliveries sent the way WooCommerce
 * sends them (unsigned creation ping, then signed resource JSON with the X-WC-Webhook-* headers).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Outbox, OutgoingDelivery } from './outbox';
import { asObject, basicAuth, decimal, json, minor, text, type SandboxRequest, type SandboxResponse, type VendorRequest } from './types';

type Json = Record<string, unknown>;

export interface WooLineInput {
	product_id?: number;
	quantity?: number;
	/** Decimal line total; defaults to the product's price times the quantity. */
	total?: string;
	name?: string;
	sku?: string;
}

export interface WooOrderInput {
	status?: string;
	currency?: string;
	customer_id?: number;
	billing?: Json;
	line_items?: WooLineInput[];
	coupon_lines?: Array<{ code: string }>;
	set_paid?: boolean;
	date_paid_gmt?: string;
	meta_data?: Array<{ key: string; value: unknown }>;
}

export interface WooProductInput {
	id?: number;
	name: string;
	sku?: string;
	/** Decimal price ("12.50"). */
	price?: string;
	categories?: string[];
	status?: string;
}

export interface WooWebhookDelivery {
	deliveryId: string;
	webhookId: number;
	topic: string;
	url: string;
	body: string;
	headers: Record<string, string>;
	/** Every POST of this delivery (a redelivery adds one). */
	posts: OutgoingDelivery[];
}

const PAID = new Set(['processing', 'completed', 'on-hold']);
const NOT_COUNTED = new Set(['cancelled', 'failed', 'refunded', 'trash']);

function wooError(status: number, code: string, message: string): SandboxResponse {
	return json(status, { code, message, data: { status } });
}

function nowGmt(): string {
	return new Date().toISOString().slice(0, 19);
}

export class WooCommerceSandbox {
	readonly requests: VendorRequest[] = [];
	delayMs = 0;
	readonly orders = new Map<number, Json>();
	readonly customers = new Map<number, Json>();
	readonly products = new Map<number, Json>();
	readonly categories = new Map<string, { id: number; name: string; slug: string }>();
	readonly coupons = new Map<number, Json>();
	readonly webhooks = new Map<number, Json>();
	readonly deliveries: WooWebhookDelivery[] = [];
	private readonly secrets = new Map<number, string>();
	private nextId = { order: 1001, customer: 1, product: 1, category: 15, coupon: 1, webhook: 1, refund: 5001, line: 1 };

	constructor(
		private readonly outbox: Outbox,
		private readonly shopUrl: () => string,
	) {}

	// ---- programmatic API for tests ----

	addProduct(input: WooProductInput): Json {
		const id = input.id ?? this.nextId.product++;
		this.nextId.product = Math.max(this.nextId.product, id + 1);
		const categories = (input.categories ?? []).map((name) => this.category(name));
		const product: Json = {
			id,
			name: input.name,
			slug: slugOf(input.name),
			type: 'simple',
			status: input.status ?? 'publish',
			sku: input.sku ?? '',
			price: input.price ?? '0.00',
			regular_price: input.price ?? '0.00',
			sale_price: '',
			categories,
			permalink: `${this.shopUrl()}/product/${slugOf(input.name)}/`,
			stock_status: 'instock',
			manage_stock: false,
			stock_quantity: null,
			date_created_gmt: nowGmt(),
			date_modified_gmt: nowGmt(),
		};
		this.products.set(id, product);
		this.fire('product', 'created', product);
		return product;
	}

	/**
	 * Changes a product as the shop admin would (a sale price, a new regular price, stock); the
	 * product.updated webhook fires with the whole product, as WooCommerce sends it: no previous values.
	 */
	updateProduct(id: number, patch: { regularPrice?: string; salePrice?: string; stockStatus?: 'instock' | 'outofstock' | 'onbackorder'; modifiedAt?: string }): Json {
		const product = this.products.get(id);
		if (!product) throw new Error(`no WooCommerce product ${id}`);
		if (patch.regularPrice !== undefined) product.regular_price = patch.regularPrice;
		if (patch.salePrice !== undefined) product.sale_price = patch.salePrice;
		product.price = product.sale_price !== '' ? product.sale_price : product.regular_price;
		if (patch.stockStatus !== undefined) product.stock_status = patch.stockStatus;
		product.date_modified_gmt = patch.modifiedAt ?? nowGmt();
		this.fire('product', 'updated', product);
		return product;
	}

	/** Creates an order as a checkout would; its webhooks fire. */
	createOrder(input: WooOrderInput): Json {
		const result = this.placeOrder(input);
		if ('error' in result) throw new Error(`WooCommerce sandbox refused the order: ${JSON.stringify(result.error.body)}`);
		this.fire('order', 'created', result.order);
		return result.order;
	}

	/** Changes an order (status, billing…) as the shop admin would; order.updated fires. */
	updateOrder(id: number, patch: Partial<WooOrderInput>): Json {
		const result = this.changeOrder(id, patch);
		if ('error' in result) throw new Error(`WooCommerce sandbox refused the change: ${JSON.stringify(result.error.body)}`);
		return result.order;
	}

	/** Refunds part or all of an order; order.updated fires. */
	refundOrder(id: number, input: { amount: string; reason?: string }): Json {
		const result = this.addRefund(id, input);
		if ('error' in result) throw new Error(`WooCommerce sandbox refused the refund: ${JSON.stringify(result.error.body)}`);
		return result.refund;
	}

	createCustomer(input: Json): Json {
		const result = this.addCustomer(input);
		if ('error' in result) throw new Error(`WooCommerce sandbox refused the customer: ${JSON.stringify(result.error.body)}`);
		return result.customer;
	}

	/** Posts a delivery again, byte for byte (WooCommerce retrying, a duplicate). */
	redeliver(deliveryId: string): Promise<OutgoingDelivery> {
		const delivery = this.deliveries.find((d) => d.deliveryId === deliveryId);
		if (!delivery) throw new Error(`no WooCommerce delivery ${deliveryId}`);
		const post = this.outbox.post('woocommerce', delivery.url, delivery.headers, delivery.body);
		void post.then((p) => delivery.posts.push(p));
		return post;
	}

	couponByCode(code: string): Json | undefined {
		return [...this.coupons.values()].find((c) => String(c.code).toLowerCase() === code.toLowerCase());
	}

	// ---- HTTP ----

	/**
	 * Answers leave out fields WooCommerce would send as null: the (unofficial) document types
	 * them as plain strings and integers, so a null would be reported as a violation. Webhook
	 * payloads keep the nulls, as WooCommerce sends them.
	 */
	async handle(request: SandboxRequest): Promise<SandboxResponse> {
		const response = await this.route(request);
		return response.body === undefined ? response : { ...response, body: withoutNulls(response.body) };
	}

	private async route(request: SandboxRequest): Promise<SandboxResponse> {
		const auth = basicAuth(request);
		const queryAuth = request.query.get('consumer_key') && request.query.get('consumer_secret');
		if (!queryAuth && (!auth || !auth.user.startsWith('ck_') || !auth.password.startsWith('cs_'))) {
			return wooError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
		}
		const route = request.pathname.replace(/^\/wp-json\/wc\/v3/, '');
		const method = request.method;
		const body = asObject(request.body);
		let m: RegExpExecArray | null;

		if (route === '/orders' && method === 'GET') return this.page(request, this.listOrders(request.query));
		if (route === '/orders' && method === 'POST') {
			const result = this.placeOrder(body as WooOrderInput);
			if ('error' in result) return result.error;
			return { ...json(201, result.order), after: () => this.fire('order', 'created', result.order) };
		}
		if ((m = /^\/orders\/(\d+)$/.exec(route))) {
			const id = Number(m[1]);
			if (method === 'GET') return this.orders.has(id) ? json(200, this.orders.get(id)) : wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
			if (method === 'PUT' || method === 'POST' || method === 'PATCH') {
				const result = this.changeOrder(id, body as Partial<WooOrderInput>, false);
				if ('error' in result) return result.error;
				return { ...json(200, result.order), after: () => this.fire('order', 'updated', result.order) };
			}
		}
		if ((m = /^\/orders\/(\d+)\/refunds$/.exec(route))) {
			const id = Number(m[1]);
			if (method === 'GET') return this.orders.has(id) ? json(200, (this.orders.get(id)!.__refunds as Json[]) ?? []) : wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
			if (method === 'POST') {
				const result = this.addRefund(id, { amount: String(body.amount ?? ''), reason: text(body.reason) }, false);
				if ('error' in result) return result.error;
				return { ...json(201, result.refund), after: () => this.fire('order', 'updated', this.orders.get(id)!) };
			}
		}
		if (route === '/customers' && method === 'GET') {
			const email = request.query.get('email');
			return this.page(request, [...this.customers.values()].filter((c) => !email || String(c.email).toLowerCase() === email.toLowerCase()));
		}
		if (route === '/customers' && method === 'POST') {
			const result = this.addCustomer(body, false);
			if ('error' in result) return result.error;
			return { ...json(201, result.customer), after: () => this.fire('customer', 'created', result.customer) };
		}
		if ((m = /^\/customers\/(\d+)$/.exec(route))) {
			const customer = this.customers.get(Number(m[1]));
			if (!customer) return wooError(404, 'woocommerce_rest_invalid_id', 'Invalid resource ID.');
			if (method === 'GET') return json(200, customer);
			if (method === 'PUT' || method === 'POST') {
				this.applyCustomer(customer, body);
				return { ...json(200, customer), after: () => this.fire('customer', 'updated', customer) };
			}
		}
		if (route === '/products' && method === 'GET') {
			const include = (request.query.get('include') ?? '').split(',').filter(Boolean).map(Number);
			let list = [...this.products.values()].filter((p) => include.length === 0 || include.includes(Number(p.id)));
			const status = request.query.get('status');
			if (status && status !== 'any') list = list.filter((p) => p.status === status);
			return this.page(request, list);
		}
		if ((m = /^\/products\/(\d+)$/.exec(route)) && method === 'GET') {
			const product = this.products.get(Number(m[1]));
			return product ? json(200, fields(product, request.query.get('_fields'))) : wooError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
		}
		if (route === '/products/categories' && method === 'GET') return this.page(request, [...this.categories.values()].map((c) => ({ ...c, parent: 0, description: '', display: 'default', count: this.countInCategory(c.id) })));
		if (route === '/coupons' && method === 'GET') {
			const code = request.query.get('code');
			return this.page(request, [...this.coupons.values()].filter((c) => !code || String(c.code).toLowerCase() === code.toLowerCase()));
		}
		if (route === '/coupons' && method === 'POST') return this.createCoupon(body);
		if ((m = /^\/coupons\/(\d+)$/.exec(route)) && method === 'GET') {
			const coupon = this.coupons.get(Number(m[1]));
			return coupon ? json(200, coupon) : wooError(404, 'woocommerce_rest_shop_coupon_invalid_id', 'Invalid ID.');
		}
		if (route === '/webhooks' && method === 'GET') {
			const status = request.query.get('status') ?? 'all';
			return this.page(request, [...this.webhooks.values()].filter((w) => status === 'all' || w.status === status));
		}
		if (route === '/webhooks' && method === 'POST') return this.createWebhook(body);
		if ((m = /^\/webhooks\/(\d+)$/.exec(route))) {
			const id = Number(m[1]);
			const webhook = this.webhooks.get(id);
			if (!webhook) return wooError(404, 'woocommerce_rest_webhook_invalid_id', 'Invalid ID.');
			if (method === 'GET') return json(200, webhook);
			if (method === 'DELETE') {
				if (request.query.get('force') !== 'true' && request.query.get('force') !== '1') return wooError(501, 'woocommerce_rest_trash_not_supported', 'Webhooks do not support trashing.');
				this.webhooks.delete(id);
				this.secrets.delete(id);
				return json(200, webhook);
			}
		}
		return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
	}

	// ---- state ----

	private category(name: string): { id: number; name: string; slug: string } {
		let category = this.categories.get(name);
		if (!category) {
			category = { id: this.nextId.category++, name, slug: slugOf(name) };
			this.categories.set(name, category);
		}
		return category;
	}

	private countInCategory(id: number): number {
		return [...this.products.values()].filter((p) => (p.categories as Array<{ id: number }>).some((c) => c.id === id)).length;
	}

	private page(request: SandboxRequest, all: Json[]): SandboxResponse {
		const perPage = Math.min(100, Math.max(1, Number(request.query.get('per_page') ?? 10) || 10));
		const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
		const slice = all.slice((page - 1) * perPage, page * perPage).map((item) => fields(item, request.query.get('_fields')));
		return json(200, slice, { 'X-WP-Total': String(all.length), 'X-WP-TotalPages': String(Math.ceil(all.length / perPage)) });
	}

	/**
	 * `status`, `after` (exclusive; UTC with `dates_are_gmt=true`, else the shop's local time,
	 * which is UTC here) and, when asked for, `orderby=date|id` with `order=asc|desc` (ties by id).
	 * Without `orderby`/`order` the orders come in creation order.
	 */
	private listOrders(query: URLSearchParams): Json[] {
		const status = query.get('status');
		let list = [...this.orders.values()].filter((o) => !status || status === 'any' || o.status === status);
		const after = query.get('after');
		if (after) {
			const limit = Date.parse(/Z$|[+-]\d{2}:\d{2}$/.test(after) ? after : `${after}Z`);
			list = list.filter((o) => Date.parse(`${String(o.date_created_gmt)}Z`) > limit);
		}
		if (query.get('orderby') || query.get('order')) {
			const byDate = (query.get('orderby') ?? 'date') === 'date';
			const direction = query.get('order') === 'asc' ? 1 : -1;
			list = list.sort((a, b) => direction * ((byDate ? String(a.date_created_gmt).localeCompare(String(b.date_created_gmt)) : 0) || Number(a.id) - Number(b.id)));
		}
		return list;
	}

	private placeOrder(input: WooOrderInput): { order: Json } | { error: SandboxResponse } {
		const id = this.nextId.order++;
		const status = input.status ?? (input.set_paid ? 'processing' : 'pending');
		const lines: Json[] = [];
		for (const line of input.line_items ?? []) {
			const product = line.product_id !== undefined ? this.products.get(Number(line.product_id)) : undefined;
			if (line.product_id !== undefined && line.product_id !== 0 && !product) return { error: wooError(400, 'woocommerce_rest_invalid_product_id', `Product ID ${line.product_id} is invalid.`) };
			const quantity = Number(line.quantity ?? 1);
			const totalMinor = line.total !== undefined ? minor(line.total) : minor(product?.price) * quantity;
			lines.push({
				id: this.nextId.line++,
				name: line.name ?? product?.name ?? 'Item',
				product_id: line.product_id ?? 0,
				variation_id: 0,
				quantity,
				tax_class: '',
				subtotal: decimal(totalMinor),
				subtotal_tax: '0.00',
				total: decimal(totalMinor),
				total_tax: '0.00',
				taxes: [],
				meta_data: [],
				sku: line.sku ?? product?.sku ?? '',
				price: totalMinor / 100 / (quantity || 1),
			});
		}
		const subtotal = lines.reduce((sum, l) => sum + minor(l.total), 0);
		const billing = { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '', email: '', phone: '', ...asObject(input.billing) };
		// Coupons: valid, within their limits, then used.
		let discount = 0;
		const couponLines: Json[] = [];
		const used: Json[] = [];
		for (const { code } of input.coupon_lines ?? []) {
			const coupon = this.couponByCode(String(code));
			if (!coupon) return { error: wooError(400, 'woocommerce_rest_invalid_coupon', `Coupon "${code}" does not exist!`) };
			const limit = coupon.usage_limit as number | null;
			if (limit !== null && limit !== undefined && Number(coupon.usage_count) >= limit) return { error: wooError(400, 'woocommerce_rest_invalid_coupon', 'Coupon usage limit has been reached.') };
			const allowed = coupon.email_restrictions as string[];
			if (allowed.length > 0 && !allowed.map((e) => e.toLowerCase()).includes(String(billing.email).toLowerCase())) return { error: wooError(400, 'woocommerce_rest_invalid_coupon', `Sorry, coupon "${code}" is not valid for your email.`) };
			if (coupon.date_expires_gmt && Date.parse(`${String(coupon.date_expires_gmt)}Z`) < Date.now()) return { error: wooError(400, 'woocommerce_rest_invalid_coupon', `Coupon "${code}" has expired.`) };
			const amount = minor(coupon.amount);
			const off = coupon.discount_type === 'percent' ? Math.round(((subtotal - discount) * amount) / 10_000) : Math.min(amount, subtotal - discount);
			discount += off;
			couponLines.push({ id: this.nextId.line++, code: coupon.code, discount: decimal(off), discount_tax: '0.00', meta_data: [] });
			used.push(coupon);
		}
		const paidAt = input.date_paid_gmt ?? (PAID.has(status) ? nowGmt() : null);
		const created = nowGmt();
		const order: Json = {
			id,
			parent_id: 0,
			number: String(id),
			order_key: `wc_order_${randomUUID().replace(/-/g, '').slice(0, 13)}`,
			created_via: 'rest-api',
			version: '9.0.0',
			status,
			currency: input.currency ?? 'USD',
			date_created: paidAt ?? created,
			date_created_gmt: paidAt ?? created,
			date_modified: created,
			date_modified_gmt: created,
			discount_total: decimal(discount),
			discount_tax: '0.00',
			shipping_total: '0.00',
			shipping_tax: '0.00',
			cart_tax: '0.00',
			total: decimal(subtotal - discount),
			total_tax: '0.00',
			prices_include_tax: false,
			customer_id: input.customer_id ?? 0,
			customer_ip_address: '',
			customer_user_agent: '',
			customer_note: '',
			billing,
			shipping: { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '' },
			payment_method: 'bacs',
			payment_method_title: 'Direct bank transfer',
			transaction_id: '',
			date_paid: paidAt,
			date_paid_gmt: paidAt,
			date_completed: status === 'completed' ? paidAt : null,
			date_completed_gmt: status === 'completed' ? paidAt : null,
			cart_hash: '',
			meta_data: (input.meta_data ?? []).map((m, index) => ({ id: index + 1, key: m.key, value: m.value })),
			line_items: lines,
			tax_lines: [],
			shipping_lines: [],
			fee_lines: [],
			coupon_lines: couponLines,
			refunds: [],
		};
		this.orders.set(id, order);
		if (!NOT_COUNTED.has(status)) for (const coupon of used) this.useCoupon(coupon, String(billing.email), +1);
		Object.defineProperty(order, '__coupons', { value: used, enumerable: false, writable: true });
		Object.defineProperty(order, '__refunds', { value: [], enumerable: false, writable: true });
		return { order };
	}

	private useCoupon(coupon: Json, email: string, delta: 1 | -1): void {
		coupon.usage_count = Math.max(0, Number(coupon.usage_count) + delta);
		const usedBy = coupon.used_by as string[];
		if (delta > 0) usedBy.push(email);
		else if (usedBy.includes(email)) usedBy.splice(usedBy.lastIndexOf(email), 1);
	}

	private changeOrder(id: number, patch: Partial<WooOrderInput>, fire = true): { order: Json } | { error: SandboxResponse } {
		const order = this.orders.get(id);
		if (!order) return { error: wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.') };
		const before = String(order.status);
		if (patch.status) {
			order.status = patch.status;
			if (PAID.has(patch.status) && !order.date_paid_gmt) order.date_paid = order.date_paid_gmt = nowGmt();
			if (patch.status === 'completed') order.date_completed = order.date_completed_gmt = nowGmt();
			const coupons = ((order as { __coupons?: Json[] }).__coupons ?? []) as Json[];
			const email = String(asObject(order.billing).email ?? '');
			if (!NOT_COUNTED.has(before) && NOT_COUNTED.has(patch.status)) for (const c of coupons) this.useCoupon(c, email, -1);
			if (NOT_COUNTED.has(before) && !NOT_COUNTED.has(patch.status)) for (const c of coupons) this.useCoupon(c, email, +1);
		}
		if (patch.billing) order.billing = { ...asObject(order.billing), ...patch.billing };
		if (patch.meta_data) order.meta_data = mergeMeta(order.meta_data as Json[], patch.meta_data);
		order.date_modified = order.date_modified_gmt = nowGmt();
		if (fire) this.fire('order', 'updated', order);
		return { order };
	}

	private addRefund(id: number, input: { amount: string; reason?: string }, fire = true): { refund: Json } | { error: SandboxResponse } {
		const order = this.orders.get(id);
		if (!order) return { error: wooError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.') };
		const amount = minor(input.amount);
		const refunded = (order.refunds as Json[]).reduce((sum, r) => sum - minor(r.total), 0);
		if (amount <= 0 || amount > minor(order.total) - refunded) return { error: wooError(400, 'woocommerce_rest_cannot_create_order_refund', 'Invalid refund amount.') };
		const refundId = this.nextId.refund++;
		const refund: Json = { id: refundId, date_created: nowGmt(), date_created_gmt: nowGmt(), amount: decimal(amount), reason: input.reason ?? '', refunded_by: 1, refunded_payment: false, meta_data: [], line_items: [] };
		(order.refunds as Json[]).push({ id: refundId, reason: input.reason ?? '', total: `-${decimal(amount)}` });
		((order as { __refunds?: Json[] }).__refunds ?? []).push(refund);
		if (refunded + amount === minor(order.total)) order.status = 'refunded';
		order.date_modified = order.date_modified_gmt = nowGmt();
		if (fire) this.fire('order', 'updated', order);
		return { refund };
	}

	private addCustomer(input: Json, fire = true): { customer: Json } | { error: SandboxResponse } {
		const email = text(input.email);
		if (!email) return { error: wooError(400, 'rest_missing_callback_param', 'Missing parameter(s): email') };
		if ([...this.customers.values()].some((c) => String(c.email).toLowerCase() === email.toLowerCase())) return { error: wooError(400, 'registration-error-email-exists', 'An account is already registered with your email address.') };
		const id = this.nextId.customer++;
		const customer: Json = {
			id,
			date_created: nowGmt(),
			date_created_gmt: nowGmt(),
			date_modified: nowGmt(),
			date_modified_gmt: nowGmt(),
			email,
			first_name: '',
			last_name: '',
			role: 'customer',
			username: email.split('@')[0],
			billing: { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '', email, phone: '' },
			shipping: { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '' },
			is_paying_customer: false,
			avatar_url: '',
			meta_data: [],
		};
		this.applyCustomer(customer, input);
		this.customers.set(id, customer);
		if (fire) this.fire('customer', 'created', customer);
		return { customer };
	}

	private applyCustomer(customer: Json, input: Json): void {
		for (const key of ['email', 'first_name', 'last_name', 'username']) if (typeof input[key] === 'string') customer[key] = input[key];
		for (const key of ['billing', 'shipping']) if (input[key]) customer[key] = { ...asObject(customer[key]), ...asObject(input[key]) };
		if (Array.isArray(input.meta_data)) customer.meta_data = mergeMeta(customer.meta_data as Json[], input.meta_data as Array<{ key: string; value: unknown }>);
		customer.date_modified = customer.date_modified_gmt = nowGmt();
	}

	private createCoupon(input: Json): SandboxResponse {
		const code = text(input.code);
		if (!code) return wooError(400, 'rest_missing_callback_param', 'Missing parameter(s): code');
		if (this.couponByCode(code)) return wooError(400, 'woocommerce_rest_coupon_code_already_exists', 'The coupon code already exists');
		const id = this.nextId.coupon++;
		const coupon: Json = {
			id,
			code: code.toLowerCase(),
			amount: decimal(minor(input.amount ?? '0')),
			date_created: nowGmt(),
			date_created_gmt: nowGmt(),
			date_modified: nowGmt(),
			date_modified_gmt: nowGmt(),
			discount_type: text(input.discount_type) ?? 'fixed_cart',
			description: text(input.description) ?? '',
			date_expires: text(input.date_expires_gmt) ?? null,
			date_expires_gmt: text(input.date_expires_gmt) ?? null,
			usage_count: 0,
			individual_use: input.individual_use === true,
			product_ids: Array.isArray(input.product_ids) ? input.product_ids : [],
			excluded_product_ids: [],
			usage_limit: typeof input.usage_limit === 'number' ? input.usage_limit : null,
			usage_limit_per_user: typeof input.usage_limit_per_user === 'number' ? input.usage_limit_per_user : null,
			limit_usage_to_x_items: null,
			free_shipping: input.free_shipping === true,
			product_categories: Array.isArray(input.product_categories) ? input.product_categories : [],
			excluded_product_categories: [],
			exclude_sale_items: false,
			minimum_amount: '0.00',
			maximum_amount: '0.00',
			email_restrictions: Array.isArray(input.email_restrictions) ? input.email_restrictions : [],
			used_by: [],
			meta_data: [],
		};
		this.coupons.set(id, coupon);
		return json(201, coupon);
	}

	private createWebhook(input: Json): SandboxResponse {
		const topic = text(input.topic);
		const deliveryUrl = text(input.delivery_url);
		if (!topic || !/^(order|customer|product|coupon)\.(created|updated|deleted|restored)$/.test(topic)) return wooError(400, 'rest_invalid_param', 'Invalid parameter(s): topic');
		if (!deliveryUrl) return wooError(400, 'rest_missing_callback_param', 'Missing parameter(s): delivery_url');
		const id = this.nextId.webhook++;
		const [resource, event] = topic.split('.');
		const secret = text(input.secret) ?? randomUUID();
		const webhook: Json = {
			id,
			name: text(input.name) ?? `Webhook created on ${new Date().toUTCString()}`,
			status: text(input.status) ?? 'active',
			topic,
			resource,
			event,
			hooks: [`woocommerce_${event === 'created' ? 'new' : 'update'}_${resource}`],
			delivery_url: deliveryUrl,
			date_created: nowGmt(),
			date_created_gmt: nowGmt(),
			date_modified: nowGmt(),
			date_modified_gmt: nowGmt(),
		};
		this.webhooks.set(id, webhook);
		this.secrets.set(id, secret);
		// WooCommerce pings a new webhook's URL once: form-encoded, unsigned, no topic.
		return {
			...json(201, webhook),
			after: () => void this.outbox.post('woocommerce', deliveryUrl, { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'WooCommerce Hookshot (sandbox)' }, `webhook_id=${id}`),
		};
	}

	/** Sends the resource to every active webhook of `resource.event`, signed with its secret. */
	private fire(resource: string, event: string, payload: Json): void {
		const topic = `${resource}.${event}`;
		const body = JSON.stringify(payload);
		for (const webhook of this.webhooks.values()) {
			if (webhook.status !== 'active' || webhook.topic !== topic) continue;
			const secret = this.secrets.get(Number(webhook.id)) ?? '';
			const deliveryId = randomUUID();
			const headers = {
				'content-type': 'application/json',
				'user-agent': 'WooCommerce Hookshot (sandbox)',
				'x-wc-webhook-source': `${this.shopUrl()}/`,
				'x-wc-webhook-topic': topic,
				'x-wc-webhook-resource': resource,
				'x-wc-webhook-event': event,
				'x-wc-webhook-signature': createHmac('sha256', secret).update(body).digest('base64'),
				'x-wc-webhook-id': String(webhook.id),
				'x-wc-webhook-delivery-id': deliveryId,
			};
			const delivery: WooWebhookDelivery = { deliveryId, webhookId: Number(webhook.id), topic, url: String(webhook.delivery_url), body, headers, posts: [] };
			this.deliveries.push(delivery);
			void this.outbox.post('woocommerce', delivery.url, headers, body).then((p) => delivery.posts.push(p));
		}
	}
}

function withoutNulls(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutNulls);
	if (!value || typeof value !== 'object') return value;
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

function mergeMeta(existing: Json[], changes: Array<{ key: string; value: unknown }>): Json[] {
	const out = existing.map((m) => ({ ...m }));
	for (const change of changes) {
		const found = out.find((m) => m.key === change.key);
		if (found) found.value = change.value;
		else out.push({ id: out.length + 1, key: change.key, value: change.value });
	}
	return out;
}

/** WordPress's `_fields`: only the named top-level fields. */
function fields(item: Json, list: string | null): Json {
	if (!list) return item;
	const wanted = list.split(',').map((f) => f.trim());
	return Object.fromEntries(Object.entries(item).filter(([key]) => wanted.includes(key)));
}

function slugOf(name: string): string {
	return name
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '');
}
