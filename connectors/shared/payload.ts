import { z } from 'zod';
import { LoyaltyError, e164Phone } from '../../engine';

/*
 * Readers for vendor JSON. Webhook bodies are untrusted, so each reader checks the shape it needs
 * and names the vendor's own field when it is wrong: that is the name a shop owner can look up.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): JsonObject {
	if (!isObject(value)) throw LoyaltyError.invalid(field, 'must be an object');
	return value;
}

export function optionalObject(value: unknown, field: string): JsonObject | undefined {
	if (value === undefined || value === null) return undefined;
	return requireObject(value, field);
}

export function optionalArray(value: unknown, field: string): unknown[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw LoyaltyError.invalid(field, 'must be a list');
	return value;
}

/** A trimmed, non-empty string; empty strings count as absent because vendors send "" for "unset". */
export function optionalText(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw LoyaltyError.invalid(field, 'must be text');
	const trimmed = value.trim();
	return trimmed === '' ? undefined : trimmed;
}

export function requireText(value: unknown, field: string): string {
	const text = optionalText(value, field);
	if (text === undefined) throw LoyaltyError.invalid(field, 'is required');
	return text;
}

/** Ids arrive as numbers (WooCommerce) or strings (Square); the canonical model keeps strings. */
export function requireId(value: unknown, field: string): string {
	if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	throw LoyaltyError.invalid(field, 'must be a non-empty id');
}

/** Positive numeric ids only; WooCommerce uses 0 for "none" (guest customer, no product). */
export function optionalPositiveId(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null || value === 0 || value === '0' || value === '') return undefined;
	return requireId(value, field);
}

/**
 * Keeps a phone number only when it is already international. Separators are dropped because a
 * leading "+" makes the number unambiguous; anything without one would need a guessed country.
 */
export function e164OrUndefined(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const trimmed = value.trim();
	if (!trimmed.startsWith('+')) return undefined;
	const compact = trimmed.replace(/[\s().-]/g, '');
	return e164Phone.safeParse(compact).success ? compact : undefined;
}

export function lowerEmail(value: unknown, field: string): string | undefined {
	return optionalText(value, field)?.toLowerCase();
}

const emailAddress = z.string().email();

/**
 * An email address, or nothing with a warning when the shop sent something that is not one: the
 * customer may still be named by another identity (phone, shop account), and the order should
 * earn. `requireSomeIdentity` turns "nothing left at all" back into an error naming the field.
 */
export function emailOrWarning(value: unknown, field: string, warnings: string[]): string | undefined {
	const email = lowerEmail(value, field);
	if (email === undefined || emailAddress.safeParse(email).success) return email;
	warnings.push(`${field}: "${email.slice(0, 80)}" is not an email address and was left out; the customer is known by their other details`);
	return undefined;
}

/** Fails naming the first dropped field when a customer has no identity left after dropping bad ones. */
export function requireSomeIdentity(identities: Record<string, unknown>, warnings: readonly string[]): void {
	if (Object.keys(identities).length > 0 || warnings.length === 0) return;
	const field = warnings[0]!.slice(0, warnings[0]!.indexOf(':'));
	throw LoyaltyError.invalid(field, `${warnings[0]!.slice(field.length + 2).replace(/ and was left out.*$/, '')}, and the customer has no other email, phone or shop account to be known by`);
}

/** Drops keys whose value is undefined so strict schemas and deep equality see only real fields. */
export function compact<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
