/**
 * A real n8n with Send Offer wired up: n8n's own Webhook node hands a posted decision to Send Offer,
 * and a Loyalty Trigger in Twilio mode takes inbound SMS. Klaviyo (events and profiles), Twilio and
 * WooCommerce are the project's shop sandbox, which records what reached each vendor — the only
 * way to prove a replay made no call.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
	freePort,
	freshN8nWithPackage,
	importCredentials,
	importWorkflow,
	normaliseWorkflow,
	publishWorkflow,
	startN8n,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import { changeProgram, openStore } from '../../../engine';
import type { ShopSandbox } from '../../../sandbox';
import { startVendorMocks, type CountingProxy } from './vendorMocks';

export { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, type CountingProxy, type VendorRequest } from './vendorMocks';

const DECISION_PATH = 'offer-decision';
const TRIGGER_WEBHOOK_ID = 'c7a4f1d2-3b5e-4c6a-9d8f-0e1a2b3c4d5e';

export const OFFER_TEMPLATES = [
	{
		id: 'coffee-10',
		metricName: 'Loyalty Offer: Coffee',
		emailSubject: '{{firstName}}, 10% off your favourite beans',
		emailBody: 'Hi {{firstName}}, use {{couponCode}} by {{couponExpiresAt}}.{{#points}} You have {{points}} points.{{/points}}',
		smsBody: '{{firstName}}, your {{favouriteCategory}} are running low: 10% off with {{couponCode}}.',
	},
];

export interface SendOfferEnv {
	n8n: RunningN8n;
	userFolder: string;
	/** The workflow Webhook → Send Offer. */
	offerWorkflowId: string;
	/** Where a decision is posted. */
	decisionUrl: string;
	/** Loyalty Trigger (Twilio mode): the URL a shop owner pastes into Twilio. */
	twilioTriggerUrl: string;
	storePath: string;
	klaviyo: CountingProxy;
	twilio: CountingProxy;
	wooCommerce: CountingProxy;
	sandbox: ShopSandbox;
	stop(): Promise<void>;
}

export interface DeliverySettings {
	programTimeZone: string;
	emailGapHours: number;
	smsGapHours: number;
	maxPerDay: number;
	maxPerWeek: number;
	rewardsPerDay: number;
}

function offerWorkflow(statusCallbackUrl: string): WorkflowJson {
	return {
		name: 'E2E: decision → Send Offer',
		nodes: [
			{
				id: randomUUID(),
				name: 'Decision in',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'a3e9c2f0-6d41-4b8e-9f17-2c5d8e0b7a64',
				parameters: { httpMethod: 'POST', path: DECISION_PATH, responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Send Offer',
				type: 'n8n-nodes-loyalty.sendOffer',
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					resource: 'offer',
					operation: 'send',
					decision: '={{ $json.body }}',
					templates: JSON.stringify(OFFER_TEMPLATES),
					personalFields: JSON.stringify({ points: 450, favouriteCategory: 'beans' }),
					email: true,
					sms: true,
					couponShop: 'woocommerce',
					delivery: { statusCallbackUrl },
				},
				credentials: {
					loyaltyKlaviyoApi: { name: 'Klaviyo account' },
					loyaltyTwilioApi: { name: 'Twilio account' },
					loyaltyWooCommerceApi: { name: 'WooCommerce account' },
				},
			},
		],
		connections: { 'Decision in': { main: [[{ node: 'Send Offer', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

function twilioTriggerWorkflow(): WorkflowJson {
	return {
		name: 'E2E: Twilio replies',
		nodes: [
			{
				id: randomUUID(),
				name: 'Twilio replies',
				type: 'n8n-nodes-loyalty.loyaltyTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: TRIGGER_WEBHOOK_ID,
				parameters: { source: 'twilio' },
				credentials: { loyaltyTwilioApi: { name: 'Twilio account' } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

export async function startSendOffer(options: { log?: (line: string) => void; delivery: DeliverySettings }): Promise<SendOfferEnv> {
	const log = options.log ?? (() => undefined);
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	};
	try {
		const { install, userFolder } = await freshN8nWithPackage('loyalty-e2e-offer-', log, cleanups);

		log('starting the shop sandbox (Klaviyo, Twilio, WooCommerce)…');
		const vendors = await startVendorMocks();
		cleanups.push(() => vendors.stop());
		const { klaviyo, twilio, wooCommerce } = vendors;

		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const twilioTriggerUrl = `${baseUrl}/webhook/${TRIGGER_WEBHOOK_ID}/webhook`;
		const credentials = await importCredentials(userFolder, vendors.credentials('unused-in-this-test'));
		const offer = normaliseWorkflow(offerWorkflow(twilioTriggerUrl), { credentials });
		const trigger = normaliseWorkflow(twilioTriggerWorkflow(), { credentials });
		log('importing and publishing the Send Offer and Twilio workflows…');
		for (const workflow of [offer, trigger]) {
			await importWorkflow(userFolder, workflow);
			await publishWorkflow(userFolder, workflow.id!);
		}
		await mkdir(join(userFolder, '.n8n'), { recursive: true });
		// Quiet hours and caps are the program's: the shop owner sets them once, before n8n runs.
		const store = await openStore({ kind: 'sqlite', path: join(userFolder, '.n8n', 'loyalty.sqlite') });
		try {
			const { programTimeZone, ...caps } = options.delivery;
			await changeProgram(store, 'default', { timeZone: programTimeZone, delivery: caps }, { defaultTimeZone: programTimeZone, source: 'e2e: the shop owner' });
		} finally {
			await store.close();
		}

		log('starting n8n…');
		const n8n = await startN8n({ userFolder, port, install, waitForWebhooks: [DECISION_PATH, `${TRIGGER_WEBHOOK_ID}/webhook`], timeoutMs: 240_000 });
		cleanups.push(() => n8n.stop());
		return {
			n8n,
			userFolder,
			offerWorkflowId: offer.id!,
			decisionUrl: `${baseUrl}/webhook/${DECISION_PATH}`,
			twilioTriggerUrl,
			storePath: join(userFolder, '.n8n', 'loyalty.sqlite'),
			klaviyo,
			twilio,
			wooCommerce,
			sandbox: vendors.sandbox,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
