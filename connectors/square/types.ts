/**
 * The parts of Square API objects this package reads (Square-Version 2025-08-20). Square sends
 * many more fields; they stay reachable through the index signature.
 */
export interface SquareMoney {
	amount?: number;
	currency?: string;
}

export interface SquareOrderLineItem {
	uid?: string;
	name?: string;
	quantity?: string;
	catalog_object_id?: string;
	variation_name?: string;
	base_price_money?: SquareMoney;
	total_money?: SquareMoney;
	[field: string]: unknown;
}

export interface SquareOrder {
	id?: string;
	location_id?: string;
	customer_id?: string;
	state?: string;
	created_at?: string;
	line_items?: SquareOrderLineItem[];
	total_money?: SquareMoney;
	total_discount_money?: SquareMoney;
	/** Where the order came from, e.g. `{ name: "Square Online" }`; free text, not used to decide anything. */
	source?: { name?: string | null; [field: string]: unknown } | null;
	/** How the order is handed over: PICKUP, SHIPMENT or DELIVERY; a counter sale has none. */
	fulfillments?: Array<{ type?: string | null; [field: string]: unknown }> | null;
	/** On a return order: the sale orders its items came back from. */
	returns?: Array<{ source_order_id?: string; [field: string]: unknown }>;
	[field: string]: unknown;
}

export interface SquareCustomer {
	id?: string;
	given_name?: string;
	family_name?: string;
	email_address?: string;
	phone_number?: string;
	/** `YYYY-MM-DD`, or `0000-MM-DD` when the year is not known. */
	birthday?: string;
	created_at?: string;
	updated_at?: string;
	version?: number;
	[field: string]: unknown;
}

export interface SquarePayment {
	id?: string;
	status?: string;
	location_id?: string;
	order_id?: string;
	customer_id?: string;
	buyer_email_address?: string;
	amount_money?: SquareMoney;
	/** Which Square product took the payment: SQUARE_POS at a register, ONLINE_STORE for Square Online, … */
	application_details?: { square_product?: string | null; [field: string]: unknown };
	created_at?: string;
	updated_at?: string;
	[field: string]: unknown;
}

export interface SquareRefund {
	id?: string;
	status?: string;
	order_id?: string;
	payment_id?: string;
	amount_money?: SquareMoney;
	reason?: string;
	created_at?: string;
	updated_at?: string;
	[field: string]: unknown;
}

/** The envelope of every Square webhook notification. */
export interface SquareNotification {
	merchant_id?: string;
	type?: string;
	event_id?: string;
	created_at?: string;
	data?: {
		type?: string;
		id?: string;
		object?: { payment?: SquarePayment; refund?: SquareRefund; customer?: SquareCustomer; [field: string]: unknown };
	};
	[field: string]: unknown;
}

export interface SquareWebhookSubscription {
	id: string;
	name?: string;
	enabled?: boolean;
	event_types?: string[];
	notification_url?: string;
	api_version?: string;
	/** Only returned on creation; it is the key that signs every notification. */
	signature_key?: string;
	[field: string]: unknown;
}

export interface SquareLocation {
	id: string;
	name?: string;
	currency?: string;
	status?: string;
	[field: string]: unknown;
}

export interface SquareApiError {
	category: string;
	code: string;
	detail?: string;
	field?: string;
}

/** The notification types the normalizer understands. */
export const SquareEventType = {
	PaymentCreated: 'payment.created',
	PaymentUpdated: 'payment.updated',
	RefundCreated: 'refund.created',
	RefundUpdated: 'refund.updated',
	CustomerCreated: 'customer.created',
	CustomerUpdated: 'customer.updated',
} as const;
export type SquareEventType = (typeof SquareEventType)[keyof typeof SquareEventType];
export const SQUARE_EVENT_TYPES = Object.values(SquareEventType) as [SquareEventType, ...SquareEventType[]];

/** The parts of a catalog object the category lookup reads (item variations, items, categories). */
export interface SquareCatalogObject {
	type: string;
	id: string;
	is_deleted?: boolean;
	item_variation_data?: { item_id?: string; name?: string; price_money?: { amount?: number | string; currency?: string } | null };
	item_data?: { name?: string; category_id?: string | null; reporting_category?: { id?: string } | null; categories?: Array<{ id?: string }> | null };
	category_data?: { name?: string };
}
