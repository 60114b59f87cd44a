/**
 * The parts of WooCommerce REST v3 objects this package reads. Vendor objects carry many more
 * fields; they stay available through the index signature.
 */
export interface WooCommerceAddress {
	first_name?: string;
	last_name?: string;
	email?: string;
	phone?: string;
	[field: string]: unknown;
}

export interface WooCommerceLineItem {
	id?: number;
	name?: string;
	product_id?: number;
	variation_id?: number;
	quantity?: number;
	subtotal?: string;
	total?: string;
	sku?: string;
	[field: string]: unknown;
}

export interface WooCommerceRefundSummary {
	id?: number;
	reason?: string;
	total?: string;
}

export interface WooCommerceOrder {
	id?: number;
	status?: string;
	currency?: string;
	total?: string;
	discount_total?: string;
	customer_id?: number;
	billing?: WooCommerceAddress;
	date_created_gmt?: string | null;
	date_modified_gmt?: string | null;
	date_paid_gmt?: string | null;
	line_items?: WooCommerceLineItem[];
	coupon_lines?: Array<{ code?: string; [field: string]: unknown }>;
	refunds?: WooCommerceRefundSummary[];
	[field: string]: unknown;
}

export interface WooCommerceCustomer {
	id?: number;
	email?: string;
	first_name?: string;
	last_name?: string;
	billing?: WooCommerceAddress;
	date_created_gmt?: string | null;
	date_modified_gmt?: string | null;
	[field: string]: unknown;
}

export const WooCommerceWebhookStatus = {
	Active: 'active',
	Paused: 'paused',
	Disabled: 'disabled',
} as const;
export type WooCommerceWebhookStatus = (typeof WooCommerceWebhookStatus)[keyof typeof WooCommerceWebhookStatus];

export interface WooCommerceWebhook {
	id: number;
	name?: string;
	status?: WooCommerceWebhookStatus | string;
	topic?: string;
	delivery_url?: string;
	secret?: string;
	[field: string]: unknown;
}

/** The webhook topics the normalizer understands. */
export const WooCommerceTopic = {
	OrderCreated: 'order.created',
	OrderUpdated: 'order.updated',
	CustomerCreated: 'customer.created',
	CustomerUpdated: 'customer.updated',
} as const;
export type WooCommerceTopic = (typeof WooCommerceTopic)[keyof typeof WooCommerceTopic];
export const WOOCOMMERCE_TOPICS = Object.values(WooCommerceTopic) as [WooCommerceTopic, ...WooCommerceTopic[]];
