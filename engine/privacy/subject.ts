import { identitiesSchema, type Customer, type IdentityKind, type Identities } from '../model/customer';
import { ErrorCode, LoyaltyError } from '../model/errors';
import { parseOrThrow } from '../model/validate';
import { findCustomerIds, getCustomer } from '../store/customers';
import { forUpdate, type SqlClient } from '../store/db';
import type { CustomerSubject } from '../store/erasure';

/** Who a privacy request is about: the stored customer id, or identities (an email, a phone…). */
export type PrivacySubjectRef = { customerId: string } | { identities: Identities };

/** The id every erased customer's kept rows carry: `erased:` and 24 random hex digits, linked to nothing else. */
export const PSEUDONYM_PREFIX = 'erased:';

export function isPseudonym(customerId: string): boolean {
	return customerId.startsWith(PSEUDONYM_PREFIX);
}

/**
 * What a person types to name a customer (the CLI's argument): a customer id (`cus_…`, or an
 * erased customer's `erased:…`), an email, or a phone number in E.164.
 */
export function parseSubjectRef(text: string): PrivacySubjectRef {
	const value = text.trim();
	if (!value) throw LoyaltyError.invalid('customer', 'is empty: give a customer id (cus_…), an email or a phone number (+14155550123)');
	if (value.startsWith('cus_') || isPseudonym(value)) return { customerId: value };
	if (value.includes('@')) return { identities: validIdentities({ email: value }) };
	if (value.startsWith('+')) return { identities: validIdentities({ phone: value }) };
	throw LoyaltyError.invalid('customer', `"${value}" is neither a customer id (cus_…), an email nor a phone number in E.164 (+14155550123)`);
}

export function validIdentities(identities: unknown): Identities {
	const parsed = parseOrThrow(identitiesSchema, identities, 'customer');
	if (Object.values(parsed).every((value) => value === undefined)) throw LoyaltyError.invalid('customer', 'name the customer by id or by at least one identity');
	return parsed;
}

/** The customer id a reference names, or undefined when the store has nobody by it. */
export async function findSubjectId(sql: SqlClient, ref: PrivacySubjectRef): Promise<string | undefined> {
	if ('customerId' in ref) {
		const [row] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE id = $1${forUpdate(sql.dialect)}`, [ref.customerId]);
		return row?.id;
	}
	const ids = await findCustomerIds(sql, validIdentities(ref.identities));
	if (ids.length > 1) throw new LoyaltyError(ErrorCode.IdentityConflict, 'customer: these identities belong to more than one customer; name one customer (by id or by one identity) per request', { field: 'customer' });
	if (ids.length === 0) return undefined;
	const [row] = await sql.query<{ id: string }>(`SELECT id FROM customers WHERE id = $1${forUpdate(sql.dialect)}`, [ids[0]]);
	return row?.id;
}

/** The profile with every identity on file (a merged profile can hold two emails), and the subject the hooks see. */
export async function loadSubject(sql: SqlClient, customerId: string): Promise<{ customer: Customer; identities: Array<{ kind: IdentityKind; value: string }>; subject: CustomerSubject }> {
	const customer = (await getCustomer(sql, customerId))!;
	const identities = await sql.query<{ kind: IdentityKind; value: string }>('SELECT kind, value FROM customer_identities WHERE customer_id = $1 ORDER BY kind, value', [customerId]);
	const names = [customer.firstName, customer.lastName].filter((name): name is string => typeof name === 'string' && name.trim().length > 0);
	return {
		customer,
		identities: identities.map(({ kind, value }) => ({ kind, value })),
		subject: { customerId, keys: [customerId, ...identities.map(({ kind, value }) => `${kind}:${value}`)], identities, names },
	};
}

/** `$1, $2, …` from `start`, one per value. */
export function placeholders(values: readonly unknown[], start = 1): string {
	return values.map((_, i) => `$${i + start}`).join(', ');
}
