/** Minimal `--flag value` / `--switch` parsing; the CLI has few options and no dependency is worth it. */
export interface ParsedArgs {
	command: string | undefined;
	positional: string[];
	flags: Record<string, string | true>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
	const [command, ...rest] = argv;
	const positional: string[] = [];
	const flags: Record<string, string | true> = {};
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		if (!arg.startsWith('--')) {
			positional.push(arg);
			continue;
		}
		const [name, inline] = arg.slice(2).split('=', 2);
		if (inline !== undefined) flags[name] = inline;
		else if (rest[i + 1] !== undefined && !rest[i + 1].startsWith('--')) flags[name] = rest[++i];
		else flags[name] = true;
	}
	return { command, positional, flags };
}
