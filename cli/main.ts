#!/usr/bin/env node
import { isLoyaltyError } from '../engine';
import { parseArgs } from './args';
import type { CliCommand } from './command';
import { BACKUP_COMMANDS } from './commands/backup';
import { customerCommand } from './commands/customer';
import { importCommand } from './commands/import';
import { INSIGHT_COMMANDS } from './commands/insight';
import { INTAKE_COMMANDS } from './commands/intake';
import { LEDGER_COMMANDS } from './commands/ledger';
import { programCommand } from './commands/program';
import { REPORT_COMMANDS } from './commands/report';
import { RULES_COMMANDS } from './commands/rules';
import { exitWhenFlushed, quietOnClosedPipe } from './output';

const COMMANDS: readonly CliCommand[] = [programCommand, ...LEDGER_COMMANDS, ...INTAKE_COMMANDS, ...BACKUP_COMMANDS, importCommand, ...RULES_COMMANDS, ...INSIGHT_COMMANDS, ...REPORT_COMMANDS, customerCommand];

function usage(): string {
	const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
	return `n8n-loyalty <command> [options]   (n8n-loyalty <command> --help for details)\n\nCommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
	const args = parseArgs(argv);
	if (!args.command || args.command === 'help' || args.command === '--help') {
		console.log(usage());
		return args.command ? 0 : 1;
	}
	const command = COMMANDS.find((c) => c.name === args.command);
	if (!command) {
		console.error(`unknown command "${args.command}"\n\n${usage()}`);
		return 1;
	}
	if (args.flags.help) {
		console.log(command.usage);
		return 0;
	}
	return command.run(args);
}

/** The process entry point: runs a command, then lets the process end once its output is out. */
export function runCli(argv: readonly string[]): Promise<void> {
	quietOnClosedPipe();
	return main(argv).then(exitWhenFlushed, (error) => {
		console.error(isLoyaltyError(error) ? error.message : error instanceof Error ? error.message : error);
		return exitWhenFlushed(1);
	});
}

// Run directly (node dist/cli/main.js, or tsx in tests); the installed command goes through bin/n8n-loyalty.
if (require.main === module) void runCli(process.argv.slice(2));
