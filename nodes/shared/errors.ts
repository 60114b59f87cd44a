import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { VendorApiError } from '../../connectors';
import { isLoyaltyError, type ErrorCode, type LoyaltyError } from '../../engine';

/** What a node shows for a failed item: a plain message, the field it is about, and how to fix it. */
export interface ErrorSummary {
	message: string;
	field?: string;
	description?: string;
}

/**
 * Engine fields (dot paths) mapped to the parameter a shop owner sees, longest prefix first.
 * Anything not listed keeps the engine's own path.
 */
const FIELD_LABELS: ReadonlyArray<[prefix: string, label: string]> = [
	['program.earnRates', 'Loyalty Program → Points Per Currency Unit / Currency'],
	['program.currency', 'Loyalty Program → Currency'],
	['program.pointsPerCurrencyUnit', 'Loyalty Program → Points Per Currency Unit'],
	['program.expiry', 'Loyalty Program → Expiry'],
	['program.tiers', 'Loyalty Program → Tiers'],
	['program.pendingDays', 'Loyalty Program → Pending Days'],
	['program.rounding', 'Loyalty Program → Rounding'],
	['program.timeZone', 'Loyalty Program → Time Zone'],
	['program.maxPointsPerOrder', 'Loyalty Program → Max Points Per Order'],
	['program.redemptionValue', 'Loyalty Program → Redemption Value per Point'],
	['program.delivery.quietHoursStart', 'Loyalty Program → Quiet Hours Start'],
	['program.delivery.quietHoursEnd', 'Loyalty Program → Quiet Hours End'],
	['program.delivery.couponPrefix', 'Loyalty Program → Coupon Prefix'],
	['program.delivery', 'Loyalty Program'],
	['program.rewards', 'Loyalty Program'],
	['program', 'Loyalty Program'],
	['programId', 'Program'],
	['idempotencyKey', 'Idempotency Key'],
	['approvalKey', 'Approval Key'],
	['decidedBy', 'Decided By'],
	['points', 'Points'],
	['reason', 'Reason'],
	['customer', 'Customer'],
	['order.customer', 'Customer'],
	['order.currency', 'Currency'],
	['order.totalMinor', 'Order Total'],
	['order.id', 'Order ID'],
	['order', 'Order'],
	['refund.amountMinor', 'Refund Amount'],
	['refund.currency', 'Currency'],
	['refund.orderId', 'Order ID'],
	['refund.id', 'Refund ID'],
	['refund', 'Refund'],
	['event', 'Event'],
];

export function fieldLabel(field: string | undefined): string | undefined {
	if (!field) return undefined;
	const match = [...FIELD_LABELS]
		.sort((a, b) => b[0].length - a[0].length)
		.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`));
	return match ? match[1] : field;
}

const SAME_IDENTITIES_TWO_PROFILES =
	'These identities belong to two different customer profiles. Identify the customer by one identity only, or by Customer ID; the profiles are merged when one order or event carries both identities.';

/** What to do when nothing was found, by what was looked for. */
function notFoundAdvice(error: LoyaltyError): string {
	const field = error.field ?? '';
	if (field === 'refund.orderId') return 'The loyalty store has no record of that order, so it earned no points here to take back. Check "Order ID" and "Order Source", or earn points for the order first.';
	if (field === 'approvalKey') return 'No points are held under that approval key in this program. Use the approvalKey from "List Held Points" (or from the held result of the order), with the same Program.';
	if (field === 'decision.offerTemplateId') return 'No offer template has that ID. Check the offer template ID in the decision against the templates set up in Send Offer.';
	if (field === 'customer.square') return 'The customer has no Square Loyalty account. Create one for them in Square, or create coupons in WooCommerce instead.';
	return 'No customer matches that identity yet. Check "Identify Customer By" and its value, or award points for an order first so the customer exists.';
}

/**
 * How to fix each error code, in words for a shop owner. A Record over every ErrorCode, so a new
 * code cannot be added without its advice (and test/unit/nodes/errorAdvice.test.ts checks that
 * each advice speaks of what raises it).
 */
export const ERROR_ADVICE: Readonly<Record<ErrorCode, (error: LoyaltyError) => string>> = {
	invalid_input: (error) => {
		const label = fieldLabel(error.field);
		return label ? `Check the "${label}" value and run the node again.` : 'Check the node parameters and run the node again.';
	},
	not_found: notFoundAdvice,
	identity_conflict: () => SAME_IDENTITIES_TWO_PROFILES,
	refund_already_applied: () =>
		'This refund was already applied under a different idempotency key, so its points were already taken back and nothing more was taken. Leave "Idempotency Key" empty so it is derived from the refund.',
	key_reused: (error) =>
		(error.field ?? '').startsWith('decision')
			? 'This decision ID was already used for a different offer (the message says what differs), so nothing was sent. A decision ID belongs to one offer: give a changed offer a new decision ID.'
			: 'This idempotency key was already used for a different request (the message says what differs), so nothing was changed. A key belongs to one request: derive it from the order, refund or event it is for, and use a new key for a new change of points.',
	held_already_decided: () =>
		'These held points were already approved or declined (the message says by whom and when), so nothing changed. "List Held Points" shows the points still waiting for a decision.',
	insufficient_points: () => 'The customer does not have enough available points. Redeem fewer points, or turn on "Allow Negative Balance" in the Loyalty Program node.',
	customer_erased: () =>
		'This customer asked for their data to be erased, so nothing is recorded for them. They are welcome back: a sign-up that carries their consent (given after the erasure) lifts it.',
	store_error: (error) =>
		error.retryable
			? 'The loyalty store is temporarily unavailable. Try again; if it keeps failing, check the Loyalty Store credential.'
			: 'The loyalty store refused the request. Check the Loyalty Store credential (path or database connection).',
};

function fixFor(error: LoyaltyError): string {
	const advice = ERROR_ADVICE[error.code];
	return advice ? advice(error) : 'Check the node parameters and run the node again.';
}

export function summarizeError(error: unknown): ErrorSummary {
	if (isLoyaltyError(error)) {
		return { message: error.message, field: error.field, description: fixFor(error) };
	}
	if (error instanceof VendorApiError) {
		return {
			message: error.message,
			description: error.retryable
				? 'The shop system may be temporarily unavailable; try again later.'
				: 'Check the shop credential (address, keys) and the IDs sent to the shop system.',
		};
	}
	if (error instanceof Error) return { message: error.message };
	return { message: String(error) };
}

/** Turns an engine or connector error into the n8n error a node throws for one item. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	const summary = summarizeError(error);
	if (error instanceof VendorApiError) {
		return new NodeApiError(node, vendorDetails(error), {
			message: summary.message,
			description: summary.description,
			httpCode: error.status === undefined ? undefined : String(error.status),
			itemIndex,
		});
	}
	return new NodeOperationError(node, error instanceof Error ? error : summary.message, {
		message: summary.message,
		description: summary.description,
		itemIndex,
	});
}

function vendorDetails(error: VendorApiError): JsonObject {
	const details: JsonObject = { message: error.message, vendor: error.vendor };
	if (error.status !== undefined) details.httpCode = String(error.status);
	const body = jsonSafe(error.details);
	if (body !== undefined) details.details = body;
	return details;
}

/** Vendor bodies are JSON already; anything else (an Error, a cycle) is left out rather than crash. */
function jsonSafe(value: unknown): JsonObject | undefined {
	if (value === undefined || value instanceof Error) return undefined;
	try {
		return JSON.parse(JSON.stringify(value)) as JsonObject;
	} catch {
		return undefined;
	}
}
