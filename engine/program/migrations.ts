import type { Migration } from '../store/migrations';

/** The stored program: every version of every program's settings. Versions 700–799. */
export const PROGRAM_MIGRATIONS: readonly Migration[] = [
	{
		version: 700,
		name: 'program versions',
		sql: `
CREATE TABLE program_versions (
	program_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	settings TEXT NOT NULL,
	changed_at TEXT NOT NULL,
	source TEXT NOT NULL,
	PRIMARY KEY (program_id, version)
);
`,
	},
];
