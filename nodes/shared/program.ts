import type { IExecuteFunctions, INodeProperties, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { DEFAULT_PROGRAM_ID, defaultsNotice, loadProgram, type LoadedProgram, type Store } from '../../engine';

type ProgramReader = IExecuteFunctions | IWebhookFunctions | ITriggerFunctions;

/**
 * The one program selector every node shares. The program's settings (earn rate, expiry, tiers,
 * quiet hours, caps, time zone…) are stored once and read from here: set them with the Loyalty
 * Program node or `n8n-loyalty program set`.
 */
export const programSelector: INodeProperties = {
	displayName: 'Program',
	name: 'programId',
	type: 'string',
	default: DEFAULT_PROGRAM_ID,
	description: 'Which loyalty program this node works for. Its settings are set once in the Loyalty Program node; keep "default" unless you run several programs (for example two shops) in one n8n.',
};

/** Who reads the program, as stored with a version it creates: the workflow and node. */
export function programSource(context: ProgramReader): string {
	return `n8n: ${context.getWorkflow().name ?? context.getWorkflow().id ?? 'workflow'} / ${context.getNode().name}`;
}

/**
 * The stored program this node works for. A program never set is created from the defaults once
 * (with n8n's own time zone); that one time is logged and returned so the node can show it.
 */
export async function readStoredProgram(context: ProgramReader, store: Store, programId: unknown): Promise<LoadedProgram & { notice?: string }> {
	const program = await loadProgram(store, programId, { defaultTimeZone: context.getTimezone(), source: programSource(context) });
	if (!program.createdDefaults) return program;
	const notice = defaultsNotice(program);
	context.logger.warn(notice);
	return { ...program, notice };
}

/** What an output item says about the settings that applied. */
export function programStamp(program: LoadedProgram & { notice?: string }): { program: { id: string; version: number; notice?: string } } {
	return { program: { id: program.id, version: program.version, ...(program.notice ? { notice: program.notice } : {}) } };
}
