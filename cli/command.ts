import type { ParsedArgs } from './args';

/** One `n8n-loyalty <name>` subcommand. `run` returns the process exit code. */
export interface CliCommand {
	name: string;
	/** One line for the command list. */
	summary: string;
	/** Full usage text for `n8n-loyalty <name> --help`. */
	usage: string;
	run(args: ParsedArgs): Promise<number>;
}
