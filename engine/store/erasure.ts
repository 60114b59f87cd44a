import type { IdentityKind } from '../model/customer';
import type { Row, SqlClient } from './db';

/** One customer a privacy request (engine/privacy) is about, as the features' hooks see them. */
export interface CustomerSubject {
	customerId: string;
	/**
	 * The customer id, and `kind:value` for each identity: rows written before the person had a
	 * profile are keyed by an identity (engine/rules keys a decision so).
	 */
	keys: readonly string[];
	identities: ReadonlyArray<{ kind: IdentityKind; value: string }>;
	/** First and last names as the profile held them. */
	names: readonly string[];
}

/** A customer being erased: their kept rows (points, orders, sends) carry `pseudonym` from now on. */
export interface CustomerErasure extends CustomerSubject {
	pseudonym: string;
}

/**
 * What a feature holds about a person without naming them in a customer column (a quarantined
 * delivery's raw body): shown by an export, removed by an erasure. An erasure calls `erase`
 * first, while the customer's rows still name them; both answer per table.
 */
export interface UnnamedRows {
	find(sql: SqlClient, subject: CustomerSubject): Promise<Record<string, Row[]>>;
	erase(sql: SqlClient, erasure: CustomerErasure): Promise<Record<string, number>>;
}

/**
 * Whether `text` is about the person: it holds their customer id or one of their identity values
 * (any case, or URL-encoded). Names alone do not count: another customer may share them.
 */
export function mentionsCustomer(text: string, subject: Pick<CustomerSubject, 'customerId' | 'identities'>): boolean {
	const lower = text.toLowerCase();
	const values = [subject.customerId, ...subject.identities.flatMap(({ value }) => [value, encodeURIComponent(value)])];
	return values.some((value) => value.length > 0 && lower.includes(value.toLowerCase()));
}
