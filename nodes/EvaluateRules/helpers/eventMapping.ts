/**
 * Pure helpers: an input item → the event the rules see. Canonical events (Loyalty Trigger) pass
 * through; any other JSON is mapped field by field from the node's "Field Mapping".
 */
import type { IDataObject } from 'n8n-workflow';

import { decimalToMinor, LoyaltyError, parseRuleEvent, type RuleEvent } from '../../../engine';

export const EventInput = { Canonical: 'canonical', Mapped: 'mapped' } as const;

export interface FieldMapping {
	eventType?: string;
	eventKey?: string;
	occurredAt?: string;
	identifyBy?: string;
	customerValue?: string;
	amount?: number | string;
	currency?: string;
	categories?: string;
	idleMinutes?: number;
	timeZone?: string;
}

const CART_TYPES = new Set(['cart_updated', 'cart_abandoned']);

export function eventFromMapping(mapping: FieldMapping): RuleEvent {
	const type = (mapping.eventType ?? '').trim();
	if (!type) throw LoyaltyError.invalid('fieldMapping.eventType', 'is empty: say what happened (purchase, cart_abandoned, visit, ...)');
	const key = String(mapping.eventKey ?? '').trim();
	if (!key) throw LoyaltyError.invalid('fieldMapping.eventKey', 'is empty: give a value that is the same every time this event is sent (an order id, a cart id + time)');
	const occurredAt = mapping.occurredAt?.trim() || new Date().toISOString();
	const identifyBy = mapping.identifyBy || 'email';
	const customerValue = String(mapping.customerValue ?? '').trim();
	if (!customerValue) throw LoyaltyError.invalid('fieldMapping.customerValue', 'is empty: the rules need to know who the customer is');
	const currency = (mapping.currency || 'USD').trim().toUpperCase();
	const amountText = mapping.amount === undefined || mapping.amount === '' ? undefined : mapping.amount;
	const totalMinor = amountText === undefined ? undefined : decimalToMinor(amountText, currency, 'fieldMapping.amount');
	const lines = (mapping.categories ?? '')
		.split(',')
		.map((c) => c.trim())
		.filter(Boolean)
		.map((category) => ({ category, quantity: 1 }));
	const event: IDataObject = {
		type,
		idempotencyKey: key,
		occurredAt,
		source: 'generic',
		customer: { identities: { [identifyBy]: customerValue }, ...(mapping.timeZone ? { timeZone: mapping.timeZone } : {}) },
	};
	if (totalMinor !== undefined) {
		if (CART_TYPES.has(type)) event.cart = { currency, totalMinor, lines, ...(mapping.idleMinutes !== undefined ? { idleMinutes: mapping.idleMinutes } : {}) };
		else event.order = { id: key, currency, totalMinor, lines, status: 'paid', placedAt: occurredAt };
	}
	return parseRuleEvent(event, 'fieldMapping');
}

export function eventFromJson(value: unknown): RuleEvent {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw LoyaltyError.invalid('event', `is not valid JSON (${(error as Error).message})`);
		}
	}
	return parseRuleEvent(parsed, 'event');
}
