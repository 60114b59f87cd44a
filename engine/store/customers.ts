import { randomUUID } from 'node:crypto';
import { IDENTITY_KINDS, type Customer, type CustomerInput, type IdentityKind, type Identities } from '../model/customer';
import { ErrorCode, LoyaltyError } from '../model/errors';
import type { Row, SqlClient } from './db';
import { queryRows, ROWS } from './multiRow';
import type { StoreTables } from './tables';

type Profile = Omit<Customer, 'id' | 'identities' | 'createdAt' | 'updatedAt'>;

interface CustomerRow extends Row {
	id: string;
	profile: string;
	created_at: string;
	updated_at: string;
}


export function identityPairs(identities: Identities): Array<[IdentityKind, string]> {
	const pairs: Array<[IdentityKind, string]> = [];
	for (const kind of IDENTITY_KINDS) {
		const value = identities[kind];
		if (value !== undefined) pairs.push([kind, value]);
	}
	return pairs;
}

export async function findCustomerIds(sql: SqlClient, identities: Identities): Promise<string[]> {
	const ids = new Set<string>();
	for (const [kind, value] of identityPairs(identities)) {
		const rows = await sql.query<{ customer_id: string }>('SELECT customer_id FROM customer_identities WHERE kind = $1 AND value = $2', [kind, value]);
		for (const row of rows) ids.add(row.customer_id);
	}
	return [...ids];
}

export async function getCustomer(sql: SqlClient, id: string): Promise<Customer | undefined> {
	const [row] = await sql.query<CustomerRow>('SELECT id, profile, created_at, updated_at FROM customers WHERE id = $1', [id]);
	if (!row) return undefined;
	const identityRows = await sql.query<{ kind: IdentityKind; value: string }>('SELECT kind, value FROM customer_identities WHERE customer_id = $1 ORDER BY kind, value', [id]);
	const identities: Identities = {};
	// A merged profile can hold two values of one kind (two emails); the first, alphabetically, is shown.
	for (const { kind, value } of identityRows) identities[kind] ??= value;
	const profile = JSON.parse(row.profile) as Profile;
	return { id: row.id, identities, ...profile, consent: profile.consent ?? {}, tags: profile.tags ?? [], createdAt: row.created_at, updatedAt: row.updated_at };
}

function mergeProfile(base: Profile, input: CustomerInput | Profile): Profile {
	const consent = { ...base.consent };
	for (const [channel, record] of Object.entries(input.consent ?? {}) as Array<[keyof Profile['consent'], NonNullable<Profile['consent'][keyof Profile['consent']]>]>) {
		const current = consent[channel];
		// The newest statement of consent wins, whichever system reported it.
		if (!current || Date.parse(record.at) >= Date.parse(current.at)) consent[channel] = record;
	}
	return {
		firstName: input.firstName ?? base.firstName,
		lastName: input.lastName ?? base.lastName,
		birthday: input.birthday ?? base.birthday,
		timeZone: input.timeZone ?? base.timeZone,
		consent,
		tags: [...new Set([...(base.tags ?? []), ...(input.tags ?? [])])].sort(),
	};
}

const EMPTY_PROFILE: Profile = { consent: {}, tags: [] };

/**
 * Finds the one profile for these identities, creating it or attaching new identities to it.
 * When the identities point at several profiles (the same person first seen in Square and in
 * WooCommerce), they are merged into the oldest one so that points and orders add up.
 * Throws `customer_erased` when the identities belong to a person who asked to be erased.
 */
export async function upsertCustomer(sql: SqlClient, input: CustomerInput, now: string): Promise<Customer> {
	return (await getCustomer(sql, await upsertCustomerId(sql, input, now)))!;
}

/**
 * `upsertCustomer` for callers that need only the id (the ledger): a known customer whose
 * identities are all on file costs one read per identity (with the profile), and an update only
 * when the order brings something new (a name, consent, tags): `updated_at` is when the profile
 * last changed, not when the customer last ordered (orders and events keep that).
 */
export async function upsertCustomerId(sql: SqlClient, input: CustomerInput, now: string): Promise<string> {
	const outcome = await upsertCustomerUnlessRefused(sql, input, now);
	if ('refused' in outcome) throw new LoyaltyError(ErrorCode.CustomerErased, `customer: ${outcome.refused}`, { field: 'customer' });
	return outcome.customerId;
}

/**
 * `upsertCustomerId` that answers a refusal instead of throwing it: intake skips the event of a
 * person who asked to be erased and goes on with the rest of the delivery. A refusal writes nothing.
 */
export async function upsertCustomerUnlessRefused(sql: SqlClient, input: CustomerInput, now: string): Promise<{ customerId: string } | { refused: string }> {
	let owner: string | undefined;
	let stored: string | undefined;
	for (const [kind, value] of identityPairs(input.identities)) {
		const [row] = await sql.query<{ customer_id: string; profile: string }>(
			'SELECT i.customer_id, c.profile FROM customer_identities i JOIN customers c ON c.id = i.customer_id WHERE i.kind = $1 AND i.value = $2',
			[kind, value],
		);
		// A new identity or a second profile: the general path creates, attaches or merges.
		if (!row || (owner !== undefined && row.customer_id !== owner)) return upsertCustomerSlowly(sql, input, now);
		owner = row.customer_id;
		stored = row.profile;
	}
	if (owner === undefined || stored === undefined) return upsertCustomerSlowly(sql, input, now);
	const profile = profileTextWith(stored, input);
	// An order that tells nothing new about its customer (most do) leaves the profile row alone.
	if (profile !== stored) await sql.execute('UPDATE customers SET profile = $1, updated_at = $2 WHERE id = $3', [profile, now, owner]);
	return { customerId: owner };
}

/** New customers, new identities and merges: the only path that puts an identity on file, so the only one asked whether it may. */
async function upsertCustomerSlowly(sql: SqlClient, input: CustomerInput, now: string): Promise<{ customerId: string } | { refused: string }> {
	const resolved = await resolveSlowly(sql, input, now);
	return 'refused' in resolved ? resolved : { customerId: resolved.id };
}

/** The customer, the profile text now stored, and the profiles merged into it (deleted); or why the identities may not be put on file. */
async function resolveSlowly(sql: SqlClient, input: CustomerInput, now: string): Promise<{ id: string; profile: string; mergedAway: string[] } | { refused: string }> {
	for (const refuse of customerTables?.refuseCustomer ?? []) {
		const refused = await refuse(sql, input, now);
		if (refused !== undefined) return { refused };
	}
	const ids = await findCustomerIds(sql, input.identities);
	let survivorId: string;
	let stored: string;
	const mergedAway: string[] = [];
	if (ids.length === 0) {
		survivorId = `cus_${randomUUID()}`;
		stored = JSON.stringify(mergeProfile(EMPTY_PROFILE, input));
		await sql.execute('INSERT INTO customers (id, profile, created_at, updated_at) VALUES ($1, $2, $3, $3)', [survivorId, stored, now]);
	} else {
		const customers = (await Promise.all(ids.map((id) => getCustomer(sql, id)))).filter((c): c is Customer => c !== undefined);
		customers.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
		const [survivor, ...others] = customers;
		survivorId = survivor.id;
		let profile: Profile = survivor;
		for (const other of others) {
			profile = mergeProfile(other, profile);
			await mergeInto(sql, other.id, survivorId);
			mergedAway.push(other.id);
		}
		profile = mergeProfile(profile, input);
		stored = JSON.stringify(stripIdentityFields(profile));
		await sql.execute('UPDATE customers SET profile = $1, updated_at = $2 WHERE id = $3', [stored, now, survivorId]);
	}
	// For a new customer none of these identities existed when read: if a concurrent transaction
	// attached one meanwhile, the insert must fail (unique violation, so PostgreSQL runs the
	// transaction again and finds that customer) rather than leave a second customer without it.
	const onConflict = ids.length === 0 ? '' : ' ON CONFLICT (kind, value) DO NOTHING';
	for (const [kind, value] of identityPairs(input.identities)) {
		await sql.execute(`INSERT INTO customer_identities (kind, value, customer_id) VALUES ($1, $2, $3)${onConflict}`, [kind, value, survivorId]);
	}
	return { id: survivorId, profile: stored, mergedAway };
}

const pairKey = (kind: string, value: string) => `${kind}\u0000${value}`;

/**
 * `upsertCustomerId` for many customers in one transaction (the ledger's group commit), taken in
 * the order given with the same outcome as one call each: the identities of all of them are read
 * in one statement, a known customer's profile is written only when an input says something new,
 * and new customers, new identities and merges take the general path one by one (what a merge
 * moved is followed for the inputs after it, and for those before it).
 */
export async function upsertCustomerIds(sql: SqlClient, inputs: readonly CustomerInput[], now: string): Promise<string[]> {
	const wanted = new Map<string, [IdentityKind, string]>();
	for (const input of inputs) for (const [kind, value] of identityPairs(input.identities)) wanted.set(pairKey(kind, value), [kind, value]);
	const rows = await queryRows<{ kind: string; value: string; customer_id: string; profile: string }>(
		sql,
		`SELECT i.kind, i.value, i.customer_id, c.profile FROM customer_identities i JOIN customers c ON c.id = i.customer_id WHERE (i.kind, i.value) IN (${ROWS})`,
		['text', 'text'],
		[...wanted.values()],
	);
	const owners = new Map<string, string>();
	const profiles = new Map<string, string>();
	for (const row of rows) {
		owners.set(pairKey(row.kind, row.value), row.customer_id);
		profiles.set(row.customer_id, row.profile);
	}
	const ids: string[] = [];
	// An input that says nothing about the profile leaves a stored text as it is merged once: a
	// group has many orders of few customers, so each stored text is merged once for all of them.
	const mergedAlone = new Map<string, string>();
	for (const input of inputs) {
		const pairs = identityPairs(input.identities);
		let owner: string | undefined;
		for (const [kind, value] of pairs) {
			const found = owners.get(pairKey(kind, value));
			if (found === undefined || (owner !== undefined && found !== owner)) {
				owner = undefined;
				break;
			}
			owner = found;
		}
		const stored = owner === undefined ? undefined : profiles.get(owner);
		if (owner !== undefined && stored !== undefined) {
			let profile: string;
			if (saysNothingOfProfile(input)) {
				profile = mergedAlone.get(stored) ?? profileTextWith(stored, input);
				mergedAlone.set(stored, profile);
			} else profile = profileTextWith(stored, input);
			if (profile !== stored) {
				await sql.execute('UPDATE customers SET profile = $1, updated_at = $2 WHERE id = $3', [profile, now, owner]);
				profiles.set(owner, profile);
			}
			ids.push(owner);
			continue;
		}
		const resolved = await resolveSlowly(sql, input, now);
		// The group is undone and each order done alone, so this one fails by itself.
		if ('refused' in resolved) throw new LoyaltyError(ErrorCode.CustomerErased, `customer: ${resolved.refused}`, { field: 'customer' });
		for (const gone of resolved.mergedAway) {
			profiles.delete(gone);
			for (const [key, id] of owners) if (id === gone) owners.set(key, resolved.id);
			for (let i = 0; i < ids.length; i++) if (ids[i] === gone) ids[i] = resolved.id;
		}
		for (const [kind, value] of pairs) owners.set(pairKey(kind, value), resolved.id);
		profiles.set(resolved.id, resolved.profile);
		ids.push(resolved.id);
	}
	return ids;
}

/** Whether `input` carries nothing `mergeProfile` reads, so that the merge depends on the stored profile alone. */
function saysNothingOfProfile(input: CustomerInput): boolean {
	return input.firstName === undefined && input.lastName === undefined && input.birthday === undefined && input.timeZone === undefined && input.consent === undefined && input.tags === undefined;
}

/** A stored profile's text with what `input` says added: equal to `stored` when it says nothing new. */
function profileTextWith(stored: string, input: CustomerInput): string {
	const base = JSON.parse(stored) as Profile;
	return JSON.stringify(stripIdentityFields(mergeProfile({ ...base, consent: base.consent ?? {}, tags: base.tags ?? [] }, input)));
}

function stripIdentityFields(profile: Profile | Customer): Profile {
	const { firstName, lastName, birthday, timeZone, consent, tags } = profile;
	return { firstName, lastName, birthday, timeZone, consent, tags };
}

/**
 * Which tables a merge must reach, and who may refuse a new profile. They belong to the features,
 * which the store does not import: the store sets this when it is constructed with the engine's
 * tables (engine/features.ts). Every store in a process has the same tables, so one setting
 * serves them all.
 */
let customerTables: Pick<StoreTables, 'customerColumns' | 'afterCustomerMerge' | 'refuseCustomer'> | undefined;

export function useTablesForCustomers(tables: Pick<StoreTables, 'customerColumns' | 'afterCustomerMerge' | 'refuseCustomer'>): void {
	customerTables = tables;
}

async function mergeInto(sql: SqlClient, fromId: string, toId: string): Promise<void> {
	if (!customerTables) throw new Error('customer merge: the store was constructed without its tables, so the tables that name a customer are unknown');
	for (const { table, column, onMerge, uniqueWith } of customerTables.customerColumns) {
		if (onMerge === 'rebuilt') continue;
		if (onMerge === 'move' && uniqueWith?.length) {
			const same = uniqueWith.map((c) => `kept.${c} = ${table}.${c}`).join(' AND ');
			await sql.execute(`DELETE FROM ${table} WHERE ${column} = $1 AND EXISTS (SELECT 1 FROM ${table} kept WHERE kept.${column} = $2 AND ${same})`, [fromId, toId]);
		}
		if (onMerge === 'move') await sql.execute(`UPDATE ${table} SET ${column} = $1 WHERE ${column} = $2`, [toId, fromId]);
		else await sql.execute(`DELETE FROM ${table} WHERE ${column} = $1`, [fromId]);
	}
	for (const rebuild of customerTables.afterCustomerMerge) await rebuild(sql, fromId, toId);
	await sql.execute('DELETE FROM customers WHERE id = $1', [fromId]);
}
