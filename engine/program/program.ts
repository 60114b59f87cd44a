import { isValidTimeZone } from '../model/customer';
import { LoyaltyError } from '../model/errors';
import { idSchema } from '../model/ids';
import { parseOrThrow } from '../model/validate';
import type { Db, SqlClient } from '../store/db';
import { applyProgramChanges, defaultProgramSettings, parseProgramSettings, type ProgramSettings } from './settings';
import { insertProgramVersion, latestProgramVersion, programIds, programVersions, type ProgramVersionRow } from './versions';

/** A store as this feature needs it: any object with the database (the Store class, a test double). */
export interface HasDb {
	readonly db: Db;
}

/** One version of a program: what every node of the program reads, and who set it when. */
export interface Program {
	id: string;
	version: number;
	settings: ProgramSettings;
	changedAt: string;
	/** Who made the change: "cli", "n8n: <workflow> / <node>", "defaults (first use by …)". */
	source: string;
}

export interface LoadedProgram extends Program {
	/** True when no program was stored and this call stored the defaults as version 1. */
	createdDefaults: boolean;
}

export interface ProgramContext {
	/** The time zone a program without settings gets: n8n's own (GENERIC_TIMEZONE). */
	defaultTimeZone: string;
	/** Who reads or changes it; stored with a new version. */
	source: string;
	now?: Date;
}

export const DEFAULT_PROGRAM_ID = 'default';
export const DEFAULTS_SOURCE_PREFIX = 'defaults';

export function parseProgramId(value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : value;
	return parseOrThrow(idSchema, text === '' || text === undefined ? DEFAULT_PROGRAM_ID : text, 'programId');
}

function fromRow(row: ProgramVersionRow): Program {
	return { id: row.programId, version: row.version, settings: parseProgramSettings(row.settings), changedAt: row.changedAt, source: row.source };
}

function defaultsFor(context: ProgramContext): ProgramSettings {
	return defaultProgramSettings(isValidTimeZone(context.defaultTimeZone) ? context.defaultTimeZone : 'UTC');
}

/**
 * The program's current version. A program never set gets the defaults (1 point per currency unit,
 * no expiry, n8n's time zone), stored once as version 1 so that every later read, ledger entry and
 * send names the same settings, and so that a later change of n8n's time zone cannot change them
 * silently. `createdDefaults` is true for the one call that stored them: the place to say so.
 */
export async function loadProgram(store: HasDb, programId: unknown, context: ProgramContext): Promise<LoadedProgram> {
	const id = parseProgramId(programId);
	const stored = await latestProgramVersion(store.db, id);
	if (stored) return { ...fromRow(stored), createdDefaults: false };
	const row: ProgramVersionRow = {
		programId: id,
		version: 1,
		settings: defaultsFor(context),
		changedAt: (context.now ?? new Date()).toISOString(),
		source: `${DEFAULTS_SOURCE_PREFIX} (first used by ${context.source})`,
	};
	const created = await store.db.transaction((sql) => insertProgramVersion(sql, row, { ifAbsent: true }));
	if (created) return { ...fromRow(row), createdDefaults: true };
	const winner = await latestProgramVersion(store.db, id);
	if (!winner) throw new LoyaltyError('store_error', `program "${id}" vanished while it was being created`, { retryable: true });
	return { ...fromRow(winner), createdDefaults: false };
}

/**
 * The program's current version for readers that must not write (a report, a dashboard view):
 * a program never set reads as the defaults, version 0, and nothing is stored.
 */
export async function peekProgram(store: HasDb, programId: unknown, defaultTimeZone: string): Promise<Program> {
	const id = parseProgramId(programId);
	const stored = await latestProgramVersion(store.db, id);
	if (stored) return fromRow(stored);
	return { id, version: 0, settings: defaultsFor({ defaultTimeZone, source: 'read' }), changedAt: new Date(0).toISOString(), source: 'defaults (not stored yet)' };
}

export interface ProgramChange {
	program: Program;
	/** The version the change was made on; undefined for a program set for the first time. */
	previousVersion?: number;
	/** False when the change left every setting as it was: no new version is stored. */
	changed: boolean;
}

/**
 * Stores a new version: `changes` on top of the current settings (or the defaults), or, with
 * `replace`, `changes` as the whole settings. Applies from now on; nothing already booked changes.
 */
export async function changeProgram(store: HasDb, programId: unknown, changes: Record<string, unknown>, context: ProgramContext & { replace?: boolean }): Promise<ProgramChange> {
	const id = parseProgramId(programId);
	return store.db.transaction(async (sql: SqlClient) => {
		const current = await latestProgramVersion(sql, id);
		const base = current ? parseProgramSettings(current.settings) : defaultsFor(context);
		const settings = context.replace ? parseProgramSettings({ timeZone: base.timeZone, ...changes }) : applyProgramChanges(base, changes);
		if (current && JSON.stringify(settings) === JSON.stringify(base)) return { program: fromRow(current), previousVersion: current.version, changed: false };
		const row: ProgramVersionRow = { programId: id, version: (current?.version ?? 0) + 1, settings, changedAt: (context.now ?? new Date()).toISOString(), source: context.source };
		// SQLite serialises writers; on PostgreSQL two changes at once collide on the primary key
		// and the later one is retried from the start (on top of the earlier), so none is lost.
		await insertProgramVersion(sql, row);
		return { program: fromRow(row), ...(current ? { previousVersion: current.version } : {}), changed: true };
	});
}

/** Every version of a program, oldest first; empty for a program never set. */
export async function programHistory(store: HasDb, programId: unknown): Promise<Program[]> {
	return (await programVersions(store.db, parseProgramId(programId))).map(fromRow);
}

export function listPrograms(store: HasDb): Promise<string[]> {
	return programIds(store.db);
}

/** The one-time notice for a program that started from the defaults. */
export function defaultsNotice(program: Program): string {
	const s = program.settings;
	return `No settings were stored for program "${program.id}", so the defaults were stored as version ${program.version}: ${s.pointsPerCurrencyUnit} point per ${s.currency} 1, no expiry, time zone ${s.timeZone}. Change them once with the Loyalty Program node or \`n8n-loyalty program set\`; every workflow of the program follows.`;
}
