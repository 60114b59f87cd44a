import type { IDisplayOptions, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { LoyaltyError, type CustomerRef } from '../../engine';

/**
 * "Identify Customer By" + "Customer": one block for every node that names a customer, with one
 * default. The parameter names and values are the ones saved workflows and templates already use.
 */
export const IdentifyBy = {
	CustomerId: 'customerId',
	Email: 'email',
	Phone: 'phone',
	Loyalty: 'loyalty',
	Square: 'square',
	WooCommerce: 'woocommerce',
} as const;
export type IdentifyBy = (typeof IdentifyBy)[keyof typeof IdentifyBy];

const CUSTOMER_ID_OPTION: INodePropertyOptions = {
	name: 'Customer ID',
	value: IdentifyBy.CustomerId,
	description: 'The customerId the loyalty nodes output',
};

const IDENTITY_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Email', value: IdentifyBy.Email, description: 'The email address the customer gave the shop' },
	{ name: 'Loyalty ID', value: IdentifyBy.Loyalty, description: 'Your own loyalty or membership number' },
	{ name: 'Phone', value: IdentifyBy.Phone, description: 'E.164 format, such as +14155550123' },
	{ name: 'Square Customer ID', value: IdentifyBy.Square, description: 'The customer’s ID in Square' },
	{ name: 'WooCommerce Customer ID', value: IdentifyBy.WooCommerce, description: 'The customer’s ID in WooCommerce' },
];

export interface CustomerFieldsOptions {
	/**
	 * Whether the stored customer id may name the customer. Not where a new event or order is
	 * recorded: that needs an identity the shop knows (email, phone, a shop's customer id).
	 */
	allowCustomerId: boolean;
	displayOptions?: IDisplayOptions;
	/**
	 * The node's version 1 defaulted to Customer ID with {{ $json.customerId }}. n8n saves only
	 * the values that differ from their default, so nodes saved as version 1 keep those defaults;
	 * from version 1.1 the block has the common default.
	 */
	version1DefaultsToCustomerId?: boolean;
}

/** Email is the default everywhere: it is the one way every variant of the block accepts. */
export const DEFAULT_IDENTIFY_BY = IdentifyBy.Email;

export function customerFields(options: CustomerFieldsOptions): INodeProperties[] {
	if (!options.version1DefaultsToCustomerId) return block(options);
	const atVersion = (version: unknown[]) => ({ ...options.displayOptions, show: { ...options.displayOptions?.show, '@version': version } }) as IDisplayOptions;
	const version1 = block({ ...options, displayOptions: atVersion([1]) });
	version1[0].default = IdentifyBy.CustomerId;
	version1[1].default = '={{ $json.customerId }}';
	return [...version1, ...block({ ...options, displayOptions: atVersion([{ _cnd: { gte: 1.1 } }]) })];
}

function block({ allowCustomerId, displayOptions }: CustomerFieldsOptions): INodeProperties[] {
	const shown = displayOptions ? { displayOptions } : {};
	return [
		{
			displayName: 'Identify Customer By',
			name: 'identifyBy',
			type: 'options',
			options: allowCustomerId ? [CUSTOMER_ID_OPTION, ...IDENTITY_OPTIONS] : IDENTITY_OPTIONS,
			default: DEFAULT_IDENTIFY_BY,
			description: allowCustomerId
				? 'Which identity the value below is. After another loyalty node, Customer ID with {{ $json.customerId }} is the surest.'
				: 'Which identity the value below is',
			...shown,
		},
		{
			displayName: 'Customer',
			name: 'customerValue',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. name@email.com',
			description: 'The email, phone or ID of the customer, usually an expression that reads it from the incoming item',
			...shown,
		},
	];
}

/** "Identify Customer By" + value → the engine's customer reference; a bad value names the field. */
export function customerRefFrom(identifyBy: string, value: unknown): CustomerRef {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!text) throw LoyaltyError.invalid('customer', 'the customer value is empty');
	if (identifyBy === IdentifyBy.CustomerId) return { customerId: text };
	if (!isIdentityKind(identifyBy)) throw LoyaltyError.invalid('customer', `"${identifyBy}" is not a way to identify a customer`);
	return { identities: { [identifyBy]: text } };
}

function isIdentityKind(value: string): value is Exclude<IdentifyBy, 'customerId'> {
	return (Object.values(IdentifyBy) as string[]).includes(value) && value !== IdentifyBy.CustomerId;
}

/** The item's customer, as the block's two parameters name it. */
export function readCustomerRef(this: IExecuteFunctions, itemIndex: number): CustomerRef {
	return customerRefFrom(this.getNodeParameter('identifyBy', itemIndex) as string, this.getNodeParameter('customerValue', itemIndex));
}
