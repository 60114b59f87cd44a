import { randomUUID } from 'node:crypto';
import type { WorkflowJson } from './n8n';

/** n8n's own Webhook → Set, nothing of ours: the baseline our overhead is measured against. */
export function bareWorkflow(name: string, webhookPath: string): WorkflowJson {
	return {
		name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Set',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [{ id: randomUUID(), name: 'seen', value: '={{ $json.body.n }}', type: 'number' }],
					},
					options: {},
				},
			},
		],
		connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}
