import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { EventType, type LoyaltyEvent } from '../../../../engine';
import { ledgerResultJson, parseJsonObject } from '../../helpers/utils';
import { earnedResult, type OperationContext, type ReadEarn } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'json',
		default: '={{ $json }}',
		required: true,
		description: 'The event from the Loyalty Trigger. Purchases earn points, refunds take them back, other events pass through unchanged.',
	},
];

const displayOptions = { show: { resource: ['points'], operation: ['applyEvent'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The parameter as written: `={{ $json }}` (the default, and the templates') is the item itself. */
const WHOLE_ITEM = /^=\{\{\s*\$json\s*\}\}$/;

/**
 * The event to apply. For the default `={{ $json }}` the input item is read directly: n8n would
 * evaluate the expression in its sandbox for every item, which costs more CPU than the award.
 */
function eventOf(context: IExecuteFunctions, itemIndex: number): unknown {
	const written = context.getNode().parameters.event;
	if (typeof written === 'string' && WHOLE_ITEM.test(written.trim())) return context.getInputData()[itemIndex]?.json;
	return context.getNodeParameter('event', itemIndex);
}

export async function execute(this: IExecuteFunctions, { ledger, itemIndex, earned }: OperationContext): Promise<IDataObject> {
	const event = parseJsonObject(eventOf(this, itemIndex), 'event') as unknown as LoyaltyEvent;
	const result = earned ? earnedResult(earned) : await ledger.applyEvent(event);
	const about: IDataObject = { eventId: event.id ?? null, eventType: event.type ?? null };
	if (result === null) {
		return {
			...about,
			operation: 'none',
			skipped: true,
			reason: `"${String(event.type)}" events do not change points`,
		};
	}
	return { ...ledgerResultJson(result), ...about, skipped: false };
}

/**
 * A purchase event's order and key, for earning it together with the run's other purchases;
 * undefined for any other event (and for one that cannot be read: applied alone, it says why).
 */
export const readEarn: ReadEarn = function (itemIndex) {
	const event = parseJsonObject(eventOf(this, itemIndex), 'event') as unknown as LoyaltyEvent;
	if (event.type !== EventType.Purchase || !event.order) return undefined;
	return { order: event.order, idempotencyKey: event.idempotencyKey };
};
