import { main } from '../../cli/main';

/** What the CLI printed while `console` was captured (the commands write through console). */
export function captureConsole(): { lines: string[]; errors: string[]; restore(): void } {
	const lines: string[] = [];
	const errors: string[] = [];
	const { log, error } = console;
	console.log = (text: string) => lines.push(String(text));
	console.error = (text: string) => errors.push(String(text));
	return { lines, errors, restore: () => Object.assign(console, { log, error }) };
}

/** Runs `n8n-loyalty <argv>` in this process and returns its exit code and what it printed. */
export async function runCli(argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
	const out = captureConsole();
	try {
		return { code: await main(argv), lines: out.lines, errors: out.errors };
	} finally {
		out.restore();
	}
}
