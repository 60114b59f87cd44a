import { customerInputSchema, type Customer, type CustomerInput, type Identities } from '../model/customer';
import { LoyaltyError } from '../model/errors';
import { EventType, loyaltyEventSchema, type LoyaltyEvent } from '../model/event';
import { parseOrThrow } from '../model/validate';
import { findCustomerIds, getCustomer, upsertCustomer, useTablesForCustomers } from './customers';
import type { Db, Dialect, SqlClient } from './db';
import { recordEventWithCustomer } from './events';
import { migrationSql, statementsOf } from './migrations';
import { getOrder, type StoredOrder } from './orders';
import type { StoreTables } from './tables';

export type Clock = () => Date;

/** Validates a delivered event; a cart event must carry its cart. */
export function parseEvent(input: LoyaltyEvent): LoyaltyEvent {
	const event = parseOrThrow(loyaltyEventSchema, input, 'event');
	if (event.type === EventType.CartUpdated && !event.cart) throw LoyaltyError.invalid('event.cart', 'a cart_updated event must carry its cart');
	return event;
}

/**
 * The loyalty store: the only place that holds durable state. Backends differ only in `Db`;
 * everything here runs unchanged on SQLite and PostgreSQL.
 */
export class Store {
	readonly db: Db;
	/** The core's tables and the features' (engine/features.ts): what `migrate` creates. */
	readonly tables: StoreTables;

	constructor(db: Db, tables: StoreTables) {
		this.db = db;
		this.tables = tables;
		useTablesForCustomers(tables);
	}

	get dialect(): Dialect {
		return this.db.dialect;
	}

	/** Applies pending migrations. Safe to call from many processes at once. */
	async migrate(): Promise<number> {
		return this.db.transaction(async (sql) => {
			if (sql.dialect === 'postgres') {
				// One migrator at a time across all n8n workers; released at commit.
				await sql.query('SELECT pg_advisory_xact_lock(7382910455)');
			}
			await sql.execute('CREATE TABLE IF NOT EXISTS loyalty_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
			const applied = new Set((await sql.query<{ version: number }>('SELECT version FROM loyalty_migrations')).map((r) => Number(r.version)));
			let count = 0;
			for (const migration of this.tables.migrations) {
				if (applied.has(migration.version)) continue;
				for (const statement of statementsOf(migrationSql(migration, sql.dialect))) await sql.execute(statement);
				await sql.execute('INSERT INTO loyalty_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
				count++;
			}
			return count;
		});
	}

	async ping(): Promise<void> {
		await this.db.query('SELECT 1 AS ok');
	}

	transaction<T>(work: (sql: SqlClient) => Promise<T>): Promise<T> {
		return this.db.transaction(work);
	}

	/**
	 * Records an event and the customer it names, once (by delivery id and by business key).
	 * Returns `inserted: false` for a duplicate, in which case nothing is written, and with
	 * `refused` for a person who asked to be erased. Intake (engine/intake) records through the
	 * same function and also owes the event to its consumers.
	 */
	async recordEvent(input: LoyaltyEvent, now: Date = new Date()): Promise<{ inserted: boolean; customerId?: string; refused?: string }> {
		const event = parseEvent(input);
		return this.db.transaction(async (sql) => {
			const { inserted, customerId, refused } = await recordEventWithCustomer(sql, event, now.toISOString());
			return { inserted, ...(inserted && customerId ? { customerId } : {}), ...(refused ? { refused } : {}) };
		});
	}

	async upsertCustomer(input: CustomerInput, now: Date = new Date()): Promise<Customer> {
		const customer = parseOrThrow(customerInputSchema, input, 'customer');
		return this.db.transaction((sql) => upsertCustomer(sql, customer, now.toISOString()));
	}

	async findCustomer(ref: { customerId: string } | { identities: Identities }): Promise<Customer | undefined> {
		if ('customerId' in ref) return getCustomer(this.db, ref.customerId);
		const ids = await findCustomerIds(this.db, ref.identities);
		if (ids.length > 1) throw new LoyaltyError('identity_conflict', 'customer: these identities belong to more than one customer; send them together in an event to merge the profiles', { field: 'customer' });
		return ids.length === 1 ? getCustomer(this.db, ids[0]) : undefined;
	}

	getOrder(source: string, id: string): Promise<StoredOrder | undefined> {
		return getOrder(this.db, source, id);
	}

	close(): Promise<void> {
		return this.db.close();
	}
}
