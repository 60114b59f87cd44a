/**
 * Reading what n8n did: executions and their run data, straight from n8n's SQLite database.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cachedInstall, type N8nInstall } from './n8nInstall';

// ---------------------------------------------------------------------------------------------
// Reading results from n8n's SQLite database
// ---------------------------------------------------------------------------------------------

type DatabaseSyncT = import('node:sqlite').DatabaseSync;

export function databaseFile(userFolder: string): string {
	return path.join(userFolder, '.n8n', 'database.sqlite');
}

/** Runs `fn` with a read-only handle on n8n's SQLite database (WAL: safe while n8n runs). */
export function withDb<T>(userFolder: string, fn: (db: DatabaseSyncT) => T): T {
	// loaded lazily: node:sqlite only exists on Node >= 22.5
	const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(databaseFile(userFolder), { readOnly: true });
	try {
		db.exec('PRAGMA busy_timeout = 5000');
		return fn(db);
	} finally {
		db.close();
	}
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
}

/** Executions of a workflow, oldest first (from `<userFolder>/.n8n/database.sqlite`). */
export function executionsOf(userFolder: string, workflowId: string): ExecutionRow[] {
	return withDb(userFolder, (db) =>
		(
			db
				.prepare(
					'SELECT id, workflowId, status, mode, finished, startedAt, stoppedAt FROM execution_entity WHERE workflowId = ? ORDER BY id',
				)
				.all(workflowId) as Array<Record<string, unknown>>
		).map((r) => ({
			id: String(r.id),
			workflowId: String(r.workflowId),
			status: String(r.status),
			mode: String(r.mode),
			finished: Boolean(r.finished),
			startedAt: (r.startedAt as string | null) ?? null,
			stoppedAt: (r.stoppedAt as string | null) ?? null,
		})),
	);
}

/** Waits until `count` executions of the workflow have finished (any status), returns them all. */
export async function waitForExecutions(
	userFolder: string,
	workflowId: string,
	count = 1,
	timeoutMs = 30_000,
): Promise<ExecutionRow[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const rows = executionsOf(userFolder, workflowId);
		const done = rows.filter((r) => !['new', 'running', 'waiting'].includes(r.status));
		if (done.length >= count) return rows;
		if (Date.now() > deadline) {
			throw new Error(`expected ${count} finished executions of ${workflowId}, have ${JSON.stringify(rows)}`);
		}
		await sleep(200);
	}
}

export interface ExecutionDetail extends ExecutionRow {
	/** per node name: the JSON of every output item of every run, output 0..n */
	nodes: Record<string, Array<Array<Array<Record<string, unknown>>>>>;
	/** per node name: error message when the node failed */
	errors: Record<string, string>;
	lastNodeExecuted?: string;
	raw: unknown;
}

/**
 * An execution's run data, decoded. n8n stores it `flatted`-serialised in execution_data.data;
 * the `flatted` module is taken from the n8n install so no project dependency is needed.
 */
export function executionDetail(userFolder: string, executionId: string, install?: N8nInstall): ExecutionDetail {
	const inst = install ?? cachedInstall();
	const req = createRequire(path.join(inst.dir, 'node_modules', 'n8n', 'package.json'));
	const flatted = req('flatted') as { parse(s: string): unknown };
	return withDb(userFolder, (db) => {
		const row = db
			.prepare(
				`SELECT e.id, e.workflowId, e.status, e.mode, e.finished, e.startedAt, e.stoppedAt, d.data
				 FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.id = ?`,
			)
			.get(executionId) as Record<string, unknown> | undefined;
		if (!row) throw new Error(`execution ${executionId} not found`);
		const raw = flatted.parse(String(row.data)) as {
			resultData?: {
				runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message?: string } }>>;
				lastNodeExecuted?: string;
				error?: { message?: string; node?: { name?: string } };
			};
		};
		const nodes: ExecutionDetail['nodes'] = {};
		const errors: ExecutionDetail['errors'] = {};
		for (const [name, runs] of Object.entries(raw.resultData?.runData ?? {})) {
			nodes[name] = runs.map((r) => (r.data?.main ?? []).map((items) => (items ?? []).map((i) => i.json)));
			const err = runs.find((r) => r.error)?.error;
			if (err) errors[name] = err.message ?? JSON.stringify(err);
		}
		const topErr = raw.resultData?.error;
		if (topErr && topErr.node?.name && !errors[topErr.node.name]) errors[topErr.node.name] = topErr.message ?? '';
		return {
			id: String(row.id),
			workflowId: String(row.workflowId),
			status: String(row.status),
			mode: String(row.mode),
			finished: Boolean(row.finished),
			startedAt: (row.startedAt as string | null) ?? null,
			stoppedAt: (row.stoppedAt as string | null) ?? null,
			nodes,
			errors,
			lastNodeExecuted: raw.resultData?.lastNodeExecuted,
			raw,
		};
	});
}
