import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { LoyaltyError, TRANSACTION_MODELS, type TransactionModelName } from '../../../engine';
import type { LoyaltyStore } from './node.type';

export const customerFields: INodeProperties[] = [
	{
		displayName: 'Identify Customer By',
		name: 'identifyBy',
		type: 'options',
		options: [
			{ name: 'Customer ID', value: 'customerId', description: 'The customerId the loyalty nodes output' },
			{ name: 'Email', value: 'email' },
			{ name: 'Loyalty ID', value: 'loyalty', description: 'Your own loyalty or membership number' },
			{ name: 'Phone', value: 'phone', description: 'E.164 format, such as +14155550123' },
			{ name: 'Square Customer ID', value: 'square' },
			{ name: 'WooCommerce Customer ID', value: 'woocommerce' },
		],
		default: 'customerId',
		description: 'Which identity the value below is',
	},
	{
		displayName: 'Customer',
		name: 'customerValue',
		type: 'string',
		default: '={{ $json.customerId }}',
		required: true,
		description: 'The ID, email or phone of the customer, usually an expression that reads it from the incoming item',
	},
];

/** The stored customer id for "Identify Customer By" + value; a customer never seen is an error naming the field. */
export async function readCustomerId(this: IExecuteFunctions, store: LoyaltyStore, itemIndex: number): Promise<string> {
	const identifyBy = this.getNodeParameter('identifyBy', itemIndex) as string;
	const raw = this.getNodeParameter('customerValue', itemIndex);
	const value = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (!value) throw LoyaltyError.invalid('customer', 'the customer value is empty');
	const customer = identifyBy === 'customerId'
		? await store.findCustomer({ customerId: value })
		: await store.findCustomer({ identities: { [identifyBy]: value } });
	if (!customer) throw LoyaltyError.notFound('customer', `no customer with ${identifyBy} "${value}" in the loyalty store`);
	return customer.id;
}

export const insightSettings: INodeProperties = {
	displayName: 'Settings',
	name: 'insightSettings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	description: 'Which program and currency to look at, and on which day',
	options: [
		{
			displayName: 'As Of Date',
			name: 'asOf',
			type: 'string',
			default: '',
			placeholder: 'e.g. 2026-01-31',
			description: 'Take the picture as it was at the end of this day (YYYY-MM-DD). Empty means today (UTC).',
		},
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			default: 'USD',
			description: 'Only orders in this currency count toward spend and value',
		},
		{
			displayName: 'Prediction Model',
			name: 'model',
			type: 'options',
			options: [
				{ name: 'BG/NBD', value: 'bgnbd', description: 'Fast and robust; treats every one-time buyer as still active' },
				{ name: 'MBG/NBD', value: 'mbgnbd', description: 'Like BG/NBD, but a one-time buyer may already be gone' },
				{ name: 'Pareto/NBD', value: 'pareto-nbd', description: 'The classic model; slower to fit' },
			],
			default: 'bgnbd',
			description: 'Used when the models are fitted; scoring reuses the last fitted model',
		},
		{
			displayName: 'Program ID',
			name: 'programId',
			type: 'string',
			default: 'default',
			description: 'Keeps separate programs (for example two brands) apart in one store',
		},
	],
};

export interface InsightSettings {
	asOf: string;
	currency: string;
	model: TransactionModelName;
	programId: string;
}

export function readSettings(this: IExecuteFunctions, itemIndex: number, today: () => Date = () => new Date()): InsightSettings {
	const settings = this.getNodeParameter('insightSettings', itemIndex, {}) as IDataObject;
	const asOf = typeof settings.asOf === 'string' && settings.asOf.trim() ? settings.asOf.trim() : today().toISOString().slice(0, 10);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw LoyaltyError.invalid('asOf', `"${asOf}" is not a date like 2026-01-31`);
	const model = (typeof settings.model === 'string' ? settings.model : 'bgnbd') as TransactionModelName;
	if (!TRANSACTION_MODELS.includes(model)) throw LoyaltyError.invalid('model', `"${model}" is not a prediction model`);
	const currency = (typeof settings.currency === 'string' && settings.currency.trim() ? settings.currency.trim() : 'USD').toUpperCase();
	const programId = typeof settings.programId === 'string' && settings.programId.trim() ? settings.programId.trim() : 'default';
	return { asOf, currency, model, programId };
}
