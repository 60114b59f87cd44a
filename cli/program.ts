import { ledgerProgramOf, loadProgram, type LoadedProgram, type ProgramInput, type Store } from '../engine';
import type { ParsedArgs } from './args';

/**
 * The time zone a program set from the command line starts with: n8n's own setting when the
 * shell has it (GENERIC_TIMEZONE), else the machine's.
 */
export function cliDefaultTimeZone(env: NodeJS.ProcessEnv = process.env): string {
	return env.GENERIC_TIMEZONE?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export const PROGRAM_ID_OPTION = `  --program-id <id>       the program (default "default"); its settings are the stored ones
                          (n8n-loyalty program show / set)`;

/** Settings on the command line were the old way; they are stored once now, so say where. */
function refuseInlineSettings(flags: ParsedArgs['flags']): void {
	if (flags.program !== undefined) {
		throw new Error('--program: program settings are stored once for every workflow now. Set them with `n8n-loyalty program set key=value …` and pick the program with --program-id');
	}
}

/** The stored program named by --program-id (created from the defaults once, and said so on stderr). */
export async function programFromFlags(store: Store, flags: ParsedArgs['flags']): Promise<LoadedProgram> {
	refuseInlineSettings(flags);
	const program = await loadProgram(store, typeof flags['program-id'] === 'string' ? flags['program-id'] : undefined, { defaultTimeZone: cliDefaultTimeZone(), source: 'cli' });
	if (program.createdDefaults) console.error(`program "${program.id}" had no settings; stored the defaults as version 1 (n8n-loyalty program show)`);
	return program;
}

export async function ledgerProgramFromFlags(store: Store, flags: ParsedArgs['flags']): Promise<ProgramInput> {
	const program = await programFromFlags(store, flags);
	return ledgerProgramOf(program.id, program.version, program.settings);
}
