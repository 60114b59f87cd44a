/**
 * Square's API as this project uses it: locations, customers, catalog (items, variations,
 * categories), orders, payments and refunds, Square Loyalty, and webhook subscriptions; and
 * notifications signed the way Square signs them (HMAC-SHA256 of notification URL + body).
 * A payment's order is that order: RetrieveOrder answers with what was created.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Outbox, OutgoingDelivery } from './outbox';
import { asObject, header, json, text, type SandboxRequest, type SandboxResponse, type VendorRequest } from './types';

type Json = Record<string, unknown>;
type Money = { amount: number; currency: string };

export const SQUARE_SANDBOX_LOCATION = 'LSANDBOX0000001';
export const SQUARE_SANDBOX_MERCHANT = 'MLSANDBOX00001';

export interface SquareNotification {
	eventId: string;
	type: string;
	subscriptionId: string;
	url: string;
	body: string;
	headers: Record<string, string>;
	posts: OutgoingDelivery[];
}

function squareError(status: number, code: string, detail: string, category = 'INVALID_REQUEST_ERROR', field?: string): SandboxResponse {
	return json(status, { errors: [{ category, code, detail, ...(field ? { field } : {}) }] });
}

function id(prefix = ''): string {
	return prefix + randomBytes(16).toString('base64url').replace(/[-_]/g, 'x').slice(0, 22);
}

const now = () => new Date().toISOString();

export class SquareSandbox {
	readonly requests: VendorRequest[] = [];
	delayMs = 0;
	readonly customers = new Map<string, Json>();
	readonly catalog = new Map<string, Json>();
	readonly orders = new Map<string, Json>();
	readonly payments = new Map<string, Json>();
	readonly refunds = new Map<string, Json>();
	readonly subscriptions = new Map<string, Json>();
	readonly loyaltyAccounts = new Map<string, Json>();
	readonly rewards = new Map<string, Json>();
	readonly loyaltyEvents: Json[] = [];
	readonly notifications: SquareNotification[] = [];
	/** The seller's locations (stores): the sandbox coffee shop, and any a test adds. */
	readonly locations = new Map<string, Json>([[SQUARE_SANDBOX_LOCATION, location(SQUARE_SANDBOX_LOCATION, 'Sandbox coffee shop')]]);
	readonly program: Json;
	private readonly keys = new Map<string, string>();
	private readonly idempotency = new Map<string, SandboxResponse>();

	/** `signatureKey`: what every new subscription signs with (default: a new random key each, as Square does). */
	constructor(
		private readonly outbox: Outbox,
		private readonly options: { signatureKey?: string } = {},
	) {
		this.program = {
			id: 'sandbox-loyalty-program',
			status: 'ACTIVE',
			reward_tiers: [{ id: 'sandbox-tier-100', points: 100, name: '$5 off', definition: { scope: 'ORDER', discount_type: 'FIXED_AMOUNT', fixed_discount_money: { amount: 500, currency: 'USD' } }, created_at: now(), pricing_rule_reference: { object_id: 'sandbox-pricing-rule' } }],
			terminology: { one: 'Point', other: 'Points' },
			location_ids: [SQUARE_SANDBOX_LOCATION],
			created_at: now(),
			updated_at: now(),
			accrual_rules: [{ accrual_type: 'SPEND', points: 1, spend_data: { amount_money: { amount: 100, currency: 'USD' }, tax_mode: 'BEFORE_TAX' } }],
		};
	}

	// ---- programmatic API for tests ----

	/** Another store of the same seller; orders name it in `location_id`. */
	addLocation(name: string): string {
		const locationId = id('L').slice(0, 13).toUpperCase();
		this.locations.set(locationId, location(locationId, name));
		return locationId;
	}

	createCustomer(input: { given_name?: string; family_name?: string; email_address?: string; phone_number?: string; birthday?: string; reference_id?: string }): Json {
		const customer: Json = { id: id('C'), created_at: now(), updated_at: now(), creation_source: 'THIRD_PARTY', preferences: { email_unsubscribed: false }, version: 0, ...compact(input) };
		this.customers.set(String(customer.id), customer);
		this.notify('customer.created', 'customer', String(customer.id), { customer });
		return customer;
	}

	/** An item with one variation per price, in a category (created when new); returns the variation ids. */
	addCatalogItem(input: { name: string; category?: string; variations: Array<{ name?: string; price: number }> }): { itemId: string; variationIds: string[]; categoryId?: string } {
		let categoryId: string | undefined;
		if (input.category) {
			const existing = [...this.catalog.values()].find((o) => o.type === 'CATEGORY' && asObject(o.category_data).name === input.category);
			categoryId = existing ? String(existing.id) : id('CAT');
			if (!existing) this.catalog.set(categoryId, catalogObject('CATEGORY', categoryId, { category_data: { name: input.category } }));
		}
		const itemId = id('ITEM');
		const variationIds = input.variations.map(() => id('VAR'));
		this.catalog.set(itemId, catalogObject('ITEM', itemId, { item_data: { name: input.name, ...(categoryId ? { categories: [{ id: categoryId, ordinal: 0 }], reporting_category: { id: categoryId } } : {}), variations: variationIds.map((v) => ({ id: v, type: 'ITEM_VARIATION' })) } }));
		input.variations.forEach((variation, index) => {
			this.catalog.set(variationIds[index], catalogObject('ITEM_VARIATION', variationIds[index], { item_variation_data: { item_id: itemId, name: variation.name ?? 'Regular', pricing_type: 'FIXED_PRICING', price_money: { amount: variation.price, currency: 'USD' } } }));
		});
		return { itemId, variationIds, ...(categoryId ? { categoryId } : {}) };
	}

	/**
	 * Sets a variation's price, as an edit in the Square dashboard does: catalog.version.updated fires,
	 * carrying only the new catalog version's time (Square's notification names no object).
	 */
	setVariationPrice(variationId: string, amount: number): void {
		const variation = this.catalog.get(variationId);
		if (!variation || variation.type !== 'ITEM_VARIATION') throw new Error(`no Square item variation ${variationId}`);
		const data = asObject(variation.item_variation_data);
		const updatedAt = now();
		this.catalog.set(variationId, { ...variation, updated_at: updatedAt, version: Number(variation.version ?? 1) + 1, item_variation_data: { ...data, price_money: { amount, currency: asObject(data.price_money).currency ?? 'USD' } } });
		this.notify('catalog.version.updated', 'catalog_version', '', { catalog_version: { updated_at: updatedAt } });
	}

	/** Sets the IN_STOCK count of a variation at a location: inventory.count.updated fires with the new count only. */
	setInventoryCount(variationId: string, quantity: number, locationId = SQUARE_SANDBOX_LOCATION): void {
		if (!this.catalog.has(variationId)) throw new Error(`no Square item variation ${variationId}`);
		const count = { catalog_object_id: variationId, catalog_object_type: 'ITEM_VARIATION', state: 'IN_STOCK', location_id: locationId, quantity: String(quantity), calculated_at: now() };
		this.notify('inventory.count.updated', 'inventory_counts', variationId, { inventory_counts: [count] });
	}

	/**
	 * `created_at`: when the order was placed (default now), to seed a history. `fulfillments`:
	 * how an order placed ahead is handed over (`[{ type: 'PICKUP' }]` for Square Online's pickup).
	 */
	createOrder(input: { created_at?: string; customer_id?: string; line_items?: Array<{ name?: string; quantity?: string; base_price_money?: Money; catalog_object_id?: string }>; location_id?: string; reference_id?: string; fulfillments?: Array<{ type: 'PICKUP' | 'SHIPMENT' | 'DELIVERY' }>; metadata?: Record<string, string> }): Json {
		const result = this.buildOrder(input);
		if ('error' in result) throw new Error(`Square sandbox refused the order: ${JSON.stringify(result.error.body)}`);
		return result.order;
	}

	/**
	 * A card payment (completed unless `autocomplete: false`), of an existing order or of a new one
	 * for the amount: a card dipped at the register (Square Point of Sale) unless `square_product`
	 * names another Square product (`ONLINE_STORE` for Square Online). Payments created over HTTP
	 * are the Payments API's (`ECOMMERCE_API`).
	 */
	createPayment(input: { amount?: number; order_id?: string; customer_id?: string; buyer_email_address?: string; autocomplete?: boolean; square_product?: string; note?: string; card_fingerprint?: string }): Json {
		const result = this.pay({ ...input, square_product: input.square_product ?? 'SQUARE_POS', ...(input.amount !== undefined ? { amount_money: { amount: input.amount, currency: 'USD' } } : {}), source_id: 'cnon:card-nonce-ok' });
		if ('error' in result) throw new Error(`Square sandbox refused the payment: ${JSON.stringify(result.error.body)}`);
		return result.payment;
	}

	completePayment(paymentId: string): Json {
		const result = this.complete(paymentId);
		if ('error' in result) throw new Error(`Square sandbox refused to complete: ${JSON.stringify(result.error.body)}`);
		return result.payment;
	}

	/** Refunds (part of) a payment: refund.created (PENDING) then refund.updated (COMPLETED). */
	refundPayment(paymentId: string, amount: number, reason?: string): Json {
		const result = this.refund({ payment_id: paymentId, amount_money: { amount, currency: 'USD' }, reason });
		if ('error' in result) throw new Error(`Square sandbox refused the refund: ${JSON.stringify(result.error.body)}`);
		return result.refund;
	}

	createLoyaltyAccount(input: { customer_id?: string; phone_number: string; balance?: number }): Json {
		const account: Json = { id: randomUUID(), program_id: this.program.id, balance: input.balance ?? 0, lifetime_points: input.balance ?? 0, customer_id: input.customer_id, mapping: { id: randomUUID(), created_at: now(), phone_number: input.phone_number }, created_at: now(), updated_at: now(), enrolled_at: now() };
		this.loyaltyAccounts.set(String(account.id), account);
		return account;
	}

	/** Posts a notification again, byte for byte (Square retrying). */
	redeliver(eventId: string): Promise<OutgoingDelivery> {
		const notification = this.notifications.find((n) => n.eventId === eventId);
		if (!notification) throw new Error(`no Square notification ${eventId}`);
		const post = this.outbox.post('square', notification.url, notification.headers, notification.body);
		void post.then((p) => notification.posts.push(p));
		return post;
	}

	notificationsOf(type: string, objectId?: string): SquareNotification[] {
		return this.notifications.filter((n) => n.type === type && (!objectId || (JSON.parse(n.body) as { data: { id: string } }).data.id === objectId));
	}

	// ---- HTTP ----

	async handle(request: SandboxRequest): Promise<SandboxResponse> {
		if (!/^Bearer\s+\S+/.test(header(request, 'authorization') ?? '')) return squareError(401, 'UNAUTHORIZED', 'This request could not be authorized.', 'AUTHENTICATION_ERROR');
		const route = request.pathname;
		const method = request.method;
		const body = asObject(request.body);
		let m: RegExpExecArray | null;
		const key = text(body.idempotency_key);
		const replay = key ? this.idempotency.get(`${route}|${key}`) : undefined;
		if (replay) return { ...replay, after: undefined };
		const remember = (response: SandboxResponse): SandboxResponse => {
			if (key && response.status < 300) this.idempotency.set(`${route}|${key}`, response);
			return response;
		};

		if (route === '/v2/locations' && method === 'GET') return json(200, { locations: [...this.locations.values()] });
		if ((m = /^\/v2\/locations\/([^/]+)$/.exec(route)) && method === 'GET') {
			const found = this.locations.get(m[1] === 'main' ? SQUARE_SANDBOX_LOCATION : decodeURIComponent(m[1]));
			return found ? json(200, { location: found }) : squareError(404, 'NOT_FOUND', 'Location not found.');
		}
		if (route === '/v2/customers' && method === 'POST') {
			if (!body.given_name && !body.family_name && !body.company_name && !body.email_address && !body.phone_number) return squareError(400, 'BAD_REQUEST', 'At least one of the following is required: given_name, family_name, company_name, email_address, phone_number.');
			const fields = { ...body };
			delete fields.idempotency_key;
			return remember(json(200, { customer: this.createCustomer(fields as Parameters<SquareSandbox['createCustomer']>[0]) }));
		}
		if ((m = /^\/v2\/customers\/([^/]+)$/.exec(route))) {
			const customer = this.customers.get(decodeURIComponent(m[1]));
			if (!customer) return squareError(404, 'NOT_FOUND', `Customer with ID \`${m[1]}\` not found.`);
			if (method === 'GET') return json(200, { customer });
			if (method === 'PUT') {
				Object.assign(customer, compact(body as Json), { updated_at: now(), version: Number(customer.version ?? 0) + 1 });
				this.notify('customer.updated', 'customer', String(customer.id), { customer });
				return json(200, { customer });
			}
		}
		if (route === '/v2/catalog/batch-retrieve' && method === 'POST') {
			const ids = Array.isArray(body.object_ids) ? (body.object_ids as string[]) : [];
			const objects = ids.map((i) => this.catalog.get(i)).filter((o): o is Json => o !== undefined);
			const related: Json[] = [];
			if (body.include_related_objects === true) {
				const seen = new Set(ids);
				const add = (relatedId: string | undefined) => {
					const object = relatedId ? this.catalog.get(relatedId) : undefined;
					if (object && !seen.has(relatedId!)) {
						seen.add(relatedId!);
						related.push(object);
					}
				};
				for (const object of objects) {
					add(asObject(object.item_variation_data).item_id as string | undefined);
					const item = asObject(object.item_data);
					for (const c of (item.categories ?? []) as Json[]) add(String(c.id));
				}
			}
			return json(200, { objects, ...(related.length ? { related_objects: related } : {}) });
		}
		if ((m = /^\/v2\/catalog\/object\/([^/]+)$/.exec(route)) && method === 'GET') {
			const object = this.catalog.get(decodeURIComponent(m[1]));
			return object ? json(200, { object }) : squareError(404, 'NOT_FOUND', 'Object not found.');
		}
		if (route === '/v2/orders' && method === 'POST') {
			const order = asObject(body.order);
			if (Array.isArray(order.fulfillments) && order.fulfillments.length > 1) return squareError(400, 'INVALID_VALUE', 'Orders can only be created with at most one fulfillment.', 'INVALID_REQUEST_ERROR', 'order.fulfillments');
			const result = this.buildOrder(order as Parameters<SquareSandbox['createOrder']>[0]);
			return 'error' in result ? result.error : remember(json(200, { order: result.order }));
		}
		if (route === '/v2/orders/search' && method === 'POST') return this.searchOrders(body);
		if (route === '/v2/orders/batch-retrieve' && method === 'POST') {
			const ids = Array.isArray(body.order_ids) ? (body.order_ids as string[]) : [];
			return json(200, { orders: ids.map((i) => this.orders.get(i)).filter(Boolean) });
		}
		if ((m = /^\/v2\/orders\/([^/]+)$/.exec(route)) && method === 'GET') {
			const order = this.orders.get(decodeURIComponent(m[1]));
			return order ? json(200, { order }) : squareError(404, 'NOT_FOUND', `Order with ID \`${m[1]}\` not found.`);
		}
		if (route === '/v2/payments' && method === 'POST') {
			const result = this.pay({ ...body, square_product: undefined });
			return 'error' in result ? result.error : remember(json(200, { payment: result.payment }));
		}
		if ((m = /^\/v2\/payments\/([^/]+)$/.exec(route)) && method === 'GET') {
			const payment = this.payments.get(decodeURIComponent(m[1]));
			return payment ? json(200, { payment }) : squareError(404, 'NOT_FOUND', 'Payment not found.');
		}
		if ((m = /^\/v2\/payments\/([^/]+)\/complete$/.exec(route)) && method === 'POST') {
			const result = this.complete(decodeURIComponent(m[1]));
			return 'error' in result ? result.error : json(200, { payment: result.payment });
		}
		if (route === '/v2/refunds' && method === 'POST') {
			const result = this.refund(body);
			return 'error' in result ? result.error : remember(json(200, { refund: result.refund }));
		}
		if ((m = /^\/v2\/refunds\/([^/]+)$/.exec(route)) && method === 'GET') {
			const refund = this.refunds.get(decodeURIComponent(m[1]));
			return refund ? json(200, { refund }) : squareError(404, 'NOT_FOUND', 'Refund not found.');
		}
		if ((route === '/v2/loyalty/programs/main' || route === `/v2/loyalty/programs/${String(this.program.id)}`) && method === 'GET') return json(200, { program: this.program });
		if (route === '/v2/loyalty/accounts' && method === 'POST') {
			const input = asObject(body.loyalty_account);
			const phone = text(asObject(input.mapping).phone_number);
			if (!phone) return squareError(400, 'MISSING_REQUIRED_PARAMETER', 'Field must be set', 'INVALID_REQUEST_ERROR', 'loyalty_account.mapping.phone_number');
			return remember(json(200, { loyalty_account: this.createLoyaltyAccount({ phone_number: phone, customer_id: text(input.customer_id) }) }));
		}
		if (route === '/v2/loyalty/accounts/search' && method === 'POST') {
			const query = asObject(body.query);
			const customerIds = Array.isArray(query.customer_ids) ? (query.customer_ids as string[]) : [];
			const accounts = [...this.loyaltyAccounts.values()].filter((a) => customerIds.length === 0 || customerIds.includes(String(a.customer_id)));
			return json(200, accounts.length ? { loyalty_accounts: accounts.slice(0, Number(body.limit ?? 30)) } : {});
		}
		if ((m = /^\/v2\/loyalty\/accounts\/([^/]+)(\/adjust|\/accumulate)?$/.exec(route))) {
			const account = this.loyaltyAccounts.get(decodeURIComponent(m[1]));
			if (!account) return squareError(404, 'NOT_FOUND', 'Loyalty account not found.');
			if (!m[2] && method === 'GET') return json(200, { loyalty_account: account });
			if (m[2] === '/adjust' && method === 'POST') {
				const points = Number(asObject(body.adjust_points).points);
				if (!Number.isInteger(points) || points === 0) return squareError(400, 'INVALID_VALUE', 'points must be a non-zero integer', 'INVALID_REQUEST_ERROR', 'adjust_points.points');
				if (Number(account.balance) + points < 0 && body.allow_negative_balance !== true) return squareError(400, 'INSUFFICIENT_POINTS_BALANCE', 'Insufficient points balance.');
				const event = this.loyaltyEvent(account, 'ADJUST_POINTS', { adjust_points: { points, reason: asObject(body.adjust_points).reason } }, points);
				return remember(json(200, { event }));
			}
			if (m[2] === '/accumulate' && method === 'POST') {
				const accumulate = asObject(body.accumulate_points);
				let points: number;
				if (typeof accumulate.order_id === 'string') {
					const order = this.orders.get(accumulate.order_id);
					if (!order) return squareError(404, 'NOT_FOUND', 'Order not found.');
					points = Math.floor(Number(asObject(order.total_money).amount) / 100);
				} else points = Number(accumulate.points);
				const event = this.loyaltyEvent(account, 'ACCUMULATE_POINTS', { accumulate_points: { points, ...(accumulate.order_id ? { order_id: accumulate.order_id } : {}) } }, points);
				return remember(json(200, { events: [event] }));
			}
		}
		if (route === '/v2/loyalty/rewards' && method === 'POST') {
			const input = asObject(body.reward);
			const account = this.loyaltyAccounts.get(String(input.loyalty_account_id));
			const tier = (this.program.reward_tiers as Json[]).find((t) => t.id === input.reward_tier_id);
			if (!account || !tier) return squareError(404, 'NOT_FOUND', 'Loyalty account or reward tier not found.');
			if (Number(account.balance) < Number(tier.points)) return squareError(400, 'INSUFFICIENT_POINTS_BALANCE', 'Insufficient points balance.');
			const reward: Json = { id: randomUUID(), status: 'ISSUED', loyalty_account_id: account.id, reward_tier_id: tier.id, points: tier.points, created_at: now(), updated_at: now() };
			this.rewards.set(String(reward.id), reward);
			this.loyaltyEvent(account, 'CREATE_REWARD', { create_reward: { loyalty_program_id: this.program.id, reward_id: reward.id, points: -Number(tier.points) } }, -Number(tier.points));
			return remember(json(200, { reward }));
		}
		if (route === '/v2/webhooks/subscriptions' && method === 'GET') {
			const all = [...this.subscriptions.values()].filter((s) => request.query.get('include_disabled') === 'true' || s.enabled !== false);
			return json(200, { subscriptions: all.map((s) => withoutKey(s)) });
		}
		if (route === '/v2/webhooks/subscriptions' && method === 'POST') {
			const input = asObject(body.subscription);
			const url = text(input.notification_url);
			if (!url) return squareError(400, 'MISSING_REQUIRED_PARAMETER', 'Field must be set', 'INVALID_REQUEST_ERROR', 'subscription.notification_url');
			const subscription: Json = { id: `wbhk_${randomUUID().replace(/-/g, '')}`, name: text(input.name) ?? '', enabled: input.enabled !== false, event_types: Array.isArray(input.event_types) ? input.event_types : [], notification_url: url, api_version: text(input.api_version) ?? header(request, 'square-version') ?? '2025-08-20', created_at: now(), updated_at: now() };
			const signatureKey = this.options.signatureKey ?? randomBytes(16).toString('base64url');
			this.subscriptions.set(String(subscription.id), subscription);
			this.keys.set(String(subscription.id), signatureKey);
			return remember(json(200, { subscription: { ...subscription, signature_key: signatureKey } }));
		}
		if ((m = /^\/v2\/webhooks\/subscriptions\/([^/]+)$/.exec(route))) {
			const subscription = this.subscriptions.get(decodeURIComponent(m[1]));
			if (!subscription) return squareError(404, 'NOT_FOUND', 'Subscription not found.');
			if (method === 'GET') return json(200, { subscription: withoutKey(subscription) });
			if (method === 'DELETE') {
				this.subscriptions.delete(String(subscription.id));
				return json(200, {});
			}
		}
		return squareError(404, 'NOT_FOUND', `API endpoint for URL path \`${route}\` and HTTP method \`${method}\` is not found.`);
	}

	// ---- state ----

	private buildOrder(input: Parameters<SquareSandbox['createOrder']>[0]): { order: Json } | { error: SandboxResponse } {
		const locationId = input.location_id ?? SQUARE_SANDBOX_LOCATION;
		if (!this.locations.has(locationId)) return { error: squareError(404, 'NOT_FOUND', `Location \`${locationId}\` not found.`, 'INVALID_REQUEST_ERROR', 'order.location_id') };
		const lines: Json[] = [];
		for (const line of input.line_items ?? []) {
			const variation = line.catalog_object_id ? this.catalog.get(line.catalog_object_id) : undefined;
			if (line.catalog_object_id && !variation) return { error: squareError(404, 'NOT_FOUND', `Catalog object \`${line.catalog_object_id}\` not found.`) };
			const variationData = asObject(variation?.item_variation_data);
			const item = variationData.item_id ? this.catalog.get(String(variationData.item_id)) : undefined;
			const price = line.base_price_money ?? (variationData.price_money as Money | undefined);
			if (!price) return { error: squareError(400, 'MISSING_REQUIRED_PARAMETER', 'base_price_money is required for ad hoc line items', 'INVALID_REQUEST_ERROR', 'order.line_items.base_price_money') };
			const quantity = line.quantity ?? '1';
			const total = { amount: Math.round(price.amount * Number(quantity)), currency: price.currency };
			lines.push({
				uid: id(),
				name: line.name ?? (item ? String(asObject(item.item_data).name) : 'Item'),
				quantity,
				...(line.catalog_object_id ? { catalog_object_id: line.catalog_object_id, catalog_version: 1, variation_name: String(variationData.name ?? '') } : {}),
				item_type: 'ITEM',
				base_price_money: price,
				gross_sales_money: total,
				total_tax_money: { amount: 0, currency: price.currency },
				total_discount_money: { amount: 0, currency: price.currency },
				total_money: total,
			});
		}
		const total = lines.reduce((sum, l) => sum + Number(asObject(l.total_money).amount), 0);
		const zero = { amount: 0, currency: 'USD' };
		const order: Json = {
			id: id('ORD'),
			location_id: locationId,
			...(input.customer_id ? { customer_id: input.customer_id } : {}),
			...(input.reference_id ? { reference_id: input.reference_id } : {}),
			// What the shop's own app keeps on the order (a referral code from a link, say).
			...(input.metadata ? { metadata: { ...input.metadata } } : {}),
			line_items: lines,
			created_at: input.created_at ?? now(),
			updated_at: now(),
			state: 'OPEN',
			version: 1,
			total_money: { amount: total, currency: 'USD' },
			total_tax_money: zero,
			total_discount_money: zero,
			total_tip_money: zero,
			total_service_charge_money: zero,
			net_amount_due_money: { amount: total, currency: 'USD' },
			source: { name: 'n8n-nodes-loyalty shop sandbox' },
			...(input.fulfillments?.length ? { fulfillments: input.fulfillments.map((f) => ({ uid: id(), type: f.type, state: 'PROPOSED' })) } : {}),
		};
		this.orders.set(String(order.id), order);
		return { order };
	}

	/**
	 * SearchOrders as Square pages it: `location_ids` (required, at most 10), a state filter, a
	 * `created_at` range (start inclusive), sorted by CREATED_AT (ties in creation order), `limit`
	 * (default 500, at most 1,000) and an opaque `cursor` for the next page.
	 */
	private searchOrders(body: Json): SandboxResponse {
		const locations = Array.isArray(body.location_ids) ? (body.location_ids as string[]) : [];
		if (locations.length === 0 || locations.length > 10) return squareError(400, 'INVALID_VALUE', 'location_ids must name between 1 and 10 locations.', 'INVALID_REQUEST_ERROR', 'location_ids');
		const query = asObject(body.query);
		const filter = asObject(query.filter);
		const states = asObject(filter.state_filter).states as string[] | undefined;
		const range = asObject(asObject(filter.date_time_filter).created_at);
		const start = text(range.start_at) ? Date.parse(String(range.start_at)) : undefined;
		const end = text(range.end_at) ? Date.parse(String(range.end_at)) : undefined;
		const descending = asObject(query.sort).sort_order === 'DESC';
		const limit = Number(body.limit ?? 500);
		if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return squareError(400, 'INVALID_VALUE', 'limit must be between 1 and 1000.', 'INVALID_REQUEST_ERROR', 'limit');
		let list = [...this.orders.values()].filter((o) => locations.includes(String(o.location_id)) && (!states?.length || states.includes(String(o.state))));
		list = list.filter((o) => (start === undefined || Date.parse(String(o.created_at)) >= start) && (end === undefined || Date.parse(String(o.created_at)) < end));
		list = list.map((o, i) => ({ o, i })).sort((a, b) => Date.parse(String(a.o.created_at)) - Date.parse(String(b.o.created_at)) || a.i - b.i).map(({ o }) => o);
		if (descending) list.reverse();
		const offset = text(body.cursor) ? Number(Buffer.from(String(body.cursor), 'base64url').toString('utf8')) : 0;
		if (!Number.isInteger(offset) || offset < 0) return squareError(400, 'INVALID_CURSOR', 'The cursor is not valid.', 'INVALID_REQUEST_ERROR', 'cursor');
		const orders = list.slice(offset, offset + limit);
		const next = offset + limit < list.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
		return json(200, { ...(orders.length ? { orders } : {}), ...(next ? { cursor: next } : {}) });
	}

	private pay(input: Json): { payment: Json } | { error: SandboxResponse } {
		if (!text(input.source_id)) return { error: squareError(400, 'MISSING_REQUIRED_PARAMETER', 'Field must be set', 'INVALID_REQUEST_ERROR', 'source_id') };
		let order = text(input.order_id) ? this.orders.get(String(input.order_id)) : undefined;
		if (text(input.order_id) && !order) return { error: squareError(404, 'NOT_FOUND', `Order \`${String(input.order_id)}\` not found.`) };
		let money = input.amount_money as Money | undefined;
		if (order) {
			const due = order.net_amount_due_money as Money;
			money ??= due;
			if (money.amount !== due.amount) return { error: squareError(400, 'PAYMENT_AMOUNT_MISMATCH', 'The payment amount does not match the amount due on the order.') };
		} else {
			if (!money) return { error: squareError(400, 'MISSING_REQUIRED_PARAMETER', 'Field must be set', 'INVALID_REQUEST_ERROR', 'amount_money') };
			// Square makes an order for every payment taken without one.
			const made = this.buildOrder({ customer_id: text(input.customer_id), line_items: [{ name: 'Custom amount', quantity: '1', base_price_money: money }] });
			if ('error' in made) return made;
			order = made.order;
		}
		const autocomplete = input.autocomplete !== false;
		const product = text(input.square_product) ?? 'ECOMMERCE_API';
		const payment: Json = {
			id: id('PAY'),
			created_at: now(),
			updated_at: now(),
			amount_money: money,
			total_money: money,
			approved_money: money,
			status: 'APPROVED',
			delay_duration: 'PT168H',
			delay_action: 'CANCEL',
			source_type: 'CARD',
			// Square fingerprints a card the same for every payment it makes; only a sale that names one gets one here.
			card_details: { status: 'AUTHORIZED', card: { card_brand: 'VISA', last_4: '1111', exp_month: 12, exp_year: 2030, card_type: 'CREDIT', ...(text(input.card_fingerprint) ? { fingerprint: input.card_fingerprint } : {}) }, entry_method: product === 'SQUARE_POS' ? 'EMV' : 'KEYED' },
			...(text(input.note) ? { note: input.note } : {}),
			location_id: order.location_id,
			order_id: order.id,
			...(text(input.customer_id) ?? text(order.customer_id) ? { customer_id: text(input.customer_id) ?? text(order.customer_id) } : {}),
			...(text(input.buyer_email_address) ? { buyer_email_address: input.buyer_email_address } : {}),
			refund_ids: [],
			receipt_number: String(order.id).slice(-4),
			version_token: id(),
			application_details: { square_product: product, application_id: 'sandbox-application' },
		};
		this.payments.set(String(payment.id), payment);
		this.notify('payment.created', 'payment', String(payment.id), { payment: { ...payment } });
		if (autocomplete) this.complete(String(payment.id));
		return { payment };
	}

	private complete(paymentId: string): { payment: Json } | { error: SandboxResponse } {
		const payment = this.payments.get(paymentId);
		if (!payment) return { error: squareError(404, 'NOT_FOUND', 'Payment not found.') };
		if (payment.status === 'COMPLETED') return { payment };
		if (payment.status !== 'APPROVED') return { error: squareError(400, 'BAD_REQUEST', `Payment is ${String(payment.status)}.`) };
		Object.assign(payment, { status: 'COMPLETED', updated_at: now(), card_details: { ...asObject(payment.card_details), status: 'CAPTURED' } });
		const order = this.orders.get(String(payment.order_id));
		if (order) {
			Object.assign(order, { state: 'COMPLETED', closed_at: now(), updated_at: now(), version: Number(order.version) + 1, net_amount_due_money: { amount: 0, currency: 'USD' }, tenders: [{ id: payment.id, location_id: payment.location_id, transaction_id: order.id, created_at: payment.created_at, amount_money: payment.amount_money, type: 'CARD', payment_id: payment.id }] });
		}
		this.notify('payment.updated', 'payment', paymentId, { payment: { ...payment } });
		return { payment };
	}

	private refund(input: Json): { refund: Json } | { error: SandboxResponse } {
		const payment = this.payments.get(String(input.payment_id));
		if (!payment) return { error: squareError(404, 'NOT_FOUND', 'Payment not found.') };
		if (payment.status !== 'COMPLETED') return { error: squareError(400, 'BAD_REQUEST', 'Only completed payments can be refunded.') };
		const money = input.amount_money as Money | undefined;
		if (!money || !(money.amount > 0)) return { error: squareError(400, 'INVALID_VALUE', 'amount_money must be positive', 'INVALID_REQUEST_ERROR', 'amount_money') };
		const refunded = Number(asObject(payment.refunded_money).amount ?? 0);
		if (refunded + money.amount > Number(asObject(payment.amount_money).amount)) return { error: squareError(400, 'REFUND_AMOUNT_INVALID', 'The requested refund amount exceeds the amount available to refund.') };
		const refund: Json = { id: `${String(payment.id)}_${id()}`, status: 'PENDING', amount_money: money, payment_id: payment.id, order_id: payment.order_id, location_id: payment.location_id, reason: text(input.reason) ?? '', created_at: now(), updated_at: now() };
		this.refunds.set(String(refund.id), refund);
		Object.assign(payment, { refunded_money: { amount: refunded + money.amount, currency: money.currency }, refund_ids: [...(payment.refund_ids as string[]), refund.id], updated_at: now() });
		this.notify('refund.created', 'refund', String(refund.id), { refund: { ...refund } });
		Object.assign(refund, { status: 'COMPLETED', updated_at: now() });
		// Square lists a payment's refunds on its order as well.
		const order = this.orders.get(String(payment.order_id));
		if (order) Object.assign(order, { refunds: [...((order.refunds as Json[] | undefined) ?? []), { id: refund.id, location_id: payment.location_id, transaction_id: order.id, tender_id: payment.id, created_at: refund.created_at, reason: refund.reason, amount_money: money, status: 'APPROVED' }], updated_at: now(), version: Number(order.version) + 1 });
		this.notify('refund.updated', 'refund', String(refund.id), { refund: { ...refund } });
		return { refund };
	}

	private loyaltyEvent(account: Json, type: string, detail: Json, points: number): Json {
		account.balance = Number(account.balance) + points;
		if (points > 0 && type !== 'ADJUST_POINTS') account.lifetime_points = Number(account.lifetime_points) + points;
		account.updated_at = now();
		const event: Json = { id: randomUUID(), type, created_at: now(), loyalty_account_id: account.id, source: 'LOYALTY_API', location_id: SQUARE_SANDBOX_LOCATION, ...detail };
		this.loyaltyEvents.push(event);
		return event;
	}

	/** One notification per subscription that listens for `type`, each with its own event id. */
	private notify(type: string, objectType: string, objectId: string, object: Json): void {
		for (const subscription of this.subscriptions.values()) {
			if (subscription.enabled === false || !(subscription.event_types as string[]).includes(type)) continue;
			const eventId = randomUUID();
			const body = JSON.stringify({ merchant_id: SQUARE_SANDBOX_MERCHANT, type, event_id: eventId, created_at: now(), data: { type: objectType, id: objectId, object } });
			const url = String(subscription.notification_url);
			const key = this.keys.get(String(subscription.id)) ?? '';
			const headers = {
				'content-type': 'application/json',
				'user-agent': 'Square Connect v2 (sandbox)',
				'square-version': String(subscription.api_version),
				'square-environment': 'Sandbox',
				'x-square-hmacsha256-signature': createHmac('sha256', key).update(url + body).digest('base64'),
			};
			const notification: SquareNotification = { eventId, type, subscriptionId: String(subscription.id), url, body, headers, posts: [] };
			this.notifications.push(notification);
			void this.outbox.post('square', url, headers, body).then((p) => notification.posts.push(p));
		}
	}
}

function location(locationId: string, name: string): Json {
	return { id: locationId, name, status: 'ACTIVE', merchant_id: SQUARE_SANDBOX_MERCHANT, country: 'US', currency: 'USD', timezone: 'America/New_York', type: 'PHYSICAL', capabilities: ['CREDIT_CARD_PROCESSING'], created_at: '2026-01-01T00:00:00Z' };
}

function catalogObject(type: string, objectId: string, data: Json): Json {
	return { type, id: objectId, updated_at: now(), version: 1, is_deleted: false, present_at_all_locations: true, ...data };
}

function withoutKey(subscription: Json): Json {
	const rest = { ...subscription };
	delete rest.signature_key;
	return rest;
}

function compact(object: Json): Json {
	return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}
