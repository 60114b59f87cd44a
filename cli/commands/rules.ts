import type { CliCommand } from '../command';

/** Rule evaluator commands (simulate, schema). */
export const RULES_COMMANDS: readonly CliCommand[] = [];
