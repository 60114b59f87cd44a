/**
 * End-to-end harness that runs a REAL n8n (pinned version) under the project's Node 24.
 *
 * - n8n is installed once into a cache folder outside the project's node_modules
 *   (`$LOYALTY_N8N_CACHE` or `~/.cache/n8n-nodes-loyalty`, then `n8n-<version>`).
 * - The packed package is installed into `<userFolder>/.n8n/nodes/`, where n8n's
 *   community-package loader picks it up, so node types are `n8n-nodes-loyalty.<name>`.
 * - Workflows and credentials go in through n8n's own CLI (import:*, publish:workflow).
 * - Execution results are read straight from n8n's SQLite database with `node:sqlite`.
 *
 * Everything here is idempotent; every process is started as its own process group
 * and killed as a group.
 *
 * The harness is split by what it does; this file gathers it so that tests import one module:
 * n8nProcesses (child processes, locks, ports), n8nInstall (n8n and the packed package),
 * n8nRun (environment, CLI, start/stop, readiness, webhooks, REST session), n8nImport
 * (workflows, credentials, publish) and n8nExecutions (results from n8n's database).
 */
export * from './n8nProcesses';
export * from './n8nInstall';
export * from './n8nRun';
export * from './n8nImport';
export * from './n8nExecutions';
