import type { CustomerInput } from '../model/customer';
import type { SqlClient } from './db';
import type { UnnamedRows } from './erasure';
import { CORE_CUSTOMER_COLUMNS, CORE_MIGRATIONS, type CustomerColumn, type Migration } from './migrations';

/** Rebuilds what a feature caches per customer once `fromId`'s rows belong to `toId`. */
export type AfterCustomerMerge = (sql: SqlClient, fromId: string, toId: string) => Promise<void>;

/**
 * Why no profile may be created or extended for these identities (a person who asked to be
 * erased), or undefined when it may. Runs before the store writes anything for the identities.
 */
export type RefuseCustomer = (sql: SqlClient, input: CustomerInput, now: string) => Promise<string | undefined>;

/**
 * What one feature brings to the store. Features own their tables: each declares its migrations
 * and the columns that name a customer in its own `migrations.ts`; engine/features.ts hands the
 * list to the store, which runs them. The store itself imports no feature.
 */
export interface FeatureTables {
	migrations: readonly Migration[];
	customerColumns?: readonly CustomerColumn[];
	/**
	 * Runs after a merge moved the customer's rows, and after an erasure moved the kept ones to
	 * the pseudonym: rebuilds what the feature caches per customer.
	 */
	afterCustomerMerge?: AfterCustomerMerge;
	refuseCustomer?: RefuseCustomer;
	unnamedRows?: UnnamedRows;
}

/** All the tables: the core's tables and every feature's, in version order. */
export interface StoreTables {
	migrations: readonly Migration[];
	customerColumns: readonly CustomerColumn[];
	afterCustomerMerge: readonly AfterCustomerMerge[];
	refuseCustomer: readonly RefuseCustomer[];
	unnamedRows: readonly UnnamedRows[];
}

/**
 * Joins the core and the features. Versions must be unique across all of them (each feature has
 * its own hundred); a clash is a programming error and stops the store from opening.
 */
export function storeTables(features: readonly FeatureTables[]): StoreTables {
	const migrations = [...CORE_MIGRATIONS, ...features.flatMap((feature) => feature.migrations)].sort((a, b) => a.version - b.version);
	for (let i = 1; i < migrations.length; i++) {
		if (migrations[i].version === migrations[i - 1].version) throw new Error(`migration version ${migrations[i].version} is used twice ("${migrations[i - 1].name}", "${migrations[i].name}")`);
	}
	const hooks = <K extends 'afterCustomerMerge' | 'refuseCustomer' | 'unnamedRows'>(key: K) => features.flatMap((feature) => (feature[key] ? [feature[key]] : [])) as Array<NonNullable<FeatureTables[K]>>;
	return {
		migrations,
		customerColumns: [...CORE_CUSTOMER_COLUMNS, ...features.flatMap((feature) => feature.customerColumns ?? [])],
		afterCustomerMerge: hooks('afterCustomerMerge'),
		refuseCustomer: hooks('refuseCustomer'),
		unnamedRows: hooks('unnamedRows'),
	};
}
