import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';


export { customerFields, readCustomerRef } from '../../shared/customer';

/**
 * Redeem and adjust must be idempotent: a retried execution or a duplicate delivery must not move
 * points twice. The key therefore comes from the input (the event or request that asked for the
 * change), never from the execution id or a random value, which differ on every retry.
 */
export const requiredIdempotencyKey: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '={{ $json.id }}',
	required: true,
	description: 'A value unique to this one change of points. Running the node again with the same key changes nothing and returns the first result.',
	hint: 'Taken from the incoming item (its id) so that a retried or duplicated run cannot move points twice. Do not use the execution ID or a random value: they change on every retry.',
};

/** Approval Key, Decided By and Reason: what the owner fills in to approve or decline held points. */
export function heldDecisionFields(verb: 'approve' | 'decline'): INodeProperties[] {
	return [
		{
			displayName: 'Approval Key',
			name: 'approvalKey',
			type: 'string',
			default: '={{ $json.held?.approvalKey ?? $json.approvalKey }}',
			required: true,
			placeholder: 'e.g. held:woocommerce:order:1234:paid',
			description: `Which held points to ${verb}: the approvalKey shown by List Held Points, or by Earn for Order when it held an order's points`,
			hint: 'Points are held when one order would earn more than Max Points Per Order (set in the Loyalty Program node), for example a mistyped total. Nothing is given until you decide.',
		},
		{
			displayName: 'Decided By',
			name: 'decidedBy',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Maria (owner)',
			description: 'Who made the decision; kept with the held points so you can see it later',
		},
		{
			displayName: 'Reason',
			name: 'reason',
			type: 'string',
			default: '',
			placeholder: verb === 'approve' ? 'e.g. Real wholesale order, checked with the customer' : 'e.g. Test order, total was mistyped',
			description: 'Why; kept with the held points',
		},
	];
}

export function readHeldDecision(this: IExecuteFunctions, itemIndex: number): { approvalKey: string; decidedBy: string; reason?: string } {
	const reason = String(this.getNodeParameter('reason', itemIndex, '') ?? '').trim();
	return {
		approvalKey: String(this.getNodeParameter('approvalKey', itemIndex) ?? '').trim(),
		decidedBy: String(this.getNodeParameter('decidedBy', itemIndex) ?? '').trim(),
		...(reason ? { reason } : {}),
	};
}

export const optionalIdempotencyKey: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	description: 'Leave empty to derive it from the order or refund, which is what you want in almost every case',
};

