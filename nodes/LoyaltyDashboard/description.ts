import type { INodeProperties } from 'n8n-workflow';

import { programSelector } from '../shared/program';

export const dashboardProperties: INodeProperties[] = [
	{
		displayName:
			'Open the Production URL with ?token= and your access token added (…/dashboard?token=YOUR_TOKEN) and bookmark it. Anyone with that link can read the report: keep it secret. Each view is answered by this node and starts no workflow execution.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	programSelector,
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: [
			{ name: 'Day', value: 'day', description: 'One column per day, to follow the last few weeks closely' },
			{ name: 'Week', value: 'week', description: 'One column per week, to see the last few months at a glance' },
			{ name: 'Month', value: 'month', description: 'One column per month, to compare seasons over a year or more' },
		],
		default: 'week',
		description: 'The size of one column in the charts and tables',
	},
	{
		displayName: 'Number of Periods',
		name: 'periods',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 366 },
		default: 12,
		description: 'How many periods back the report goes',
	},
];
