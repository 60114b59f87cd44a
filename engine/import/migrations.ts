import type { Migration } from '../store/migrations';

/** Where an import from a shop's API resumes after an interruption. Versions 800–899. */
export const IMPORT_MIGRATIONS: readonly Migration[] = [
	{
		version: 800,
		name: 'import checkpoints',
		sql: `
CREATE TABLE import_checkpoints (
	name TEXT PRIMARY KEY,
	position TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
`,
	},
];
