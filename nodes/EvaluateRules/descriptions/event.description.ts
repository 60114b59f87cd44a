import type { INodeProperties } from 'n8n-workflow';

import { customerFields } from '../../shared/customer';
import { TRIGGER_OPTIONS } from './options';

const mapped = { show: { eventInput: ['mapped'] } };

export const eventProperties: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'eventInput',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Event From Loyalty Trigger', value: 'canonical', description: 'Each incoming item is a loyalty event' },
			{ name: 'Map Fields From Any JSON', value: 'mapped', description: 'Say which fields hold the event type, customer and amount' },
		],
		default: 'canonical',
		description: 'Whether the items are events from a loyalty trigger node, or data from anything else such as a form, a sheet or another app',
	},
	{
		displayName: 'Event',
		name: 'event',
		type: 'json',
		default: '={{ $json }}',
		displayOptions: { show: { eventInput: ['canonical'] } },
		description: 'The loyalty event, usually the whole incoming item',
	},
	{
		displayName: 'Event Type',
		name: 'eventType',
		type: 'options',
		options: TRIGGER_OPTIONS,
		default: 'purchase',
		displayOptions: mapped,
		description: 'What happened. Rules listen for one or more of these.',
	},
	{
		displayName: 'Event Key',
		name: 'eventKey',
		type: 'string',
		default: '',
		required: true,
		displayOptions: mapped,
		placeholder: 'e.g. {{ $json.order_id }}',
		description: 'A value that is the same every time this event is sent (an order ID), so a repeat is never counted twice',
	},
	{
		displayName: 'Occurred At',
		name: 'occurredAt',
		type: 'string',
		default: '',
		displayOptions: mapped,
		placeholder: 'e.g. 2026-03-10T15:00:00Z',
		description: 'When it happened (ISO date and time). Empty means now.',
	},
	// A new event needs an identity the shop knows, so the stored customer id is not offered.
	...customerFields({ allowCustomerId: false, displayOptions: mapped }),
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'string',
		default: '',
		displayOptions: mapped,
		placeholder: 'e.g. 49.90',
		description: 'Order or cart value in currency units, if any',
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'USD',
		displayOptions: mapped,
		description: 'The three-letter code of the amount’s currency, such as USD or EUR',
	},
	{
		displayName: 'Categories',
		name: 'categories',
		type: 'string',
		default: '',
		displayOptions: mapped,
		placeholder: 'e.g. coffee, pastries',
		description: 'Product categories in the order or cart, separated by commas',
	},
	{
		displayName: 'Cart Idle Minutes',
		name: 'idleMinutes',
		type: 'number',
		default: 0,
		displayOptions: { show: { eventInput: ['mapped'], eventType: ['cart_updated', 'cart_abandoned'] } },
		description: 'How long the cart has not changed',
	},
];
