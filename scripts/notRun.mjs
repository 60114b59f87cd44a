// Collects the "# NOT RUN: <suite> — <reason>; <how to run>" lines that test suites print
// (test/support/notRun.ts) so `npm test` can end with what did not run and what would make it run.

const NOT_RUN_LINE = /^# NOT RUN: (.+)$/;

/**
 * The distinct not-run notices in `output`, in first-seen order. Each test file that shares a
 * gate (one missing spec, one absent server) prints the same line; it is reported once.
 * @param {string} output
 * @returns {string[]} the text after "# NOT RUN: " of each distinct line
 */
export function notRunNotices(output) {
	const seen = new Set();
	for (const line of output.split(/\r?\n/)) {
		const match = NOT_RUN_LINE.exec(line.trimEnd());
		if (match) seen.add(match[1]);
	}
	return [...seen];
}

/**
 * The closing lines: one per suite that did not run, each once, in first-seen order.
 * @param {string[]} notices from notRunNotices (several steps' worth may repeat one another)
 * @returns {string[]}
 */
export function notRunSummary(notices) {
	return [...new Set(notices)].map((notice) => `not run: ${notice}`);
}
