#!/usr/bin/env node
import { isLoyaltyError } from '../engine';
import { parseArgs } from './args';
import type { CliCommand } from './command';
import { importCommand } from './commands/import';
import { INSIGHT_COMMANDS } from './commands/insight';
import { INTAKE_COMMANDS } from './commands/intake';
import { LEDGER_COMMANDS } from './commands/ledger';
import { RULES_COMMANDS } from './commands/rules';

const COMMANDS: readonly CliCommand[] = [...LEDGER_COMMANDS, ...INTAKE_COMMANDS, ...RULES_COMMANDS, ...INSIGHT_COMMANDS, importCommand];

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

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			console.error(isLoyaltyError(error) ? error.message : error instanceof Error ? error.message : error);
			process.exit(1);
		},
	);
}
