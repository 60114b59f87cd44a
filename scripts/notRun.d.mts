/** Types for scripts/notRun.mjs, which scripts/test.mjs runs as plain JavaScript. */
export function notRunNotices(output: string): string[];
export function notRunSummary(notices: string[]): string[];
