import { LoyaltyError } from '../model/errors';
import { minorToDecimalString } from '../model/money';
import type { CustomerRef } from './types';

/**
 * What a ledger request asked for, stored with its idempotency key: the operation, the customer
 * as the caller named them (id or identities), the points, the order or refund (source, id,
 * currency, amount) or the held points decided on. Never timestamps, delivery ids or free-text
 * reasons, which may differ between two honest deliveries of one request.
 */
export interface LedgerRequest {
	operation: string;
	customer?: CustomerRef;
	points?: number;
	tier?: string;
	order?: { source: string; id: string; currency: string; amountMinor: number };
	refund?: { source: string; id: string; orderId: string; currency: string; amountMinor: number };
	approvalKey?: string;
	/** award_pending: when the points become spendable. */
	availableAt?: string;
	/** cancel_pending: the award whose pending points are taken back. */
	awardKey?: string;
}

/**
 * JSON with sorted keys and no undefined values, so equal requests compare equal as text. Every
 * keyed write computes one (an award's request), so the usual shapes (plain objects and arrays of
 * strings, finite numbers, booleans and null, keys not starting with a digit) are written
 * directly, without building a sorted copy first; anything else (a Date, a function, NaN, a key
 * like "10", which objects order numerically) goes the general way, with the same text.
 */
export function canonicalJson(value: unknown): string {
	return writeCanonical(value) ?? JSON.stringify(sortKeys(value));
}

/** The canonical text of a plain value, or undefined when it holds anything `sortKeys` must see. */
function writeCanonical(value: unknown): string | undefined {
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return JSON.stringify(value);
		case 'number':
			return Number.isFinite(value) ? JSON.stringify(value) : undefined;
		case 'object':
			break;
		default:
			return undefined;
	}
	if (value === null) return 'null';
	if (Array.isArray(value)) {
		let text = '[';
		for (let i = 0; i < value.length; i++) {
			const item = writeCanonical(value[i]);
			if (item === undefined) return undefined;
			text += i === 0 ? item : `,${item}`;
		}
		return `${text}]`;
	}
	if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record).sort();
	let text = '{';
	let first = true;
	for (const key of keys) {
		// An integer-like key comes first in any object's own order (so in the sorted copy's text).
		const c = key.charCodeAt(0);
		if (c >= 48 && c <= 57) return undefined;
		const field = record[key];
		if (field === undefined) continue;
		const item = writeCanonical(field);
		if (item === undefined) return undefined;
		text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
		first = false;
	}
	return `${text}}`;
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value === null || typeof value !== 'object') return value;
	return Object.fromEntries(
		Object.keys(value as Record<string, unknown>)
			.filter((k) => (value as Record<string, unknown>)[k] !== undefined)
			.sort()
			.map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
	);
}

/** The top-level parts in which two requests differ, in a stable order. */
export function differingParts(first: object, now: object): string[] {
	const a = first as Record<string, unknown>;
	const b = now as Record<string, unknown>;
	const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== undefined || b[k] !== undefined);
	return keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

export function describeCustomer(customer: CustomerRef): string {
	if ('customerId' in customer) return `customer ${customer.customerId}`;
	const parts = Object.entries(customer.identities).filter(([, v]) => v !== undefined).map(([kind, value]) => `${kind} ${value}`);
	return `customer with ${parts.join(', ') || 'no identity'}`;
}

const money = (minor: number, currency: string) => `${minorToDecimalString(minor, currency)} ${currency}`;
const signed = (points: number) => (points > 0 ? `+${points}` : String(points));

/** "adjust of +100 points for customer c_1"; `withCustomer: false` leaves the customer out. */
export function describeLedgerRequest(request: LedgerRequest, withCustomer = true): string {
	const parts: string[] = [request.operation];
	if (request.order) parts.push(`for ${request.order.source} order ${request.order.id} of ${money(request.order.amountMinor, request.order.currency)}`);
	if (request.refund) parts.push(`for ${request.refund.source} refund ${request.refund.id} of ${money(request.refund.amountMinor, request.refund.currency)} on order ${request.refund.orderId}`);
	if (request.points !== undefined) parts.push(`of ${request.operation === 'adjust' || request.operation === 'rule_reward' ? signed(request.points) : request.points} points`);
	if (request.tier !== undefined) parts.push(`${request.points !== undefined ? 'and' : 'of'} tier ${request.tier}`);
	if (request.approvalKey !== undefined) parts.push(`of held points ${request.approvalKey}`);
	if (request.availableAt !== undefined) parts.push(`pending until ${request.availableAt}`);
	if (request.awardKey !== undefined) parts.push(`of award ${request.awardKey}`);
	if (withCustomer && request.customer) parts.push(`for ${describeCustomer(request.customer)}`);
	return parts.join(' ');
}

/**
 * Refuses a key whose first request differs from this one. A key stored before fingerprints
 * existed (`first` undefined) is treated as matching: its first request is unknown, and refusing
 * every replay of an old key would break retries that worked yesterday.
 */
export function assertSameLedgerRequest(key: string, first: LedgerRequest | undefined, now: LedgerRequest): void {
	if (!first || canonicalJson(first) === canonicalJson(now)) return;
	const different = differingParts(first, now);
	const sameCustomer = !different.includes('customer');
	throw LoyaltyError.keyReused('idempotencyKey', key, describeLedgerRequest(first), describeLedgerRequest(now, !sameCustomer), different);
}

/** The identity kinds an order's customer may carry, in sorted order (identitiesSchema is strict). */
const IDENTITY_KINDS_SORTED = ['email', 'loyalty', 'phone', 'square', 'woocommerce'] as const;

/**
 * `canonicalJson` of an earn's request (`{ operation, customer: { identities }, order }`), written
 * straight from its known shape: every award computes one. Anything off that shape goes through
 * `canonicalJson`; test/unit/engine/canonicalJson.test.ts compares the two.
 */
export function earnRequestJson(request: { operation: string; customer: { identities: Record<string, unknown> }; order: { source: string; id: string; currency: string; amountMinor: number } }): string {
	const identities = request.customer.identities;
	let defined = 0;
	for (const kind in identities) if (identities[kind] !== undefined) defined++;
	let text = '';
	let written = 0;
	for (const kind of IDENTITY_KINDS_SORTED) {
		const value = identities[kind];
		if (value === undefined) continue;
		if (typeof value !== 'string') return canonicalJson(request);
		text += `${written++ === 0 ? '' : ','}"${kind}":${JSON.stringify(value)}`;
	}
	const { order } = request;
	if (written !== defined || Object.keys(request).length !== 3 || Object.keys(request.customer).length !== 1 || Object.keys(order).length !== 4 || !Number.isFinite(order.amountMinor)) return canonicalJson(request);
	return `{"customer":{"identities":{${text}}},"operation":${JSON.stringify(request.operation)},"order":{"amountMinor":${JSON.stringify(order.amountMinor)},"currency":${JSON.stringify(order.currency)},"id":${JSON.stringify(order.id)},"source":${JSON.stringify(order.source)}}}`;
}
