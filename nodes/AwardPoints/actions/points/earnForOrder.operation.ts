import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { decimalToMinor, type EarnRequest, type OrderInput } from '../../../../engine';
import { customerRefFrom } from '../../../shared/customer';
import { isoInstant, ledgerResultJson, parseJsonObject } from '../../helpers/utils';
import { customerFields, optionalIdempotencyKey } from '../common.descriptions';
import { earnedResult, type OperationContext } from '../node.type';

const fieldsMode = { orderInput: ['fields'] };

const properties: INodeProperties[] = [
	{
		displayName: 'Order Input',
		name: 'orderInput',
		type: 'options',
		options: [
			{ name: 'Fields Below', value: 'fields', description: 'Type or map the order ID, total and customer one by one' },
			{ name: 'JSON', value: 'json', description: 'A whole order in the loyalty format, including lines' },
		],
		default: 'fields',
		description: 'How the order is given: field by field, or as one JSON object such as the Loyalty Trigger outputs'
	},
	{
		displayName: 'Order (JSON)',
		name: 'orderJson',
		type: 'json',
		default: '={{ $json.order ?? $json }}',
		required: true,
		description: 'The order: source, ID, status, placedAt, currency, totalMinor (in cents), lines and customer',
		displayOptions: { show: { orderInput: ['json'] } },
	},
	{
		displayName: 'Order ID',
		name: 'orderId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 1042',
		description: 'The order number in your shop; an order earns once, however often it arrives',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Order Source',
		name: 'orderSource',
		type: 'options',
		options: [
			{ name: 'Other System', value: 'generic', description: 'Your own site, a form or any system that sends JSON' },
			{ name: 'Square', value: 'square', description: 'Square Point of Sale or Square Online' },
			{ name: 'WooCommerce', value: 'woocommerce', description: 'Your WooCommerce web shop' },
		],
		default: 'generic',
		description: 'Where the order was placed; together with the order ID it identifies the order',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Order Status',
		name: 'orderStatus',
		type: 'options',
		options: [
			{ name: 'Cancelled', value: 'cancelled', description: 'Earns nothing; points it earned earlier are taken back' },
			{ name: 'Failed', value: 'failed', description: 'The payment did not go through: earns nothing' },
			{ name: 'Paid', value: 'paid', description: 'The customer has paid: the order earns points' },
			{ name: 'Pending', value: 'pending', description: 'Not paid yet: earns nothing until it is paid' },
			{ name: 'Refunded', value: 'refunded', description: 'Money given back: points it earned are taken back' },
		],
		default: 'paid',
		description: 'Only paid orders earn points',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Order Total',
		name: 'orderTotal',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description: 'The amount the customer paid, such as 12.50',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'USD',
		description: 'ISO currency code of the order, such as USD or EUR',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Placed At',
		name: 'placedAt',
		type: 'dateTime',
		default: '',
		description: 'When the order was placed. Empty means now.',
		displayOptions: { show: fieldsMode },
	},
	...customerFields({ allowCustomerId: false, displayOptions: { show: fieldsMode } }),
	optionalIdempotencyKey,
];

const displayOptions = { show: { resource: ['points'], operation: ['earnForOrder'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { ledger, itemIndex, earned }: OperationContext): Promise<IDataObject> {
	if (earned) return ledgerResultJson(earnedResult(earned));
	const { order, idempotencyKey } = readEarn.call(this, itemIndex);
	const result = await ledger.earnForOrder(order, idempotencyKey ? { idempotencyKey } : undefined);
	return ledgerResultJson(result);
}

/** The item's order and key, for earning it alone or together with the run's other items. */
export const readEarn: (this: IExecuteFunctions, itemIndex: number) => EarnRequest = function (itemIndex) {
	const idempotencyKey = (this.getNodeParameter('idempotencyKey', itemIndex, '') as string).trim();
	return { order: readOrder.call(this, itemIndex), ...(idempotencyKey ? { idempotencyKey } : {}) };
};

function readOrder(this: IExecuteFunctions, itemIndex: number): OrderInput {
	if (this.getNodeParameter('orderInput', itemIndex) === 'json') {
		return parseJsonObject(this.getNodeParameter('orderJson', itemIndex), 'order') as unknown as OrderInput;
	}
	const currency = (this.getNodeParameter('currency', itemIndex) as string).trim().toUpperCase();
	const total = this.getNodeParameter('orderTotal', itemIndex) as number;
	const customer = customerRefFrom(
		this.getNodeParameter('identifyBy', itemIndex) as string,
		this.getNodeParameter('customerValue', itemIndex),
	);
	return {
		source: this.getNodeParameter('orderSource', itemIndex) as OrderInput['source'],
		id: String(this.getNodeParameter('orderId', itemIndex)).trim(),
		status: this.getNodeParameter('orderStatus', itemIndex) as OrderInput['status'],
		placedAt: isoInstant(this.getNodeParameter('placedAt', itemIndex, ''), 'order.placedAt'),
		currency,
		totalMinor: decimalToMinor(total, currency, 'order.totalMinor'),
		lines: [],
		customer: { identities: 'identities' in customer ? customer.identities : {} },
	};
}
