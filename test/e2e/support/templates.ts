/**
 * The seven campaign templates of workflows/ in one real n8n, as a shop would run them side by
 * side: imported from their files, credentials filled in, published, with Klaviyo, Twilio and
 * WooCommerce served by the project's shop sandbox, and the n8n
 * process's wall clock movable (see movableClock.cjs) so "2 hours later" takes no two hours.
 *
 * The only change made to the templates is the schedule trigger's interval (every 2 seconds rather
 * than every minute): a node parameter a shop owner can set the same way. A WooCommerce-only shop
 * deletes Points on purchase's Square trigger; a shop with Square at the counter keeps it, with a
 * Square credential aimed at the sandbox (`square: true`: the templates suite and the demo).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ShopSandbox } from '../../../sandbox';
import { MovableClock } from './movableClock';
import {
	freePort,
	freshN8nWithPackage,
	importCredentials,
	importWorkflows,
	normaliseWorkflow,
	PROJECT_ROOT,
	publishWorkflow,
	startN8n,
	type CredentialJson,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import { startVendorMocks, type CountingProxy } from './vendorMocks';

/** points-on-purchase holds the shop's webhooks (the one intake); the campaigns hear its recorded events. */
export const TEMPLATE_FILES = ['points-on-purchase.json', 'cart-abandonment.json', 'win-back.json', 'birthday.json', 'cross-sell.json', 'replenishment.json', 'welcome.json', 'vip-milestone.json'] as const;
/** Templates a suite of their own drives (test/e2e/referral.test.ts), through `StartTemplatesOptions.templates`. */
export const REFERRAL_TEMPLATE_FILES = ['referral.json'] as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[number] | (typeof REFERRAL_TEMPLATE_FILES)[number];

export const WOO_WEBHOOK_SECRET = 'e2e-woo-webhook-secret-0123456789';
export const GENERIC_SECRET = 'e2e-generic-webhook-secret-0123456789abcdef';
/** The catalogue the WooCommerce sandbox serves. */
export const PRODUCTS = [
	{ id: 201, name: 'House coffee beans 1 kg', sku: 'BEANS-1KG', price: '24.00', categories: ['Coffee'] },
	{ id: 202, name: 'Butter croissant', sku: 'CROISSANT', price: '3.50', categories: ['Pastries'] },
	{ id: 203, name: 'Sencha green tea', sku: 'SENCHA', price: '12.00', categories: ['Tea'] },
	{ id: 204, name: 'Gift card', sku: 'GIFT', price: '25.00', categories: ['Gifts'] },
];

/** The key the sandbox's Square webhook subscriptions sign with; the Square credential holds the same. */
export const SQUARE_SIGNATURE_KEY = 'e2e-square-signature-key-templates-0123';

export interface StartTemplatesOptions {
	/** Where n8n's clock starts. */
	startAt: Date;
	log?: (line: string) => void;
	/** The schedule triggers' interval in seconds (2 unless told). */
	pollSeconds?: number;
	/** Keep Points on purchase's Square trigger and connect it to the sandbox's Square (a shop with a Square counter). */
	square?: boolean;
	/** The clock's offset file (default: in the n8n user folder); a caller that moves its own process with it names it up front. */
	clockFile?: string;
	/** Publish workflows/dashboard.json too, with this access token and the shop's time zone (the demo). */
	dashboard?: { token: string; timeZone: string };
	/**
	 * What the shop had before the loyalty workflows were published (its catalogue, customers, past
	 * orders): run with the clock at `startAt`, before n8n starts, so no webhook subscription exists
	 * yet and nothing of it is notified.
	 */
	seedShop?: (sandbox: ShopSandbox) => void | Promise<void>;
	/** Which templates to publish (all of TEMPLATE_FILES unless told; points-on-purchase holds the webhooks), plus any other file of workflows/. */
	templates?: readonly string[];
	/** What the owner changes in a template after importing it (a setting, a deleted trigger), before it is published. */
	adjust?: (file: string, template: WorkflowJson) => void;
}

export interface TemplatesEnv {
	n8n: RunningN8n;
	userFolder: string;
	storePath: string;
	clock: MovableClock;
	/** Webhook URL of each Loyalty Trigger, by template file and node name. */
	triggerUrls: Record<TemplateFile, Record<string, string>>;
	workflowIds: Record<TemplateFile, string>;
	/** The workflows with a Loyalty Schedule Trigger (their looks are in the n8n log, see `scheduleLooks`). */
	scheduledWorkflowIds: string[];
	klaviyo: CountingProxy;
	twilio: CountingProxy;
	wooCommerce: CountingProxy;
	sandbox: ShopSandbox;
	/** The owner's page with its token, when `dashboard` was asked for. */
	dashboardUrl?: string;
	stop(): Promise<void>;
}

export function loadTemplate(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(PROJECT_ROOT, 'workflows', file), 'utf8')) as WorkflowJson;
}

/** Every template file in workflows/ (the test checks the seven are among them). */
export function templateFiles(): string[] {
	return readdirSync(join(PROJECT_ROOT, 'workflows')).filter((f) => f.endsWith('.json'));
}

export async function startTemplates(options: StartTemplatesOptions): Promise<TemplatesEnv> {
	const log = options.log ?? (() => undefined);
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	};
	try {
		const { install, userFolder } = await freshN8nWithPackage('loyalty-e2e-templates-', log, cleanups);

		log(`starting the shop sandbox (Klaviyo, Twilio, WooCommerce with the catalogue${options.square ? ', Square' : ''})…`);
		const vendors = await startVendorMocks({ products: PRODUCTS, ...(options.square ? { squareSignatureKey: SQUARE_SIGNATURE_KEY } : {}) });
		cleanups.push(() => vendors.stop());
		const { klaviyo, twilio, wooCommerce } = vendors;

		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const square = options.square ? [squareCredential(`${baseUrl}/webhook/${squareTriggerOf(loadTemplate('points-on-purchase.json'))!.webhookId}/webhook`, vendors.sandbox.baseUrl)] : [];
		const dashboardAccess: CredentialJson[] = options.dashboard ? [{ name: 'Loyalty dashboard access', type: 'loyaltyDashboardApi', data: { token: options.dashboard.token } }] : [];
		const credentials = await importCredentials(userFolder, [...vendors.credentials(WOO_WEBHOOK_SECRET), ...square, ...dashboardAccess, { name: 'Loyalty webhook secret', type: 'loyaltyGenericWebhookApi', data: { secret: GENERIC_SECRET } }]);

		const triggerUrls = {} as TemplatesEnv['triggerUrls'];
		const workflowIds = {} as TemplatesEnv['workflowIds'];
		const scheduledWorkflowIds: string[] = [];
		const webhookPaths: string[] = [];
		const workflows: WorkflowJson[] = [];
		log('importing and publishing points on purchase and the seven campaign templates…');
		for (const file of (options.templates ?? TEMPLATE_FILES) as readonly TemplateFile[]) {
			const template = loadTemplate(file);
			options.adjust?.(file, template);
			// A WooCommerce-only shop deletes the Square trigger, as the sticky note says.
			if (!options.square) template.nodes = template.nodes.filter((node) => node !== squareTriggerOf(template));
			for (const node of template.nodes) {
				if (node.type === 'n8n-nodes-loyalty.loyaltyScheduleTrigger') node.parameters = { ...node.parameters, checkEvery: options.pollSeconds ?? 2, checkEveryUnit: 'seconds' };
			}
			const workflow = normaliseWorkflow(template, { credentials });
			workflowIds[file] = workflow.id!;
			if (workflow.nodes.some((node) => node.type === 'n8n-nodes-loyalty.loyaltyScheduleTrigger')) scheduledWorkflowIds.push(workflow.id!);
			triggerUrls[file] = {};
			for (const node of workflow.nodes) {
				if (node.type !== 'n8n-nodes-loyalty.loyaltyTrigger') continue;
				triggerUrls[file][node.name] = `${baseUrl}/webhook/${node.webhookId}/webhook`;
				webhookPaths.push(`${node.webhookId}/webhook`);
			}
			workflows.push(workflow);
		}
		let dashboardPath: string | undefined;
		if (options.dashboard) {
			const template = loadTemplate('dashboard.json');
			// The owner's one change: the shop's time zone, so "today" on the page is the shop's day.
			for (const node of template.nodes) if (node.type === 'n8n-nodes-loyalty.loyaltyDashboard') node.parameters = { ...node.parameters, timeZone: options.dashboard.timeZone };
			const dashboard = normaliseWorkflow(template, { credentials });
			dashboardPath = `${dashboard.nodes.find((node) => node.type === 'n8n-nodes-loyalty.loyaltyDashboard')!.webhookId}/dashboard`;
			workflows.push(dashboard);
		}
		await importWorkflows(userFolder, workflows);
		for (const workflow of workflows) await publishWorkflow(userFolder, workflow.id!);

		const clock = options.clockFile ? new MovableClock(options.clockFile) : MovableClock.inFolder(userFolder);
		clock.set(options.startAt);
		await options.seedShop?.(vendors.sandbox);
		log('starting n8n…');
		// Debug level: the schedule triggers say in the log each time they looked, which the suite waits for.
		const n8n = await startN8n({ userFolder, port, install, env: { ...clock.env, N8N_LOG_LEVEL: 'debug' }, waitForWebhooks: webhookPaths, timeoutMs: 240_000 });
		cleanups.push(() => n8n.stop());
		let dashboardUrl: string | undefined;
		if (dashboardPath && options.dashboard) {
			await n8n.waitForWebhook(`${baseUrl}/webhook/${dashboardPath}`, { method: 'GET', timeoutMs: 60_000 });
			dashboardUrl = `${baseUrl}/webhook/${dashboardPath}?token=${options.dashboard.token}`;
		}
		return { n8n, userFolder, storePath: join(userFolder, '.n8n', 'loyalty.sqlite'), clock, triggerUrls, workflowIds, scheduledWorkflowIds, klaviyo, twilio, wooCommerce, sandbox: vendors.sandbox, dashboardUrl, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** A schedule trigger's look, as the node logs it at debug level: which workflow looked, as of which moment of n8n's clock. */
export interface ScheduleLook {
	workflowId: string;
	asOf: number;
}

/** The n8n log written after byte `offset` (at debug level the whole log grows too large to re-read every probe). */
export function logFrom(file: string, offset: number): string {
	const size = statSync(file).size;
	if (size <= offset) return '';
	const buffer = Buffer.alloc(size - offset);
	const fd = openSync(file, 'r');
	try {
		readSync(fd, buffer, 0, buffer.length, offset);
	} finally {
		closeSync(fd);
	}
	return buffer.toString('utf8');
}

/** The schedule triggers' looks in (a part of) the n8n log. */
export function scheduleLooks(log: string): ScheduleLook[] {
	return [...log.matchAll(/Loyalty Schedule Trigger looked for due events as of (\S+): \d+ due \(workflow (\S+), node/g)].map((m) => ({ workflowId: m[2], asOf: Date.parse(m[1]) }));
}

function squareTriggerOf(template: WorkflowJson): WorkflowJson['nodes'][number] | undefined {
	return template.nodes.find((node) => node.type === 'n8n-nodes-loyalty.loyaltyTrigger' && node.parameters.source === 'square');
}

/** Square as the sandbox serves it; `notificationUrl` is the Square trigger's URL, which notifications are signed for. */
function squareCredential(notificationUrl: string, sandboxUrl: string): CredentialJson {
	return { name: 'Square account', type: 'loyaltySquareApi', data: { accessToken: 'EAAA-e2e-token', environment: 'sandbox', signatureKey: SQUARE_SIGNATURE_KEY, notificationUrl, baseUrl: sandboxUrl } };
}
