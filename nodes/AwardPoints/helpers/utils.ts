/**
 * Pure helpers for Award Points: turn parameter values into engine inputs and engine results into
 * item JSON. No n8n context and no I/O here, so these are tested directly.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	LoyaltyError,
	type Balance,
	type HeldPoints,
	type LedgerEntry,
	type LedgerResult,
} from '../../../engine';

/** The customer block is shared by every node; re-exported for the tests that import it from here. */
export { IdentifyBy, customerRefFrom } from '../../shared/customer';

/** A JSON parameter may arrive as text or (from an expression) as an object; empty means "not set". */
export function parseJsonSetting(value: unknown, field: string): unknown {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (text === '' || text === '{}') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw LoyaltyError.invalid(field, 'is not valid JSON');
	}
}

/** Like parseJsonSetting, but the value is required and must be a JSON object. */
export function parseJsonObject(value: unknown, field: string): IDataObject {
	const parsed = parseJsonSetting(value, field);
	if (parsed === undefined) throw LoyaltyError.invalid(field, 'is empty');
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw LoyaltyError.invalid(field, 'must be a JSON object');
	}
	return parsed as IDataObject;
}

export function balanceJson(balance: Balance): IDataObject {
	return {
		available: balance.available,
		pending: balance.pending,
		lifetimeEarned: balance.lifetimeEarned,
		tier: balance.tier ?? null,
	};
}

/** One ledger movement as the item every Award Points operation outputs. */
export function ledgerResultJson(result: LedgerResult): IDataObject {
	const json: IDataObject = {
		customerId: result.customerId,
		operation: result.operation,
		change: { available: result.change.available, pending: result.change.pending },
		balance: balanceJson(result.balance),
		replay: result.replay,
		idempotencyKey: result.idempotencyKey,
	};
	if (result.shortfall !== undefined) json.shortfall = result.shortfall;
	if (result.tierChange !== undefined) {
		json.tierChange = { from: result.tierChange.from ?? null, to: result.tierChange.to ?? null };
	}
	if (result.held !== undefined) json.held = { ...result.held };
	if (result.decision !== undefined) json.decision = { ...result.decision, reason: result.decision.reason ?? null };
	return json;
}

/** One held-points row as an item field. */
export function heldPointsJson(held: HeldPoints): IDataObject {
	const json: IDataObject = {};
	for (const [key, value] of Object.entries(held)) if (value !== undefined) json[key] = value as IDataObject[string];
	return json;
}

export function ledgerEntryJson(entry: LedgerEntry): IDataObject {
	const json: IDataObject = {};
	for (const [key, value] of Object.entries(entry)) if (value !== undefined) json[key] = value as IDataObject[string];
	return json;
}

/** ISO instant for a date parameter; empty means "now". */
export function isoInstant(value: unknown, field: string, now: () => Date = () => new Date()): string {
	if (value === undefined || value === null || value === '') return now().toISOString();
	const date = value instanceof Date ? value : new Date(String(value));
	if (Number.isNaN(date.getTime())) throw LoyaltyError.invalid(field, `"${String(value)}" is not a date`);
	return date.toISOString();
}
