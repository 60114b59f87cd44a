import { readFileSync } from 'node:fs';
import { changeProgram, LoyaltyError, peekProgram, programHistory, listPrograms, type Program } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { cliDefaultTimeZone } from '../program';
import { openStoreFromFlags } from '../storeFromFlags';

const USAGE = `n8n-loyalty program show | set | history | list [options]

One program's settings, stored once and read by every loyalty node and workflow of the program:
earn rate, currency, rounding, return period, expiry, tiers, time zone, the most points per
order, quiet hours and message caps, reward budgets. Every change is a new version with its time
and source; it applies from then on, never to points already booked.

  show                      the current settings (the defaults if the program was never set)
  set key=value …           change some settings; nested ones with a dot, values as JSON when
                            they parse, else as text:
                              n8n-loyalty program set pointsPerCurrencyUnit=2 pendingDays=14
                              n8n-loyalty program set delivery.quietHoursStart=21:00 timeZone=Europe/Berlin
                              n8n-loyalty program set 'expiry={"kind":"days_after_earn","days":365}'
                              n8n-loyalty program set tiers=null        (no tiers)
                              n8n-loyalty program set 'badges=[{"id":"first-purchase","name":"First purchase"}]'
  set --file settings.json  change the settings given in the file (with --replace: the file is
                            the whole settings; left-out ones get their defaults)
  history                   every version, oldest first, one JSON line each
  list                      the ids of every program that has settings

Options:
  --program-id <id>         the program (default "default"); agencies keep one per shop
  --store, --pg, --schema   as for the other commands`;

/** "a.b=value" → { a: { b: value } }; the value is JSON when it parses (2, true, null, {...}), else text. */
export function changesFromAssignments(assignments: readonly string[]): Record<string, unknown> {
	const changes: Record<string, unknown> = {};
	for (const assignment of assignments) {
		const at = assignment.indexOf('=');
		if (at <= 0) throw LoyaltyError.invalid('program', `"${assignment}" is not key=value (for example pointsPerCurrencyUnit=2)`);
		const path = assignment.slice(0, at).split('.');
		const text = assignment.slice(at + 1);
		let value: unknown = text;
		try {
			value = JSON.parse(text);
		} catch {
			// Plain text such as Europe/Berlin or 21:00.
		}
		let target = changes;
		for (const key of path.slice(0, -1)) {
			if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
			target = target[key] as Record<string, unknown>;
		}
		target[path[path.length - 1]] = value;
	}
	return changes;
}

function versionLine(program: Program): string {
	return JSON.stringify({ programId: program.id, version: program.version, changedAt: program.changedAt, source: program.source, settings: program.settings });
}

export const programCommand: CliCommand = {
	name: 'program',
	summary: "show, change and list the history of a program's settings (set once for every workflow)",
	usage: USAGE,
	async run({ positional, flags }: ParsedArgs) {
		const [action, ...assignments] = positional;
		const programId = typeof flags['program-id'] === 'string' ? flags['program-id'] : undefined;
		if (!['show', 'set', 'history', 'list'].includes(action ?? '')) throw new Error(`program: say what to do: show, set, history or list\n\n${USAGE}`);
		const store = await openStoreFromFlags(flags, { mayCreate: action === 'set' });
		try {
			if (action === 'list') {
				for (const id of await listPrograms(store)) console.log(id);
				return 0;
			}
			if (action === 'show') {
				const program = await peekProgram(store, programId, cliDefaultTimeZone());
				console.log(versionLine(program));
				if (program.version === 0) console.error(`program "${program.id}" was never set: these are the defaults it gets on first use`);
				return 0;
			}
			if (action === 'history') {
				const versions = await programHistory(store, programId);
				for (const version of versions) console.log(versionLine(version));
				if (versions.length === 0) console.error(`program "${programId ?? 'default'}" was never set`);
				return 0;
			}
			const fromFile = typeof flags.file === 'string' ? (JSON.parse(readFileSync(flags.file, 'utf8')) as Record<string, unknown>) : {};
			const changes = { ...fromFile, ...changesFromAssignments(assignments) };
			if (Object.keys(changes).length === 0) throw new Error('program set: give settings as key=value, or --file settings.json');
			const change = await changeProgram(store, programId, changes, { defaultTimeZone: cliDefaultTimeZone(), source: 'cli', replace: flags.replace === true });
			console.log(versionLine(change.program));
			console.error(change.changed ? `program "${change.program.id}" is now version ${change.program.version}${change.previousVersion ? ` (was ${change.previousVersion})` : ''}` : `nothing changed: program "${change.program.id}" stays at version ${change.program.version}`);
			return 0;
		} finally {
			await store.close();
		}
	},
};
