/**
 * Brings up the shipped `workflows/points-on-purchase.json` in a real n8n: the packed package
 * installed as a community package, the project's shop sandbox in place of WooCommerce and
 * Square, credentials imported, the template imported and published.
 * Shared by the end-to-end suite and `npm run demo`.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreConfig } from '../../../engine';
import { startShopSandbox, type ShopSandbox } from '../../../sandbox';
import { POSTGRES } from '../../support/stores';
import {
	PROJECT_ROOT,
	ensureN8nInstalled,
	freePort,
	importCredentials,
	importWorkflow,
	makeUserFolder,
	normaliseWorkflow,
	packAndInstallPackage,
	publishWorkflow,
	run,
	childEnv,
	startN8n,
	webhookPaths,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';

/** The key the sandbox's Square webhook subscriptions sign with; the credential holds the same. */
const SQUARE_SIGNATURE_KEY = 'e2e-square-signature-key-0123456789';

export interface PointsOnPurchaseEnv {
	n8n: RunningN8n;
	/** Ids of `extraWorkflows`, in order. */
	extraWorkflowIds: string[];
	/** Queue-mode workers (none otherwise). */
	workers: RunningN8n[];
	userFolder: string;
	workflowId: string;
	/** Where the nodes keep the points: the embedded file, or the PostgreSQL schema asked for. */
	storeConfig: StoreConfig;
	wooUrl: string;
	squareUrl: string;
	wooSecret: string;
	squareSignatureKey: string;
	/** A Square order made in the sandbox (one $64.00 line) for scenarios that post their own notifications. */
	squareExampleOrderId: string;
	/** The Square customer (dev@example.com) that order belongs to. */
	squareExampleCustomerId: string;
	/** The shop sandbox serving WooCommerce and Square: create payments there and it notifies n8n. */
	sandbox: ShopSandbox;
	stop(): Promise<void>;
}

/**
 * Kept for callers that still ask: the environment needs nothing outside the repository (the shop
 * sandbox stands in for the vendors), so it is always available.
 */
export function pointsOnPurchaseUnavailable(): string | undefined {
	return undefined;
}

export interface StartOptions {
	log?: (line: string) => void;
	userFolder?: string;
	port?: number;
	/** Keep the points in this PostgreSQL schema (through a Loyalty Store credential) instead of the embedded file. */
	postgresSchema?: string;
	/**
	 * n8n in queue mode: its own database in this PostgreSQL schema, jobs through Redis under
	 * this key prefix, and this many worker processes beside the main instance.
	 */
	queueMode?: { n8nSchema: string; redisPrefix: string; workers: number };
	/** The Loyalty Event Trigger's "Max Events per Run" (an owner's setting); the template's default when absent. */
	maxEventsPerRun?: number;
	/** More workflows to import and publish beside the template (e.g. a bare baseline for benchmarks). */
	extraWorkflows?: WorkflowJson[];
	/** More environment for the main n8n process only (e.g. NODE_OPTIONS for a benchmark's profiler). */
	mainEnv?: Record<string, string>;
	/** More environment for the queue-mode workers only. */
	workerEnv?: Record<string, string>;
}

/** The environment of every n8n process of a queue-mode setup (main, workers and CLI). */
export function queueModeEnv(queue: NonNullable<StartOptions['queueMode']>): Record<string, string> {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: POSTGRES.host,
		DB_POSTGRESDB_PORT: String(POSTGRES.port),
		DB_POSTGRESDB_DATABASE: POSTGRES.database,
		DB_POSTGRESDB_USER: POSTGRES.user,
		DB_POSTGRESDB_PASSWORD: POSTGRES.password ?? '',
		DB_POSTGRESDB_SCHEMA: queue.n8nSchema,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: process.env.LOYALTY_REDIS_HOST ?? '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: process.env.LOYALTY_REDIS_PORT ?? '6379',
		QUEUE_BULL_PREFIX: queue.redisPrefix,
	};
}

export async function startPointsOnPurchase(options: StartOptions = {}): Promise<PointsOnPurchaseEnv> {
	const log = options.log ?? (() => undefined);
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	};
	try {
		log('installing n8n (cached after the first run)…');
		const install = await ensureN8nInstalled({ log });
		if (!readdirHasNodes()) {
			log('building the package…');
			await run('npx', ['n8n-node', 'build'], { cwd: PROJECT_ROOT, env: childEnv(), timeoutMs: 10 * 60_000 });
		}
		const userFolder = options.userFolder ?? (await makeUserFolder('loyalty-e2e-'));
		if (!options.userFolder) cleanups.push(() => (process.env.LOYALTY_E2E_KEEP ? Promise.resolve() : rm(userFolder, { recursive: true, force: true })));
		log('installing the packed package into n8n…');
		await packAndInstallPackage(userFolder);

		log('starting the shop sandbox (WooCommerce and Square)…');
		const sandbox = await startShopSandbox({ squareSignatureKey: SQUARE_SIGNATURE_KEY });
		cleanups.push(() => sandbox.stop());
		const woo = { baseUrl: sandbox.baseUrl };
		const square = { baseUrl: sandbox.baseUrl };

		const template = JSON.parse(readFileSync(join(PROJECT_ROOT, 'workflows', 'points-on-purchase.json'), 'utf8')) as WorkflowJson;
		const webhookIdOf = (source: string) => template.nodes.find((n) => n.type === 'n8n-nodes-loyalty.loyaltyTrigger' && n.parameters.source === source)!.webhookId!;
		const port = options.port ?? (await freePort());
		const baseUrl = `http://127.0.0.1:${port}`;
		const wooUrl = `${baseUrl}/webhook/${webhookIdOf('woocommerce')}/webhook`;
		const squareUrl = `${baseUrl}/webhook/${webhookIdOf('square')}/webhook`;
		const wooSecret = 'woo-webhook-secret-for-e2e-0123456789';

		const storeConfig: StoreConfig = options.postgresSchema
			? { kind: 'postgres', ...POSTGRES, schema: options.postgresSchema }
			: { kind: 'sqlite', path: join(userFolder, '.n8n', 'loyalty.sqlite') };
		const n8nEnvExtra = options.queueMode ? queueModeEnv(options.queueMode) : undefined;
		const credentials = await importCredentials(userFolder, [
			{ name: 'WooCommerce account', type: 'loyaltyWooCommerceApi', data: { shopUrl: woo.baseUrl, consumerKey: 'ck_e2e', consumerSecret: 'cs_e2e', webhookSecret: wooSecret } },
			{ name: 'Square account', type: 'loyaltySquareApi', data: { accessToken: 'EAAA-e2e-token', environment: 'sandbox', signatureKey: SQUARE_SIGNATURE_KEY, notificationUrl: squareUrl, baseUrl: square.baseUrl } },
			...(storeConfig.kind === 'postgres'
				? [{ name: 'Loyalty PostgreSQL', type: 'loyaltyStoreApi', data: { storage: 'postgres', host: storeConfig.host, port: storeConfig.port, database: storeConfig.database, user: storeConfig.user, password: storeConfig.password ?? '', schema: storeConfig.schema, ssl: false } }]
				: []),
		], { env: n8nEnvExtra });
		if (storeConfig.kind === 'postgres') {
			// What the sticky note tells a queue-mode shop to do: the same store credential on every loyalty node.
			for (const node of template.nodes) if (node.type.startsWith('n8n-nodes-loyalty.')) node.credentials = { ...node.credentials, loyaltyStoreApi: { name: 'Loyalty PostgreSQL' } };
		}
		if (options.maxEventsPerRun !== undefined) {
			for (const node of template.nodes) if (node.type === 'n8n-nodes-loyalty.loyaltyEventTrigger') node.parameters = { ...node.parameters, options: { maxEventsPerRun: options.maxEventsPerRun } };
		}
		const workflow = normaliseWorkflow(template, { credentials });
		log('importing and publishing workflows/points-on-purchase.json…');
		await importWorkflow(userFolder, workflow, { env: n8nEnvExtra });
		await publishWorkflow(userFolder, workflow.id!, { env: n8nEnvExtra });
		const extraWorkflows = (options.extraWorkflows ?? []).map((extra) => normaliseWorkflow(extra));
		for (const extra of extraWorkflows) {
			await importWorkflow(userFolder, extra, { env: n8nEnvExtra });
			await publishWorkflow(userFolder, extra.id!, { env: n8nEnvExtra });
		}

		// One Square customer and order for scenarios that post their own payment notifications; the
		// trigger looks both up in the sandbox, which answers with exactly these.
		const squareCustomer = sandbox.square.createCustomer({ given_name: 'Dev', family_name: 'Patel', email_address: 'dev@example.com', birthday: '1990-03-02' });
		const squareOrder = sandbox.square.createOrder({ customer_id: String(squareCustomer.id), line_items: [{ name: 'House beans 1 kg', quantity: '1', base_price_money: { amount: 6400, currency: 'USD' } }] });
		const squareExampleOrderId = String(squareOrder.id);
		const squareExampleCustomerId = String(squareCustomer.id);

		log('starting n8n…');
		const n8n = await startN8n({
			userFolder,
			port,
			install,
			env: { ...n8nEnvExtra, ...options.mainEnv },
			waitForWebhooks: [`${webhookIdOf('woocommerce')}/webhook`, `${webhookIdOf('square')}/webhook`, ...extraWorkflows.flatMap((extra) => webhookPaths(extra))],
		});
		cleanups.push(() => n8n.stop());
		const workers: RunningN8n[] = [];
		for (let i = 0; i < (options.queueMode?.workers ?? 0); i++) {
			log(`starting queue-mode worker ${i + 1}…`);
			const worker = await startN8n({ userFolder, install, env: { ...n8nEnvExtra, ...options.workerEnv }, command: 'worker', logFile: join(userFolder, `worker-${i + 1}.log`) });
			cleanups.push(() => worker.stop());
			workers.push(worker);
		}
		return {
			extraWorkflowIds: extraWorkflows.map((extra) => extra.id!),
			workers,
			n8n,
			userFolder,
			workflowId: workflow.id!,
			storeConfig,
			wooUrl,
			squareUrl,
			wooSecret,
			squareSignatureKey: SQUARE_SIGNATURE_KEY,
			squareExampleOrderId,
			squareExampleCustomerId,
			sandbox,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

function readdirHasNodes(): boolean {
	try {
		return readFileSync(join(PROJECT_ROOT, 'dist', 'nodes', 'AwardPoints', 'AwardPoints.node.js')).length > 0;
	} catch {
		return false;
	}
}
