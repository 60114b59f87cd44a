/*
 * One convention for a suite that cannot run here (no PostgreSQL, no Redis, no reference
 * documents): it prints one line, which `npm test` (scripts/test.mjs) collects and repeats at the
 * end so that what did not run is never lost in the scroll:
 *
 *   # NOT RUN: <suite> — <reason>; <how to run it>
 *
 * The node test runner passes a test file's stdout through unchanged, so the line reaches
 * test.mjs as it is. scripts/notRun.mjs parses it; test/unit/notRun.test.ts keeps the two in step.
 */

export const NOT_RUN_PREFIX = '# NOT RUN: ';

/** The line for a suite that did not run; `reason` and `howToRun` are one line each. */
export function notRunLine(suite: string, reason: string, howToRun: string): string {
	const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
	return `${NOT_RUN_PREFIX}${oneLine(suite)} — ${oneLine(reason)}; ${oneLine(howToRun)}`;
}

/** Prints that `suite` does not run and why; returns `reason`, ready for a `skip` option. */
export function notRun(suite: string, reason: string, howToRun: string): string {
	console.log(notRunLine(suite, reason, howToRun));
	return reason;
}
