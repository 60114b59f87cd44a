import type { INodeProperties } from 'n8n-workflow';

import { EventType } from '../../engine';

export const EVENT_OPTIONS = [
	{ name: 'Back in Stock', value: EventType.BackInStock, description: 'A product the customer looked at or wish-listed is back in stock (one per customer)' },
	{ name: 'Cart Updated', value: EventType.CartUpdated, description: 'A cart was created or changed (CartFlows, Klaviyo Started Checkout, signed JSON)' },
	{ name: 'Customer Updated', value: EventType.CustomerUpdated, description: 'A customer was created or changed in the shop' },
	{ name: 'Order Updated', value: EventType.OrderUpdated, description: 'An order changed without being paid (pending, cancelled, failed)' },
	{ name: 'Price Dropped', value: EventType.PriceDropped, description: 'A product the customer looked at or wish-listed got cheaper (one per customer)' },
	{ name: 'Product Viewed', value: EventType.ProductViewed, description: 'The customer looked at a product or wish-listed it (Klaviyo Viewed Product, signed JSON)' },
	{ name: 'Purchase', value: EventType.Purchase, description: 'An order was paid' },
	{ name: 'Refund', value: EventType.Refund, description: 'Money was refunded on an order' },
];

export const DEFAULT_MAX_EVENTS_PER_RUN = 20;
export const DEFAULT_POLL_SECONDS = 2;

export const EVENT_TRIGGER_PROPERTIES: INodeProperties[] = [
	{
		displayName:
			'Runs for every event a Loyalty Trigger has recorded from your shop, at least once: if n8n stops or a step fails before the run finishes, the event comes again (within a minute after a crash, later after a failed step), and Award Points, Send Offer and coupons never act twice on one event. A run that ends early on purpose (an If node that stops) counts as finished.',
		name: 'eventTriggerNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_OPTIONS,
		default: [EventType.Purchase],
		required: true,
		description: 'Which recorded events start this workflow',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Max Events per Run',
				name: 'maxEventsPerRun',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 500 },
				default: DEFAULT_MAX_EVENTS_PER_RUN,
				description: 'When many events wait (a busy hour, catching up after a restart), up to this many go into one run, one item each. A retried event always runs alone.',
			},
			{
				displayName: 'Check Every (Seconds)',
				name: 'pollSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 300 },
				default: DEFAULT_POLL_SECONDS,
				description: 'How often to look for events recorded by another n8n process. Events received by this n8n start at once.',
			},
		],
	},
];
