import { ENGINE_TABLES } from './features';
import { openSharedStoreWith, openStoreWith, type Store, type StoreConfig } from './store';

/** Opens and migrates a store with every feature's tables. The caller owns it and must close it. */
export function openStore(config: StoreConfig): Promise<Store> {
	return openStoreWith(config, ENGINE_TABLES);
}

/**
 * One open store per configuration per process. n8n runs many executions in one process; they
 * share the connection (pool) instead of opening a database per item. This caches connections
 * only — all state lives in the database, so n8n workers in queue mode stay consistent.
 */
export function openSharedStore(config: StoreConfig): Promise<Store> {
	return openSharedStoreWith(config, ENGINE_TABLES);
}
