import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

/*
 * Self-hosted only (configWithoutCloudSupport): the package keeps its data in a store on disk or in
 * PostgreSQL, which n8n Cloud does not offer to community nodes.
 */

/** Every rule of the two n8n plugins that the shared config turns on. */
const n8nRules = [
	...new Set(
		configWithoutCloudSupport.flatMap((block) =>
			Object.keys(block.rules ?? {}).filter(
				(rule) => rule.startsWith('@n8n/community-nodes/') || rule.startsWith('n8n-nodes-base/'),
			),
		),
	),
];

/**
 * The n8n rules describe node and credential files, but the shared config applies the community
 * rules to every `.ts` file. The engine, connectors, CLI, tests, benchmarks and scripts are not
 * nodes: they throw their own error types, spawn processes (tests) and hold test fixtures, so the
 * node rules do not apply to them. General TypeScript rules still do.
 */
const notNodeCode = ['engine/**', 'connectors/**', 'cli/**', 'test/**', 'bench/**', 'scripts/**', 'sandbox/**'];

export default [
	...configWithoutCloudSupport,
	{
		files: notNodeCode.map((dir) => `${dir}/*.ts`).concat(notNodeCode.map((dir) => `${dir}/**/*.ts`)),
		rules: Object.fromEntries(n8nRules.map((rule) => [rule, 'off'])),
	},
	{
		// Command-line programs, tests and the development sandbox talk to the terminal.
		files: ['cli/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'sandbox/**/*.ts'],
		rules: { 'no-console': 'off' },
	},
	{
		// The engine needs `pg` (PostgreSQL), `zod` (validation) and `luxon` (time zones) at run
		// time; a self-hosted package installs them with itself.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
];
