import type { Migration } from '../migrations';

/** Tables of segmentation and predictions (scores, fitted models). Versions 200–299. */
export const INSIGHT_MIGRATIONS: readonly Migration[] = [];
