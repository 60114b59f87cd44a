import type { Migration } from '../migrations';

/** Tables of consent-aware delivery (send log, frequency counters). Versions 300–399. */
export const DELIVERY_MIGRATIONS: readonly Migration[] = [];
