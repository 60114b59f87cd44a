/**
 * Importing into n8n: workflows made importable (ids, webhook ids, credential references),
 * credentials and workflows through n8n's CLI, and publishing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { credentialsAskedFor } from './credentialsAsked';
import { withDb } from './n8nExecutions';
import { n8nCli, type CliOptions } from './n8nRun';

// ---------------------------------------------------------------------------------------------
// Ids and templates
// ---------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** n8n-style 16-character alphanumeric id (workflow and credential ids). */
export function n8nId(len = 16): string {
	const bytes = randomBytes(len * 2);
	let s = '';
	for (let i = 0; s.length < len && i < bytes.length; i++) {
		const b = bytes[i]!;
		if (b < 248) s += ALNUM[b % 62]; // 248 = 4*62: unbiased
	}
	while (s.length < len) s += ALNUM[randomBytes(1)[0]! % 62];
	return s;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id?: string; name: string }>;
	[k: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[k: string]: unknown;
}

export interface CredentialJson {
	id?: string;
	name: string;
	type: string;
	/** plain (unencrypted) data; import:credentials encrypts it */
	data: Record<string, unknown>;
}

export interface ImportedCredential {
	id: string;
	name: string;
	type: string;
}

/**
 * Makes a template importable so that its webhooks register:
 * - a 16-character workflow id (a 14-character one never registered its webhook in 2.41);
 * - node ids kept (templates carry UUIDs), missing ones become UUIDs;
 * - webhook-ish nodes without a webhookId get a UUID one;
 * - credential placeholders (`{ loyaltyStoreApi: { name } }`) get the id of the imported
 *   credential of that type (matched by type and name, or by type when there is only one);
 *   a loyalty node also gets the imported credentials it asks for and does not name (credentialsAsked.ts).
 * Returns a deep copy; the template is not modified.
 */
export function normaliseWorkflow(
	template: WorkflowJson,
	opts: { id?: string; credentials?: ImportedCredential[]; name?: string } = {},
): WorkflowJson {
	const wf = structuredClone(template);
	wf.id = opts.id ?? (typeof wf.id === 'string' && /^[A-Za-z0-9]{16}$/.test(wf.id) ? wf.id : n8nId());
	if (opts.name) wf.name = opts.name;
	wf.settings ??= { executionOrder: 'v1' };
	delete wf.active; // activation is publish:workflow's job
	const creds = opts.credentials ?? [];
	for (const node of wf.nodes) {
		node.id ??= randomUUID();
		if (node.webhookId === undefined && /webhook|trigger/i.test(node.type) && 'path' in node.parameters) {
			node.webhookId = randomUUID();
		}
		// A loyalty node gets the imported credentials it asks for and does not name yet, as an owner picks them.
		for (const type of credentialsAskedFor(node)) {
			const imported = creds.find((c) => c.type === type);
			if (imported && !node.credentials?.[type]) node.credentials = { ...node.credentials, [type]: { name: imported.name } };
		}
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const ofType = creds.filter((c) => c.type === type);
			const match = ofType.find((c) => c.name === ref.name) ?? (ofType.length === 1 ? ofType[0] : undefined);
			if (match) node.credentials![type] = { id: match.id, name: match.name };
			else if (!ref.id)
				throw new Error(
					`workflow "${wf.name}", node "${node.name}": no imported credential of type ${type}` +
						(ofType.length > 1 ? ` named "${ref.name}"` : ''),
				);
		}
	}
	return wf;
}

// ---------------------------------------------------------------------------------------------
// Import / publish through n8n's CLI
// ---------------------------------------------------------------------------------------------

/** Imports credentials (plain data; n8n encrypts it). Missing ids are assigned. */
export async function importCredentials(
	userFolder: string,
	credentials: CredentialJson[],
	opts: CliOptions = {},
): Promise<ImportedCredential[]> {
	const withIds = credentials.map((c) => ({ ...c, id: c.id ?? n8nId() }));
	const file = path.join(userFolder, 'import', `credentials-${Date.now()}-${n8nId(6)}.json`);
	await fsp.mkdir(path.dirname(file), { recursive: true });
	await fsp.writeFile(file, JSON.stringify(withIds, null, 2), { mode: 0o600 });
	try {
		await n8nCli(userFolder, ['import:credentials', `--input=${file}`], {
			...opts,
			successPattern: /Successfully imported \d+ credential/,
		});
	} finally {
		await fsp.rm(file, { force: true }); // it holds secrets in plain text
	}
	return withIds.map(({ id, name, type }) => ({ id, name, type }));
}

/** Imports one workflow (normalise it first). Returns its id. */
export async function importWorkflow(userFolder: string, workflow: WorkflowJson, opts: CliOptions = {}): Promise<string> {
	if (!workflow.id) throw new Error('importWorkflow: workflow has no id; run normaliseWorkflow first');
	const file = path.join(userFolder, 'import', `workflow-${workflow.id}.json`);
	await fsp.mkdir(path.dirname(file), { recursive: true });
	await fsp.writeFile(file, JSON.stringify(workflow, null, 2));
	await n8nCli(userFolder, ['import:workflow', `--input=${file}`], {
		...opts,
		successPattern: /Successfully imported \d+ workflow/,
	});
	return workflow.id;
}

/** Imports several workflows (normalised) with one CLI run: each CLI start costs seconds. Returns their ids. */
export async function importWorkflows(userFolder: string, workflows: WorkflowJson[], opts: CliOptions = {}): Promise<string[]> {
	const missing = workflows.find((w) => !w.id);
	if (missing) throw new Error(`importWorkflows: workflow "${missing.name}" has no id; run normaliseWorkflow first`);
	const file = path.join(userFolder, 'import', `workflows-${Date.now()}-${n8nId(6)}.json`);
	await fsp.mkdir(path.dirname(file), { recursive: true });
	await fsp.writeFile(file, JSON.stringify(workflows, null, 2));
	await n8nCli(userFolder, ['import:workflow', `--input=${file}`], {
		...opts,
		successPattern: /Successfully imported \d+ workflow/,
	});
	return workflows.map((w) => w.id!);
}

/**
 * `n8n publish:workflow --id=<id>` (2.x's replacement of update:workflow --active=true).
 * It only writes the database: a running n8n does not notice, so publish before startN8n
 * (or restart), or use `N8nSession.publish` against a running instance.
 */
export async function publishWorkflow(userFolder: string, workflowId: string, opts: CliOptions = {}): Promise<void> {
	await n8nCli(userFolder, ['publish:workflow', `--id=${workflowId}`], {
		...opts,
		successPattern: /Please restart n8n for changes to take effect/,
	});
	if (opts.env?.DB_TYPE === 'postgresdb') return; // the caller checks its own database
	const wf = withDb(userFolder, (db) =>
		db.prepare('SELECT active, activeVersionId FROM workflow_entity WHERE id = ?').get(workflowId),
	) as { active: number; activeVersionId: string | null } | undefined;
	if (!wf || !wf.active || !wf.activeVersionId) {
		throw new Error(`publish:workflow --id=${workflowId} did not mark the workflow active: ${JSON.stringify(wf)}`);
	}
}

/**
 * Collects webhook paths of a workflow's active webhook-style nodes (parameters.path), for
 * `startN8n({ waitForWebhooks })`.
 */
export function webhookPaths(workflow: WorkflowJson): Array<{ path: string; method: string }> {
	const out: Array<{ path: string; method: string }> = [];
	for (const n of workflow.nodes) {
		if (n.disabled) continue;
		const p = n.parameters.path;
		if (typeof p !== 'string' || !p || p.includes('{{')) continue;
		const m = n.parameters.httpMethod;
		const method = typeof m === 'string' ? m : Array.isArray(m) && typeof m[0] === 'string' ? m[0] : 'GET';
		out.push({ path: p, method });
	}
	return out;
}
