/** zod issue path → the JSON path style used in every rule error: `[2].conditions.all[1]`. */
export function formatZodPath(path: ReadonlyArray<PropertyKey>): string {
	return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}
