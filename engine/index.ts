/**
 * The engine's public surface: what nodes, connectors and the CLI may use. It imports nothing
 * from n8n and makes no HTTP calls.
 */
export * from './model';
export * from './ledger';
export { closeSharedStores, defaultSqlitePath, Store, withoutKeeping } from './store';
export type { StoreConfig, Clock, StoredOrder, Db, Dialect, Row, SqlClient } from './store';
export { openStore, openSharedStore } from './openStore';
export { backupSqliteStore, describeStoreFile, isLoyaltyStoreFile, restoreSqliteStore, type StoreFileSummary } from './store/backup';
export * from './delivery';
export * from './rules';
export * from './insight';
export * from './schedule';
export * from './intake';
export * from './report';
export * from './program';
export { importOrders, ImportMode, type ImportProgress } from './import/orders';
export { importOrderHistory, readImportCheckpoint, type HistoryPage, type HistoryImportOptions, type HistoryImportSummary, type HistoryProgress } from './import/history';
export * from './privacy';
export * from './badges';
export * from './browse';
export * from './referral';
