import { BADGES_CUSTOMER_COLUMNS, BADGES_MIGRATIONS } from './badges/migrations';
import { BROWSE_CUSTOMER_COLUMNS, BROWSE_MIGRATIONS } from './browse/migrations';
import { DELIVERY_CUSTOMER_COLUMNS, DELIVERY_MIGRATIONS } from './delivery/migrations';
import { IMPORT_MIGRATIONS } from './import/migrations';
import { INSIGHT_CUSTOMER_COLUMNS, INSIGHT_MIGRATIONS } from './insight/migrations';
import { INTAKE_UNNAMED_ROWS } from './intake/personalRows';
import { INTAKE_MIGRATIONS } from './intake/migrations';
import { mergeAccounts } from './ledger/accountRows';
import { LEDGER_CUSTOMER_COLUMNS, LEDGER_MIGRATIONS } from './ledger/migrations';
import { PRIVACY_CUSTOMER_COLUMNS, PRIVACY_MIGRATIONS } from './privacy/migrations';
import { refuseSuppressedCustomer } from './privacy/suppression';
import { PROGRAM_MIGRATIONS } from './program/migrations';
import { REFERRAL_CUSTOMER_COLUMNS, REFERRAL_MIGRATIONS } from './referral/migrations';
import { refoldMergedCustomer } from './report/fold';
import { REPORT_CUSTOMER_COLUMNS, REPORT_MIGRATIONS } from './report/migrations';
import { RULES_CUSTOMER_COLUMNS, RULES_MIGRATIONS } from './rules/migrations';
import { SCHEDULE_CUSTOMER_COLUMNS, SCHEDULE_MIGRATIONS } from './schedule/migrations';
import { storeTables, type FeatureTables } from './store/tables';

/**
 * Every feature's tables, collected here so that the store (engine/store) never imports a
 * feature: each feature declares its migrations and customer columns in its own `migrations.ts`,
 * and the store runs what this list hands it. A new feature adds its line; versions are unique
 * across all of them. The order is the order a customer merge (and an erasure) visits the tables.
 */
const FEATURES: readonly FeatureTables[] = [
	{ migrations: RULES_MIGRATIONS, customerColumns: RULES_CUSTOMER_COLUMNS },
	{ migrations: INSIGHT_MIGRATIONS, customerColumns: INSIGHT_CUSTOMER_COLUMNS },
	{ migrations: DELIVERY_MIGRATIONS, customerColumns: DELIVERY_CUSTOMER_COLUMNS },
	{ migrations: SCHEDULE_MIGRATIONS, customerColumns: SCHEDULE_CUSTOMER_COLUMNS },
	{ migrations: INTAKE_MIGRATIONS, unnamedRows: INTAKE_UNNAMED_ROWS },
	// loyalty_accounts are caches of ledger_entries: rebuilt after a merge, not moved.
	{ migrations: LEDGER_MIGRATIONS, customerColumns: LEDGER_CUSTOMER_COLUMNS, afterCustomerMerge: mergeAccounts },
	{ migrations: PROGRAM_MIGRATIONS },
	{ migrations: IMPORT_MIGRATIONS },
	// Product views follow the customer and are deleted with them; product prices name no one.
	{ migrations: BROWSE_MIGRATIONS, customerColumns: BROWSE_CUSTOMER_COLUMNS },
	// Badges: one row per customer and badge; a merge keeps each badge once.
	{ migrations: BADGES_MIGRATIONS, customerColumns: BADGES_CUSTOMER_COLUMNS },
	// A person who asked to be erased is not created again from a later webhook, until they consent again.
	{ migrations: PRIVACY_MIGRATIONS, customerColumns: PRIVACY_CUSTOMER_COLUMNS, refuseCustomer: refuseSuppressedCustomer },
	{ migrations: REFERRAL_MIGRATIONS, customerColumns: REFERRAL_CUSTOMER_COLUMNS },
	// The dashboard's read model: folded from the base tables after they were written; its per-customer rows are recounted after a merge.
	{ migrations: REPORT_MIGRATIONS, customerColumns: REPORT_CUSTOMER_COLUMNS, afterCustomerMerge: refoldMergedCustomer },
];

export const ENGINE_TABLES = storeTables(FEATURES);
