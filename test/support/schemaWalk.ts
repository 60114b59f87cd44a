import type { Store } from '../../engine';

/** Every table of the store as it is migrated now: what the database says, not what the code declares. */
export async function storeTableNames(store: Store): Promise<string[]> {
	const rows =
		store.dialect === 'sqlite'
			? await store.db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
			: await store.db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
	return rows.map((row) => row.name);
}

const BASE64 = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/** The text forms a stored value can take: as stored, and decoded when it is base64 (a quarantined body). */
function readings(value: unknown): string[] {
	if (value === null || value === undefined) return [];
	const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'object' ? JSON.stringify(value) : String(value);
	return BASE64.test(text) ? [text, Buffer.from(text, 'base64').toString('utf8')] : [text];
}

/** The forms a personal value can be written in: as is, URL-encoded, and a phone's digits alone. */
export function needleForms(values: readonly string[]): string[] {
	return [...new Set(values.flatMap((value) => [value, encodeURIComponent(value), ...(/^\+\d+$/.test(value) ? [value.slice(1)] : [])]))].map((v) => v.toLowerCase());
}

/**
 * Walks every column of every row of every table and says where any of `values` appears (any
 * case, inside JSON text, URL-encoded, base64-decoded): `table.column: value`. A table added by a
 * future migration is walked like the others.
 */
export async function findPersonalValues(store: Store, values: readonly string[]): Promise<{ tables: string[]; hits: string[] }> {
	const needles = needleForms(values);
	const tables = await storeTableNames(store);
	const hits = new Set<string>();
	for (const table of tables) {
		for (const row of await store.db.query(`SELECT * FROM ${table}`)) {
			for (const [column, value] of Object.entries(row)) {
				for (const text of readings(value)) {
					const lower = text.toLowerCase();
					for (const needle of needles) if (lower.includes(needle)) hits.add(`${table}.${column}: ${needle}`);
				}
			}
		}
	}
	return { tables, hits: [...hits].sort() };
}
