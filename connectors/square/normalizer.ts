import {
	type Birthday,
	type CustomerInput,
	type Identities,
	EventType,
	type LoyaltyEvent,
	type LoyaltyEventInput,
	LoyaltyError,
	OrderChannel,
	OrderSource,
	OrderStatus,
	type OrderInput,
	birthdaySchema,
	loyaltyEventSchema,
	minorUnitExponent,
	parseOrThrow,
} from '../../engine';
import {
	type JsonObject,
	compact,
	e164OrUndefined,
	isObject,
	emailOrWarning,
	requireSomeIdentity,
	optionalArray,
	optionalObject,
	optionalText,
	requireId,
	requireObject,
	requireText,
} from '../shared/payload';
import { type SquareCustomer, SquareEventType, type SquareOrder } from './types';
import { squareReferral } from './referral';

/**
 * What the caller fetched from Square for this notification. Payment and refund notifications
 * carry no line items and refunds carry no customer, so the order (and the customer it names)
 * are retrieved first; `squareLookups` says which.
 */
export interface SquareNotificationContext {
	order?: SquareOrder;
	customer?: SquareCustomer;
	/**
	 * Who bought the refunded order, as the loyalty store recorded it. Square's refunds name no
	 * customer, and counter sales often have none on the order either, so the store is the only
	 * place left that knows whose points to take back.
	 */
	purchaser?: Identities;
}

const COMPLETED = 'COMPLETED';
/** An order to be handed over later (picked up, shipped, delivered) was placed ahead, online. */
const ONLINE_FULFILLMENTS: ReadonlySet<string> = new Set(['PICKUP', 'SHIPMENT', 'DELIVERY']);
/** Square products that take payments away from a register: Square Online, invoices, web checkouts on Square's API. */
const ONLINE_PRODUCTS: ReadonlySet<string> = new Set(['ONLINE_STORE', 'INVOICES', 'ECOMMERCE_API']);

type Draft = Omit<LoyaltyEventInput, 'id'>;

/**
 * Turns one Square notification into canonical events (at most one). Notification types this
 * package does not handle, and payments or refunds that are not COMPLETED, yield nothing: Square
 * sends several updates per payment and only the completed one is a fact worth recording.
 */
export function normalizeSquareNotification(notification: unknown, context: SquareNotificationContext = {}): LoyaltyEvent[] {
	const envelope = requireObject(notification, 'notification');
	const type = requireText(envelope.type, 'type');
	const eventId = requireText(envelope.event_id, 'event_id');
	const notifiedAt = optionalText(envelope.created_at, 'created_at');
	let draft: Draft | undefined;
	const warnings: string[] = [];
	switch (type) {
		case SquareEventType.PaymentCreated:
		case SquareEventType.PaymentUpdated:
			draft = paymentDraft(requireObject(dataObject(envelope).payment, 'data.object.payment'), context, notifiedAt, warnings);
			break;
		case SquareEventType.RefundCreated:
		case SquareEventType.RefundUpdated:
			draft = refundDraft(requireObject(dataObject(envelope).refund, 'data.object.refund'), context, notifiedAt, warnings);
			break;
		case SquareEventType.CustomerCreated:
		case SquareEventType.CustomerUpdated:
			draft = customerDraft(requireObject(dataObject(envelope).customer, 'data.object.customer'), notifiedAt, warnings);
			break;
		default:
			return [];
	}
	if (draft === undefined) return [];
	return [parseOrThrow(loyaltyEventSchema, { id: `square:${eventId}`, ...draft, ...(warnings.length > 0 ? { warnings } : {}) }, 'event')];
}

/**
 * Which objects still need retrieving before `normalizeSquareNotification` can build a complete
 * event. Call it again after each retrieval: a refund's customer is only known from its order.
 */
export function squareLookups(notification: unknown, context: SquareNotificationContext = {}): { orderId?: string; customerId?: string } {
	if (!isObject(notification) || !isObject(notification.data) || !isObject(notification.data.object)) return {};
	const { payment, refund } = notification.data.object;
	const source = isObject(payment) ? payment : isObject(refund) ? refund : undefined;
	if (source === undefined || source.status !== COMPLETED) return {};
	const orderId = typeof source.order_id === 'string' && source.order_id !== '' ? source.order_id : undefined;
	const customerId = [source.customer_id, context.order?.customer_id].find((v): v is string => typeof v === 'string' && v !== '');
	return compact({
		orderId: context.order === undefined ? orderId : undefined,
		customerId: context.customer === undefined ? customerId : undefined,
	});
}

function dataObject(envelope: JsonObject): JsonObject {
	const data = requireObject(envelope.data, 'data');
	return requireObject(data.object, 'data.object');
}

function paymentDraft(payment: JsonObject, context: SquareNotificationContext, notifiedAt: string | undefined, warnings: string[]): Draft | undefined {
	const field = 'data.object.payment';
	if (payment.status !== COMPLETED) return undefined;
	const paymentId = requireId(payment.id, `${field}.id`);
	const orderId = optionalText(payment.order_id, `${field}.order_id`);
	const money = squareMoney(payment.amount_money, `${field}.amount_money`);
	const order = matchingOrder(context.order, orderId);
	const squareId = optionalText(payment.customer_id, `${field}.customer_id`) ?? optionalText(order?.customer_id, 'context.order.customer_id');
	const customer = squareCustomerInput(matchingCustomer(context.customer, squareId), squareId, payment.buyer_email_address, warnings);
	const placedAt = optionalText(order?.created_at, 'context.order.created_at') ?? optionalText(payment.created_at, `${field}.created_at`);
	const canonical: OrderInput = compact({
		source: OrderSource.Square,
		id: orderId ?? paymentId,
		status: OrderStatus.Paid,
		placedAt: placedAt as string,
		currency: money.currency,
		totalMinor: money.amount,
		discountMinor: order?.total_discount_money === undefined ? undefined : squareMoney(order.total_discount_money, 'context.order.total_discount_money').amount,
		channel: squareChannel(payment, order),
		location: optionalText(order?.location_id, 'context.order.location_id') ?? optionalText(payment.location_id, `${field}.location_id`),
		lines: order === undefined ? [] : orderLines(order),
		customer,
		...squareReferral(payment, order),
	});
	return {
		type: EventType.Purchase,
		source: OrderSource.Square,
		occurredAt: (optionalText(payment.updated_at, `${field}.updated_at`) ?? optionalText(payment.created_at, `${field}.created_at`) ?? notifiedAt) as string,
		// Keyed on the order when there is one, so a second payment on a split-tender order cannot earn twice.
		idempotencyKey: orderId !== undefined ? `square:order:${orderId}:paid` : `square:payment:${paymentId}:paid`,
		customer,
		order: canonical,
	};
}

/**
 * In store unless Square says the sale was online: the order is to be picked up, shipped or
 * delivered, or the payment was taken by Square Online, an invoice or a web checkout. A register
 * sale (Square Point of Sale, Retail, Restaurants, Terminal) says none of these.
 */
function squareChannel(payment: JsonObject, order: SquareOrder | undefined): OrderChannel {
	const fulfillments = Array.isArray(order?.fulfillments) ? order.fulfillments : [];
	if (fulfillments.some((f) => isObject(f) && typeof f.type === 'string' && ONLINE_FULFILLMENTS.has(f.type))) return OrderChannel.Online;
	const product = isObject(payment.application_details) ? payment.application_details.square_product : undefined;
	return typeof product === 'string' && ONLINE_PRODUCTS.has(product) ? OrderChannel.Online : OrderChannel.InStore;
}

function refundDraft(refund: JsonObject, context: SquareNotificationContext, notifiedAt: string | undefined, warnings: string[]): Draft | undefined {
	const field = 'data.object.refund';
	if (refund.status !== COMPLETED) return undefined;
	const refundId = requireId(refund.id, `${field}.id`);
	const orderId = optionalText(refund.order_id, `${field}.order_id`);
	const money = squareMoney(refund.amount_money, `${field}.amount_money`);
	const order = matchingOrder(context.order, orderId);
	const squareId = optionalText(order?.customer_id, 'context.order.customer_id') ?? optionalText(context.customer?.id, 'context.customer.id');
	const fromSquare = squareCustomerInput(matchingCustomer(context.customer, squareId), squareId, undefined, warnings);
	const customer = Object.keys(fromSquare.identities).length === 0 && context.purchaser ? { ...fromSquare, identities: context.purchaser } : fromSquare;
	const createdAt = optionalText(refund.created_at, `${field}.created_at`) ?? notifiedAt;
	return {
		type: EventType.Refund,
		source: OrderSource.Square,
		occurredAt: (optionalText(refund.updated_at, `${field}.updated_at`) ?? createdAt) as string,
		idempotencyKey: `square:refund:${refundId}`,
		customer,
		refund: compact({
			source: OrderSource.Square,
			id: refundId,
			orderId: refundedOrderId(refund, order) as string,
			amountMinor: money.amount,
			currency: money.currency,
			createdAt: createdAt as string,
			reason: optionalText(refund.reason, `${field}.reason`),
		}),
	};
}

/**
 * The id the refunded purchase was recorded under: the sale order (an itemized return has its own
 * return order), or the payment when there was no order.
 */
function refundedOrderId(refund: JsonObject, order: SquareOrder | undefined): string | undefined {
	const field = 'data.object.refund';
	return returnedFrom(order) ?? optionalText(refund.order_id, `${field}.order_id`) ?? optionalText(refund.payment_id, `${field}.payment_id`);
}

/** For a refund notification: the purchase it refunds, so the caller can look up its buyer. */
export function squareRefundTarget(notification: unknown, context: SquareNotificationContext = {}): string | undefined {
	if (!isObject(notification) || !isObject(notification.data) || !isObject(notification.data.object)) return undefined;
	const { refund } = notification.data.object;
	if (!isObject(refund)) return undefined;
	const orderId = typeof refund.order_id === 'string' ? refund.order_id : undefined;
	return refundedOrderId(refund, matchingOrder(context.order, orderId));
}

function customerDraft(profile: JsonObject, notifiedAt: string | undefined, warnings: string[]): Draft {
	const field = 'data.object.customer';
	const customerId = requireId(profile.id, `${field}.id`);
	const occurredAt = optionalText(profile.updated_at, `${field}.updated_at`) ?? optionalText(profile.created_at, `${field}.created_at`) ?? notifiedAt;
	if (occurredAt === undefined) throw LoyaltyError.invalid(`${field}.updated_at`, 'is required');
	// Square bumps `version` on every change, which makes it the natural key for "this state of the profile".
	const revision = typeof profile.version === 'number' ? `v${profile.version}` : occurredAt;
	const customer = squareCustomerInput(profile as SquareCustomer, customerId, undefined, warnings, field);
	return {
		type: EventType.CustomerUpdated,
		source: OrderSource.Square,
		occurredAt,
		idempotencyKey: `square:customer:${customerId}:${revision}`,
		customer,
	};
}

function orderLines(order: SquareOrder): OrderInput['lines'] {
	return optionalArray(order.line_items, 'context.order.line_items').map((raw, index) => {
		const field = `context.order.line_items.${index}`;
		const item = requireObject(raw, field);
		const name = optionalText(item.name, `${field}.name`);
		const variation = optionalText(item.variation_name, `${field}.variation_name`);
		const basePrice = optionalObject(item.base_price_money, `${field}.base_price_money`);
		return compact({
			productId: optionalText(item.catalog_object_id, `${field}.catalog_object_id`),
			name: name !== undefined && variation !== undefined && variation !== name ? `${name} (${variation})` : (name ?? variation),
			quantity: squareQuantity(item.quantity, `${field}.quantity`),
			unitPriceMinor: basePrice === undefined ? undefined : squareMoney(basePrice, `${field}.base_price_money`).amount,
			totalMinor: squareMoney(item.total_money, `${field}.total_money`).amount,
		});
	});
}

/**
 * Square quantities are decimal strings because items can be sold by weight ("1.5" kg). The
 * canonical line counts units, so a measured quantity counts as one unit; its total stays exact.
 */
function squareQuantity(value: unknown, field: string): number {
	const text = requireText(value, field);
	if (!/^\d+(\.\d+)?$/.test(text)) throw LoyaltyError.invalid(field, `"${text}" is not a quantity`);
	const quantity = Number(text);
	return Number.isInteger(quantity) ? quantity : 1;
}

/** Square money is already integer minor units; only its shape needs checking. */
function squareMoney(value: unknown, field: string): { amount: number; currency: string } {
	const money = requireObject(value, field);
	if (typeof money.amount !== 'number' || !Number.isSafeInteger(money.amount)) {
		throw LoyaltyError.invalid(`${field}.amount`, 'must be a whole number of minor units');
	}
	const currency = requireText(money.currency, `${field}.currency`).toUpperCase();
	minorUnitExponent(currency, `${field}.currency`);
	return { amount: money.amount, currency };
}

/** The sale order a return order gives money back for, when it names exactly one. */
function returnedFrom(order: SquareOrder | undefined): string | undefined {
	const sources = new Set(
		optionalArray(order?.returns, 'context.order.returns')
			.map((entry, index) => optionalText(requireObject(entry, `context.order.returns.${index}`).source_order_id, `context.order.returns.${index}.source_order_id`))
			.filter((id): id is string => id !== undefined),
	);
	return sources.size === 1 ? [...sources][0] : undefined;
}

function matchingOrder(order: SquareOrder | undefined, orderId: string | undefined): SquareOrder | undefined {
	if (order === undefined) return undefined;
	if (orderId === undefined || order.id !== orderId) {
		throw LoyaltyError.invalid('context.order.id', `is "${String(order.id)}" but the notification is about order "${orderId ?? '(none)'}"`);
	}
	return order;
}

function matchingCustomer(customer: SquareCustomer | undefined, squareId: string | undefined): SquareCustomer | undefined {
	if (customer === undefined) return undefined;
	if (squareId !== undefined && customer.id !== squareId) {
		throw LoyaltyError.invalid('context.customer.id', `is "${String(customer.id)}" but the notification is about customer "${squareId}"`);
	}
	return customer;
}

function squareCustomerInput(profile: SquareCustomer | undefined, squareId: string | undefined, buyerEmail: unknown, warnings: string[], prefix = 'context.customer'): CustomerInput {
	const identities = compact({
		square: squareId ?? optionalText(profile?.id, `${prefix}.id`),
		// The profile's address is the one the customer maintains; the receipt address is a fallback.
		email: emailOrWarning(profile?.email_address, `${prefix}.email_address`, warnings) ?? emailOrWarning(buyerEmail, 'data.object.payment.buyer_email_address', warnings),
		phone: e164OrUndefined(profile?.phone_number),
	});
	requireSomeIdentity(identities, warnings);
	return compact({
		identities,
		firstName: optionalText(profile?.given_name, `${prefix}.given_name`),
		lastName: optionalText(profile?.family_name, `${prefix}.family_name`),
		birthday: squareBirthday(profile?.birthday),
	});
}

/**
 * Square writes an unknown birth year as 0000. A birthday that does not parse is dropped rather
 * than failing the purchase it came with: it is profile decoration, not an identity.
 */
function squareBirthday(value: unknown): Birthday | undefined {
	if (typeof value !== 'string') return undefined;
	const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
	if (!match) return undefined;
	const year = Number(match[1]);
	const candidate = compact({ month: Number(match[2]), day: Number(match[3]), year: year >= 1900 ? year : undefined });
	const parsed = birthdaySchema.safeParse(candidate);
	return parsed.success ? parsed.data : undefined;
}
