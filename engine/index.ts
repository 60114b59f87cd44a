/**
 * The engine's public surface: what nodes, connectors and the CLI may use. It imports nothing
 * from n8n and makes no HTTP calls.
 */
export * from './model';
export * from './ledger';
export { openStore, openSharedStore, closeSharedStores, defaultSqlitePath, Store } from './store';
export type { StoreConfig, Clock, BalanceMismatch, StoredOrder } from './store';
export * from './delivery';
export * from './rules';
export * from './insight';
