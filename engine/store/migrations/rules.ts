import type { Migration } from '../migrations';

/** Tables of the rule evaluator (counters, caps, suppressions). Versions 100–199. */
export const RULES_MIGRATIONS: readonly Migration[] = [];
