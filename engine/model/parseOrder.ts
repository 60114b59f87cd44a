import { z } from 'zod';
import { hasControlCharacter, MAX_ID_LENGTH } from './ids';
import { isKnownCurrency } from './money';
import { ORDER_CHANNELS, ORDER_SOURCES, ORDER_STATUSES, orderSchema, type Order } from './order';
import { parseOrThrow } from './validate';

/**
 * `orderSchema` parsed without zod for the orders every webhook and import carries: a plain
 * object with only known keys, identities, optional names and lines. It returns exactly what
 * zod returns (same values, same keys in the same order, so the stored payload is the same text)
 * or undefined when the input is anything else, and then zod parses it and words the error.
 * zod's check for one order costs tens of microseconds (it builds its date-time pattern on every
 * call); this costs about one. test/unit/parseOrder.test.ts compares the two on random input.
 */
export function parseOrder(input: unknown, root = 'order'): Order {
	return fastOrder(input) ?? parseOrThrow(orderSchema, input, root);
}

const DATETIME = z.datetimeRegex({ precision: null, offset: true, local: false });
// zod's own e-mail pattern (zod/v3 types.js `emailRegex`): what passes here passes there.
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const SOURCES = new Set<unknown>(ORDER_SOURCES);
const STATUSES = new Set<unknown>(ORDER_STATUSES);
const CHANNELS = new Set<unknown>(ORDER_CHANNELS);
const ORDER_KEYS = new Set(['source', 'id', 'status', 'placedAt', 'currency', 'totalMinor', 'discountMinor', 'couponCodes', 'channel', 'location', 'lines', 'customer', 'referralCode', 'paymentFingerprint', 'shippingAddress']);
/** The order's trimmed texts after its customer (referral code, self-referral marks), with their longest length, in the schema's order. */
const TRAILING_TEXTS: ReadonlyArray<readonly ['referralCode' | 'paymentFingerprint' | 'shippingAddress', number]> = [
	['referralCode', 200],
	['paymentFingerprint', 200],
	['shippingAddress', 500],
];
const LINE_KEYS = new Set(['sku', 'productId', 'name', 'category', 'quantity', 'unitPriceMinor', 'totalMinor']);
const CUSTOMER_KEYS = new Set(['identities', 'firstName', 'lastName']);
const IDENTITY_KEYS = ['email', 'phone', 'square', 'woocommerce', 'loyalty'] as const;
const IDENTITY_KEY_SET = new Set<string>(IDENTITY_KEYS);

type Plain = Record<string, unknown>;
const NO = undefined;

function plain(value: unknown, keys: ReadonlySet<string>): value is Plain {
	if (typeof value !== 'object' || value === null) return false;
	const proto = Object.getPrototypeOf(value);
	if (proto !== Object.prototype && proto !== null) return false;
	for (const key of Object.keys(value)) if (!keys.has(key)) return false;
	return true;
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= MAX_ID_LENGTH && !hasControlCharacter(v);
const isMinor = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function fastOrder(input: unknown): Order | undefined {
	if (!plain(input, ORDER_KEYS)) return NO;
	const o = input;
	if (!SOURCES.has(o.source) || !isId(o.id) || !STATUSES.has(o.status)) return NO;
	if (typeof o.placedAt !== 'string' || !DATETIME.test(o.placedAt)) return NO;
	if (typeof o.currency !== 'string') return NO;
	const currency = o.currency.trim().toUpperCase();
	if (!isKnownCurrency(currency) || !isMinor(o.totalMinor)) return NO;
	if (o.discountMinor !== undefined && !isMinor(o.discountMinor)) return NO;
	let couponCodes: string[] | undefined;
	if (o.couponCodes !== undefined) {
		if (!Array.isArray(o.couponCodes) || !o.couponCodes.every((c) => typeof c === 'string')) return NO;
		couponCodes = [...(o.couponCodes as string[])];
	}
	if (o.channel !== undefined && !CHANNELS.has(o.channel)) return NO;
	let location: string | undefined;
	if (o.location !== undefined) {
		if (typeof o.location !== 'string') return NO;
		location = o.location.trim();
		if (location.length < 1 || location.length > 200) return NO;
	}
	const lines = fastLines(o.lines);
	const customer = fastCustomer(o.customer);
	if (!lines || !customer) return NO;
	const order = { source: o.source, id: o.id, status: o.status, placedAt: o.placedAt, currency, totalMinor: o.totalMinor } as Plain;
	if ('discountMinor' in o) order.discountMinor = o.discountMinor;
	if ('couponCodes' in o) order.couponCodes = couponCodes;
	if ('channel' in o) order.channel = o.channel;
	if ('location' in o) order.location = location;
	order.lines = lines;
	order.customer = customer;
	for (const [key, max] of TRAILING_TEXTS) {
		if (!(key in o)) continue;
		const v = o[key];
		if (v === undefined) order[key] = undefined;
		else if (typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= max) order[key] = v.trim();
		else return NO;
	}
	return order as Order;
}

function fastLines(value: unknown): Order['lines'] | undefined {
	if (value === undefined) return [];
	if (!Array.isArray(value)) return NO;
	const lines: Order['lines'] = [];
	for (const l of value) {
		if (!plain(l, LINE_KEYS)) return NO;
		for (const key of ['sku', 'productId', 'name', 'category'] as const) if (l[key] !== undefined && typeof l[key] !== 'string') return NO;
		if (typeof l.quantity !== 'number' || !Number.isInteger(l.quantity) || l.quantity <= 0) return NO;
		if (l.unitPriceMinor !== undefined && !isMinor(l.unitPriceMinor)) return NO;
		if (!isMinor(l.totalMinor)) return NO;
		const line: Plain = {};
		for (const key of LINE_KEYS) if (key in l) line[key] = l[key];
		lines.push(line as Order['lines'][number]);
	}
	return lines;
}

function fastCustomer(value: unknown): Order['customer'] | undefined {
	if (!plain(value, CUSTOMER_KEYS)) return NO;
	const c = value;
	const identities = fastIdentities(c.identities);
	if (!identities) return NO;
	const customer: Plain = { identities };
	for (const key of ['firstName', 'lastName'] as const) {
		if (!(key in c)) continue;
		const v = c[key];
		if (v === undefined) customer[key] = undefined;
		else if (typeof v === 'string' && v.trim().length >= 1) customer[key] = v.trim();
		else return NO;
	}
	return customer as Order['customer'];
}

function fastIdentities(value: unknown): Order['customer']['identities'] | undefined {
	if (!plain(value, IDENTITY_KEY_SET)) return NO;
	const ids: Plain = {};
	let any = false;
	for (const key of IDENTITY_KEYS) {
		if (!(key in value)) continue;
		let v = value[key];
		if (v !== undefined) {
			if (key === 'email') {
				if (typeof v !== 'string') return NO;
				v = v.trim().toLowerCase();
				if (!EMAIL.test(v as string) || (v as string).length > MAX_ID_LENGTH || hasControlCharacter(v as string)) return NO;
			} else if (key === 'phone') {
				if (typeof v !== 'string' || !E164.test(v)) return NO;
			} else if (!isId(v)) return NO;
			any = true;
		}
		ids[key] = v;
	}
	return any ? (ids as Order['customer']['identities']) : NO;
}
