/**
 * The seven campaign templates of workflows/ in one real n8n, as a shop would run them side by
 * side: imported from their files, credentials filled in, published, with Klaviyo, Twilio and
 * WooCommerce served by the project's shop sandbox, and the n8n
 * process's wall clock movable (see movableClock.cjs) so "2 hours later" takes no two hours.
 *
 * The only change made to the templates is the schedule trigger's interval (every 2 seconds rather
 * than every minute): a node parameter a shop owner can set the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShopSandbox } from '../../../sandbox';
import { MovableClock } from './movableClock';
import {
	freePort,
	freshN8nWithPackage,
	importCredentials,
	importWorkflow,
	normaliseWorkflow,
	PROJECT_ROOT,
	publishWorkflow,
	startN8n,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import { startVendorMocks, type CountingProxy } from './vendorMocks';

/** points-on-purchase holds the shop's webhooks (the one intake); the campaigns hear its recorded events. */
export const TEMPLATE_FILES = ['points-on-purchase.json', 'cart-abandonment.json', 'win-back.json', 'birthday.json', 'cross-sell.json', 'replenishment.json', 'welcome.json', 'vip-milestone.json'] as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[number];

export const WOO_WEBHOOK_SECRET = 'e2e-woo-webhook-secret-0123456789';
export const GENERIC_SECRET = 'e2e-generic-webhook-secret-0123456789abcdef';
/** The catalogue the WooCommerce sandbox serves. */
export const PRODUCTS = [
	{ id: 201, name: 'House coffee beans 1 kg', sku: 'BEANS-1KG', price: '24.00', categories: ['Coffee'] },
	{ id: 202, name: 'Butter croissant', sku: 'CROISSANT', price: '3.50', categories: ['Pastries'] },
	{ id: 203, name: 'Sencha green tea', sku: 'SENCHA', price: '12.00', categories: ['Tea'] },
	{ id: 204, name: 'Gift card', sku: 'GIFT', price: '25.00', categories: ['Gifts'] },
];

export interface TemplatesEnv {
	n8n: RunningN8n;
	userFolder: string;
	storePath: string;
	clock: MovableClock;
	/** Webhook URL of each Loyalty Trigger, by template file and node name. */
	triggerUrls: Record<TemplateFile, Record<string, string>>;
	workflowIds: Record<TemplateFile, string>;
	klaviyo: CountingProxy;
	twilio: CountingProxy;
	wooCommerce: CountingProxy;
	sandbox: ShopSandbox;
	stop(): Promise<void>;
}

export function loadTemplate(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(PROJECT_ROOT, 'workflows', file), 'utf8')) as WorkflowJson;
}

/** Every template file in workflows/ (the test checks the seven are among them). */
export function templateFiles(): string[] {
	return readdirSync(join(PROJECT_ROOT, 'workflows')).filter((f) => f.endsWith('.json'));
}

export async function startTemplates(options: { startAt: Date; log?: (line: string) => void; pollSeconds?: number }): Promise<TemplatesEnv> {
	const log = options.log ?? (() => undefined);
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	};
	try {
		const { install, userFolder } = await freshN8nWithPackage('loyalty-e2e-templates-', log, cleanups);

		log('starting the shop sandbox (Klaviyo, Twilio, WooCommerce with the catalogue)…');
		const vendors = await startVendorMocks({ products: PRODUCTS });
		cleanups.push(() => vendors.stop());
		const { klaviyo, twilio, wooCommerce } = vendors;

		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const credentials = await importCredentials(userFolder, [...vendors.credentials(WOO_WEBHOOK_SECRET), { name: 'Loyalty webhook secret', type: 'loyaltyGenericWebhookApi', data: { secret: GENERIC_SECRET } }]);

		const triggerUrls = {} as TemplatesEnv['triggerUrls'];
		const workflowIds = {} as TemplatesEnv['workflowIds'];
		const webhookPaths: string[] = [];
		log('importing and publishing points on purchase and the seven campaign templates…');
		for (const file of TEMPLATE_FILES) {
			const template = loadTemplate(file);
			// A WooCommerce-only shop deletes the Square trigger, as the sticky note says.
			template.nodes = template.nodes.filter((node) => !(node.type === 'n8n-nodes-loyalty.loyaltyTrigger' && node.parameters.source === 'square'));
			for (const node of template.nodes) {
				if (node.type === 'n8n-nodes-loyalty.loyaltyScheduleTrigger') node.parameters = { ...node.parameters, checkEvery: options.pollSeconds ?? 2, checkEveryUnit: 'seconds' };
			}
			const workflow = normaliseWorkflow(template, { credentials });
			workflowIds[file] = workflow.id!;
			triggerUrls[file] = {};
			for (const node of workflow.nodes) {
				if (node.type !== 'n8n-nodes-loyalty.loyaltyTrigger') continue;
				triggerUrls[file][node.name] = `${baseUrl}/webhook/${node.webhookId}/webhook`;
				webhookPaths.push(`${node.webhookId}/webhook`);
			}
			await importWorkflow(userFolder, workflow);
			await publishWorkflow(userFolder, workflow.id!);
		}

		const clock = MovableClock.inFolder(userFolder);
		clock.set(options.startAt);
		log('starting n8n…');
		const n8n = await startN8n({ userFolder, port, install, env: clock.env, waitForWebhooks: webhookPaths, timeoutMs: 240_000 });
		cleanups.push(() => n8n.stop());
		return { n8n, userFolder, storePath: join(userFolder, '.n8n', 'loyalty.sqlite'), clock, triggerUrls, workflowIds, klaviyo, twilio, wooCommerce, sandbox: vendors.sandbox, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
