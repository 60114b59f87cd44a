import type { INodeProperties } from 'n8n-workflow';

import * as adjust from './adjust.operation';
import * as applyEvent from './applyEvent.operation';
import * as applyRuleDecision from './applyRuleDecision.operation';
import * as approveHeld from './approveHeld.operation';
import * as declineHeld from './declineHeld.operation';
import * as earnForOrder from './earnForOrder.operation';
import * as listHeld from './listHeld.operation';
import * as redeem from './redeem.operation';
import * as reverseForRefund from './reverseForRefund.operation';

export { adjust, applyEvent, applyRuleDecision, approveHeld, declineHeld, earnForOrder, listHeld, redeem, reverseForRefund };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['points'] } },
		options: [
			{
				name: 'Adjust',
				value: 'adjust',
				description: 'Add or take away points by hand, with a reason',
				action: 'Adjust points',
			},
			{
				name: 'Apply Event',
				value: 'applyEvent',
				description: 'Earn on a purchase or take back on a refund, straight from the Loyalty Trigger',
				action: 'Apply a loyalty event',
			},
			{
				name: 'Apply Rule Decision',
				value: 'applyRuleDecision',
				description: 'Give the bonus points and tier an Evaluate Rules decision carries',
				action: 'Apply a rule decision',
			},
			{
				name: 'Approve Held Points',
				value: 'approveHeld',
				description: 'Give the points of an unusually large order that were held for your approval',
				action: 'Approve held points',
			},
			{
				name: 'Decline Held Points',
				value: 'declineHeld',
				description: 'Refuse the points of an unusually large order that were held; nothing is given',
				action: 'Decline held points',
			},
			{
				name: 'Earn for Order',
				value: 'earnForOrder',
				description: 'Give points for a paid order',
				action: 'Earn points for an order',
			},
			{
				name: 'List Held Points',
				value: 'listHeld',
				description: 'See the orders whose points wait for your approval because they were above Max Points Per Order',
				action: 'List held points',
			},
			{
				name: 'Redeem',
				value: 'redeem',
				description: 'Spend available points, for example for a coupon',
				action: 'Redeem points',
			},
			{
				name: 'Reverse for Refund',
				value: 'reverseForRefund',
				description: 'Take back the points of a refunded amount',
				action: 'Reverse points for a refund',
			},
		],
		default: 'applyEvent',
		description: 'What to do in the points ledger',
	},
	...applyEvent.description,
	...applyRuleDecision.description,
	...earnForOrder.description,
	...reverseForRefund.description,
	...redeem.description,
	...adjust.description,
	...approveHeld.description,
	...declineHeld.description,
	...listHeld.description,
];
