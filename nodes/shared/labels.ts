/** Short words n8n leaves in lower case inside a Title Case name ("Points per Order", "Not Equal to"). */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'or', 'per', 'the', 'to', 'with']);

/** A code value as an option name in Title Case: "greater_than_or_equal" → "Greater Than or Equal". */
export function titleCase(code: string): string {
	return code
		.split(/[_\s]+/)
		.filter(Boolean)
		.map((word, index) => (index > 0 && SMALL_WORDS.has(word.toLowerCase()) ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1)))
		.join(' ');
}

/** Whether a name reads as Title Case: every word starts in upper case, short joining words aside. */
export function isTitleCase(name: string): boolean {
	return name
		.replace(/\([^)]*\)/g, ' ')
		.split(/[\s/]+/)
		.filter((word) => /^[A-Za-z]/.test(word))
		.every((word, index) => /^[A-Z0-9]/.test(word) || (index > 0 && SMALL_WORDS.has(word.toLowerCase())) || /^(e\.g\.|iOS|eBay)/.test(word));
}
