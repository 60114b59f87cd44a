import type { INodeProperties } from 'n8n-workflow';

export const dashboardProperties: INodeProperties[] = [
	{
		displayName:
			'Open the Production URL with ?token= and your access token added (…/dashboard?token=YOUR_TOKEN) and bookmark it. Anyone with that link can read the report: keep it secret. Each view is answered by this node and starts no workflow execution.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Program ID',
		name: 'programId',
		type: 'string',
		default: 'default',
		description: 'The loyalty program to report on; the same ID your Award Points nodes use',
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'USD',
		placeholder: 'USD',
		description: 'ISO 4217 code; money is shown in this currency and orders in other currencies are left out of sums',
	},
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: 'UTC',
		placeholder: 'Europe/Berlin',
		description: 'IANA time zone name; days, weeks and months start in this zone',
	},
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: [
			{ name: 'Day', value: 'day' },
			{ name: 'Week', value: 'week' },
			{ name: 'Month', value: 'month' },
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
	{
		displayName: 'Redemption Value per Point',
		name: 'redemptionValue',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 4 },
		default: 0.01,
		description: 'What one point is worth when redeemed, in the currency (0.01 = one cent). The liability shown is outstanding points × this value.',
	},
	{
		displayName: 'Program Settings (JSON)',
		name: 'programSettings',
		type: 'json',
		default: '{}',
		description: 'Optional: the program’s earn rates and rounding, as given to Award Points, so the page can say why an order earned nothing (e.g. {"earnRates":{"USD":{"points":1,"perMinor":100}}})',
	},
];
