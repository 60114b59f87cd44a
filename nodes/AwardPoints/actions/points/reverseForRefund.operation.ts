import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { decimalToMinor, type RefundInput } from '../../../../engine';
import { isoInstant, ledgerResultJson, parseJsonObject } from '../../helpers/utils';
import { optionalIdempotencyKey } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const fieldsMode = { refundInput: ['fields'] };

const properties: INodeProperties[] = [
	{
		displayName: 'Refund Input',
		name: 'refundInput',
		type: 'options',
		options: [
			{ name: 'Fields Below', value: 'fields', description: 'Type or map the refund ID, order ID and amount one by one' },
			{ name: 'JSON', value: 'json', description: 'A whole refund in the loyalty format' },
		],
		default: 'fields',
		description: 'How the refund is given: field by field, or as one JSON object such as the Loyalty Trigger outputs'
	},
	{
		displayName: 'Refund (JSON)',
		name: 'refundJson',
		type: 'json',
		default: '={{ $json.refund ?? $json }}',
		required: true,
		description: 'The refund: source, ID, orderId, amountMinor (in cents), currency, createdAt and an optional reason',
		displayOptions: { show: { refundInput: ['json'] } },
	},
	{
		displayName: 'Refund ID',
		name: 'refundId',
		type: 'string',
		default: '',
		required: true,
		description: 'The refund number in your shop; a refund takes points back once, however often it arrives',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Order ID',
		name: 'orderId',
		type: 'string',
		default: '',
		required: true,
		description: 'The order the money is given back for; its points are taken back in proportion',
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
		description: 'Where the refunded order was placed',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Refund Amount',
		name: 'refundAmount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		description: 'The amount given back, such as 5.00',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'USD',
		description: 'ISO currency code of the refund, such as USD or EUR',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Refunded At',
		name: 'refundedAt',
		type: 'dateTime',
		default: '',
		description: 'When the refund was made. Empty means now.',
		displayOptions: { show: fieldsMode },
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		description: 'Why the money was given back, kept with the ledger entry (optional)',
		displayOptions: { show: fieldsMode },
	},
	optionalIdempotencyKey,
];

const displayOptions = { show: { resource: ['points'], operation: ['reverseForRefund'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	const refund = readRefund.call(this, itemIndex);
	const idempotencyKey = (this.getNodeParameter('idempotencyKey', itemIndex, '') as string).trim();
	const result = await ledger.reverseForRefund(refund, idempotencyKey ? { idempotencyKey } : undefined);
	return ledgerResultJson(result);
}

function readRefund(this: IExecuteFunctions, itemIndex: number): RefundInput {
	if (this.getNodeParameter('refundInput', itemIndex) === 'json') {
		return parseJsonObject(this.getNodeParameter('refundJson', itemIndex), 'refund') as unknown as RefundInput;
	}
	const currency = (this.getNodeParameter('currency', itemIndex) as string).trim().toUpperCase();
	const amount = this.getNodeParameter('refundAmount', itemIndex) as number;
	const reason = (this.getNodeParameter('reason', itemIndex, '') as string).trim();
	return {
		source: this.getNodeParameter('orderSource', itemIndex) as RefundInput['source'],
		id: String(this.getNodeParameter('refundId', itemIndex)).trim(),
		orderId: String(this.getNodeParameter('orderId', itemIndex)).trim(),
		amountMinor: decimalToMinor(amount, currency, 'refund.amountMinor'),
		currency,
		createdAt: isoInstant(this.getNodeParameter('refundedAt', itemIndex, ''), 'refund.createdAt'),
		...(reason ? { reason } : {}),
	};
}
