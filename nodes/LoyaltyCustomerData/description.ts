import type { INodeProperties } from 'n8n-workflow';

import { customerFields } from '../shared/customer';

export const CustomerDataOperation = { Export: 'export', Erase: 'erase' } as const;

const showFor = (operation: string[]) => ({ show: { operation } });

export const customerDataProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		description: 'Export what the loyalty store holds about the customer, or erase it',
		options: [
			{
				name: 'Export Customer Data',
				value: CustomerDataOperation.Export,
				action: 'Export everything held about a customer',
				description: 'One item with everything the loyalty store holds about the customer: profile, consent history, points, decisions, messages sent, scores',
			},
			{
				name: 'Erase Customer Data',
				value: CustomerDataOperation.Erase,
				action: 'Erase the personal data of a customer',
				description: 'Remove the customer’s personal data for good; their points and orders stay in the books without their name',
			},
		],
		default: 'export',
	},
	...customerFields({ allowCustomerId: true }),
	{
		displayName:
			'Erasing cannot be undone. The profile, identities, consent history, carts and scores are removed; points, orders and messages stay in the books under an anonymous ID. Later webhooks about this person are not recorded until they sign up again with consent.',
		name: 'eraseNotice',
		type: 'notice',
		default: '',
		displayOptions: showFor([CustomerDataOperation.Erase]),
	},
	{
		displayName: 'Confirm Erase',
		name: 'confirmErase',
		type: 'boolean',
		default: false,
		displayOptions: showFor([CustomerDataOperation.Erase]),
		description: 'Whether to really erase: the node refuses to erase anyone until this is on',
	},
];
