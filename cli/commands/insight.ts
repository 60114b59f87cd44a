import type { CliCommand } from '../command';

/** Segmentation and prediction commands (fit, segment). */
export const INSIGHT_COMMANDS: readonly CliCommand[] = [];
