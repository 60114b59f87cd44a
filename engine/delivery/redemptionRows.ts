import type { Order } from '../model/order';
import type { Row, SqlClient } from '../store/db';

export interface Redemption {
	orderSource: string;
	orderId: string;
	couponCode: string;
	decisionId: string;
	channel: string;
	customerId: string;
	orderTotalMinor: number;
	currency: string;
	redeemedAt: string;
}

interface RedemptionRow extends Row {
	order_source: string;
	order_id: string;
	coupon_code: string;
	decision_id: string;
	channel: string;
	customer_id: string;
	order_total_minor: number;
	currency: string;
	redeemed_at: string;
}

function redemptionOf(row: RedemptionRow): Redemption {
	return {
		orderSource: row.order_source,
		orderId: row.order_id,
		couponCode: row.coupon_code,
		decisionId: row.decision_id,
		channel: row.channel,
		customerId: row.customer_id,
		orderTotalMinor: Number(row.order_total_minor),
		currency: row.currency,
		redeemedAt: row.redeemed_at,
	};
}

/**
 * Links a paid order's coupons to the sends that handed them out, for measuring offers. Keyed
 * by order and code, so the same order delivered again is linked once. Shops lower-case codes
 * (WooCommerce does), ours are upper case: compared without case.
 */
export async function attributeOrder(sql: SqlClient, order: Pick<Order, 'source' | 'id' | 'placedAt' | 'totalMinor' | 'currency' | 'couponCodes'>): Promise<Redemption[]> {
	const linked: Redemption[] = [];
	for (const raw of new Set((order.couponCodes ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean))) {
		const [send] = await sql.query<{ decision_id: string; channel: string; customer_id: string }>('SELECT decision_id, channel, customer_id FROM delivery_sends WHERE coupon_code = $1', [raw]);
		if (!send) continue;
		await sql.execute(
			`INSERT INTO delivery_redemptions (order_source, order_id, coupon_code, decision_id, channel, customer_id, order_total_minor, currency, redeemed_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_source, order_id, coupon_code) DO NOTHING`,
			[order.source, order.id, raw, send.decision_id, send.channel, send.customer_id, order.totalMinor, order.currency, new Date(order.placedAt).toISOString()],
		);
		const [row] = await sql.query<RedemptionRow>('SELECT * FROM delivery_redemptions WHERE order_source = $1 AND order_id = $2 AND coupon_code = $3', [order.source, order.id, raw]);
		linked.push(redemptionOf(row));
	}
	return linked;
}

export async function redemptionsOf(sql: SqlClient, decisionId: string): Promise<Redemption[]> {
	const rows = await sql.query<RedemptionRow>('SELECT * FROM delivery_redemptions WHERE decision_id = $1 ORDER BY redeemed_at, order_id', [decisionId]);
	return rows.map(redemptionOf);
}
