import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { referralOffers, type LoyaltyEvent } from '../../../../engine';
import { parseJsonObject } from '../../helpers/utils';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'json',
		default: '={{ $json }}',
		required: true,
		description: 'The purchase or refund from the Loyalty Trigger. A paid order carrying a friend’s referral code rewards both; a refund inside the return window cancels the rewards; anything else changes nothing.',
		hint: 'Rewards, return window and limits are set once in the Loyalty Program node (Referral settings)',
	},
];

const displayOptions = { show: { resource: ['referral'], operation: ['rewardReferral'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { referrals, itemIndex }: OperationContext): Promise<IDataObject> {
	const event = parseJsonObject(this.getNodeParameter('event', itemIndex), 'event') as unknown as LoyaltyEvent;
	const about: IDataObject = { eventId: event.id ?? null, eventType: event.type ?? null, programId: referrals.programId };
	const outcome = await referrals.applyEvent(event);
	if (outcome === null) return { ...about, operation: 'rewardReferral', referral: { status: 'unchanged', message: `"${String(event.type)}" events are no referral` } };
	const offers = referralOffers(outcome);
	// The offers for Send Offer (the friend's welcome, the advocate's note), when the referral was rewarded.
	return { ...about, operation: 'rewardReferral', referral: outcome as unknown as IDataObject, ...(offers ? { friendOffer: offers.friend as IDataObject, advocateOffer: offers.advocate as IDataObject } : {}) };
}
