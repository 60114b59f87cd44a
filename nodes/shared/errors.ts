import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { VendorApiError } from '../../connectors';
import { isLoyaltyError, type LoyaltyError } from '../../engine';

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
	['program.earnRates', 'Program Settings → Points Per Currency Unit / Currency'],
	['program.expiry', 'Program Settings → Expiry'],
	['program.tiers', 'Program Settings → Tiers'],
	['program.pendingDays', 'Program Settings → Pending Days'],
	['program.rounding', 'Program Settings → Rounding'],
	['program.timeZone', 'Program Settings → Time Zone'],
	['program', 'Program Settings'],
	['idempotencyKey', 'Idempotency Key'],
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

function fixFor(error: LoyaltyError): string {
	const label = fieldLabel(error.field);
	switch (error.code) {
		case 'invalid_input':
			return label ? `Check the "${label}" value and run the node again.` : 'Check the node parameters and run the node again.';
		case 'not_found':
			return 'No customer matches that identity yet. Check "Identify Customer By" and its value, or award points for an order first so the customer exists.';
		case 'conflict':
			return 'This idempotency key was already used for a different operation. Use a key that belongs to this one action, for example derived from the order, refund or event id.';
		case 'insufficient_points':
			return 'The customer does not have enough available points. Redeem fewer points, or turn on "Allow Negative Balance" in Program Settings.';
		case 'store_error':
			return error.retryable
				? 'The loyalty store is temporarily unavailable. Try again; if it keeps failing, check the Loyalty Store credential.'
				: 'The loyalty store refused the request. Check the Loyalty Store credential (path or database connection).';
		default:
			return 'Check the node parameters and run the node again.';
	}
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
