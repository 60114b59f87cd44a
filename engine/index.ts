/**
 * The engine's public surface: what nodes, connectors and the CLI may use. It imports nothing
 * from n8n and makes no HTTP calls.
 */
export * from './model';
export * from './ledger';
export { openStore, openSharedStore, closeSharedStores, defaultSqlitePath, loyaltySnapshot, Store, withoutKeeping } from './store';
export type { StoreConfig, Clock, BalanceMismatch, StoredOrder, LoyaltyProfileSnapshot } from './store';
export * from './delivery';
export * from './rules';
export * from './insight';
export * from './schedule';
export { claimDueEvents, dueEventKey } from './store/dueEvents';
export * from './intake';
export * from './report';
export * from './program';
