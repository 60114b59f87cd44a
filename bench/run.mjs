#!/usr/bin/env node
// `npm run bench`: every bench/*.bench.ts in turn, each in its own process so one benchmark's
// memory and caches do not colour the next. Each prints JSON lines.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
	.filter((f) => f.endsWith('.bench.ts'))
	.filter((f) => only.length === 0 || only.some((word) => f.includes(word)))
	.sort();
let failed = 0;
for (const file of files) {
	const result = spawnSync('node', ['--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
	if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
