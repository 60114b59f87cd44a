import type { SqlClient } from '../store/db';

/** One stored version of a program's settings (the settings are validated by the caller). */
export interface ProgramVersionRow {
	programId: string;
	version: number;
	settings: unknown;
	changedAt: string;
	source: string;
}

type Row = {
	program_id: string;
	version: number | string;
	settings: string;
	changed_at: string;
	source: string;
};

const fromRow = (row: Row): ProgramVersionRow => ({
	programId: row.program_id,
	version: Number(row.version),
	settings: JSON.parse(row.settings) as unknown,
	changedAt: row.changed_at,
	source: row.source,
});

export async function latestProgramVersion(sql: SqlClient, programId: string): Promise<ProgramVersionRow | undefined> {
	const rows = await sql.query<Row>('SELECT program_id, version, settings, changed_at, source FROM program_versions WHERE program_id = $1 ORDER BY version DESC LIMIT 1', [programId]);
	return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function programVersions(sql: SqlClient, programId: string): Promise<ProgramVersionRow[]> {
	const rows = await sql.query<Row>('SELECT program_id, version, settings, changed_at, source FROM program_versions WHERE program_id = $1 ORDER BY version', [programId]);
	return rows.map(fromRow);
}

export async function programIds(sql: SqlClient): Promise<string[]> {
	const rows = await sql.query<{ program_id: string }>('SELECT DISTINCT program_id FROM program_versions ORDER BY program_id');
	return rows.map((r) => r.program_id);
}

/**
 * Adds `version`. The primary key decides between two processes adding the same version: with
 * `ifAbsent` the loser writes nothing and gets false; without it the loser's statement fails with
 * a unique violation, which the PostgreSQL backend retries from the start of the transaction.
 */
export async function insertProgramVersion(sql: SqlClient, row: ProgramVersionRow, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
	const changed = await sql.execute(
		`INSERT INTO program_versions (program_id, version, settings, changed_at, source) VALUES ($1, $2, $3, $4, $5)${options.ifAbsent ? ' ON CONFLICT (program_id, version) DO NOTHING' : ''}`,
		[row.programId, row.version, JSON.stringify(row.settings), row.changedAt, row.source],
	);
	return changed === 1;
}
