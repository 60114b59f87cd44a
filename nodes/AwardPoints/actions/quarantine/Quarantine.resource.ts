import type { INodeProperties } from 'n8n-workflow';

import * as discard from './discard.operation';
import * as list from './list.operation';
import * as replay from './replay.operation';
import * as retryParked from './retryParked.operation';

export { discard, list, replay, retryParked };

/**
 * Shop deliveries that did not become points: signed webhooks kept in quarantine (a wrong field,
 * an unknown currency…) and recorded events whose workflow runs kept failing (parked). Here
 * because they are, for the owner, "orders that earned nothing".
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['quarantine'] } },
		options: [
			{
				name: 'Discard Delivery',
				value: 'discard',
				description: 'Keep a quarantined delivery on record but stop counting it (a test order, a duplicate you fixed by hand)',
				action: 'Discard a quarantined delivery',
			},
			{
				name: 'List Deliveries',
				value: 'list',
				description: 'Deliveries from your shop that could not be processed, and events whose runs kept failing, with the reason',
				action: 'List quarantined deliveries',
			},
			{
				name: 'Replay Delivery',
				value: 'replay',
				description: 'Send a quarantined delivery through its Loyalty Trigger again, after you fixed a setting or updated the package',
				action: 'Replay a quarantined delivery',
			},
			{
				name: 'Retry Failed Runs',
				value: 'retryParked',
				description: 'Run recorded events again whose workflow runs failed eight times',
				action: 'Retry failed runs',
			},
		],
		default: 'list',
		description: 'What to do with deliveries that could not be processed',
	},
	...list.description,
	...replay.description,
	...discard.description,
	...retryParked.description,
];
