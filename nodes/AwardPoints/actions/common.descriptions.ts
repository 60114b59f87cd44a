import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { programFromSettings, type ProgramSettings } from '../helpers/utils';
import type { ProgramInput } from '../../../engine';

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
			hint: 'Points are held when one order would earn more than Max Points Per Order (Program Settings), for example a mistyped total. Nothing is given until you decide.',
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

export const programSettings: INodeProperties = {
	displayName: 'Program Settings',
	name: 'programSettings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	description: 'How your loyalty program works. Use the same settings in every Award Points node of one program.',
	options: [
		{
			displayName: 'Allow Negative Balance',
			name: 'allowNegativeBalance',
			type: 'boolean',
			default: false,
			description: 'Whether a redemption or adjustment may take the balance below zero',
		},
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			default: 'USD',
			description: 'ISO currency code your points rate is for, such as USD or EUR. Orders in another currency earn nothing and say why.',
		},
		{
			displayName: 'Expiry',
			name: 'expiry',
			type: 'options',
			options: [
				{
					name: 'After N Days of Inactivity',
					value: 'inactivity',
					description: 'All points expire when the customer has not earned or redeemed for Expiry Days',
				},
				{
					name: 'End of Month After N Months',
					value: 'end_of_month_after',
					description: 'Points earned in a month expire at the end of the month Expiry Months later',
				},
				{
					name: 'N Days After Earning',
					value: 'days_after_earn',
					description: 'Each earning expires Expiry Days after it became available',
				},
				{ name: 'Never', value: 'never' },
			],
			default: 'never',
		},
		{
			displayName: 'Expiry Days',
			name: 'expiryDays',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 365,
			description: 'Used by "N Days After Earning" and "After N Days of Inactivity"',
		},
		{
			displayName: 'Expiry Months',
			name: 'expiryMonths',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 12,
			description: 'Used by "End of Month After N Months"',
		},
		{
			displayName: 'Max Points Per Order',
			name: 'maxPointsPerOrder',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5000,
			description: 'The most points one order can earn by itself. A bigger order earns nothing until you approve it (Approve Held Points), so a mistyped or test total cannot give away a fortune. 0 means no limit.',
		},
		{
			displayName: 'Pending Days',
			name: 'pendingDays',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Your return period: earned points stay pending this many days before they can be spent. 0 makes them available at once.',
		},
		{
			displayName: 'Points Per Currency Unit',
			name: 'pointsPerCurrencyUnit',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 1,
			description: 'Points for every whole unit spent, such as 1 point per $1',
		},
		{
			displayName: 'Program ID',
			name: 'programId',
			type: 'string',
			default: 'default',
			description: 'Keeps separate programs (for example two brands) apart in one store',
		},
		{
			displayName: 'Rounding',
			name: 'rounding',
			type: 'options',
			options: [
				{
					name: 'Down',
					value: 'floor',
					description: '$9.99 earns 9 points at 1 point per $1',
				},
				{
					name: 'To Nearest',
					value: 'round',
					description: '$9.50 earns 10 points, $9.49 earns 9',
				},
				{
					name: 'Up',
					value: 'ceil',
					description: '$9.01 earns 10 points at 1 point per $1',
				},
			],
			default: 'floor',
			description: 'What to do with part of a point',
		},
		{
			displayName: 'Tiers (JSON)',
			name: 'tiers',
			type: 'json',
			default: '',
			description: 'Optional. For example {"basis": "spend", "windowDays": 365, "levels": [{"name": "Silver", "threshold": 0}, {"name": "Gold", "threshold": 50000}]}; spend thresholds are in cents.',
		},
		{
			displayName: 'Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			placeholder: 'e.g. Europe/Berlin',
			description: 'Time zone for month ends and day counts. Empty means UTC.',
		},
	],
};

export function readProgram(this: IExecuteFunctions, itemIndex: number): ProgramInput {
	const settings = this.getNodeParameter('programSettings', itemIndex, {}) as IDataObject;
	return programFromSettings(settings as ProgramSettings);
}
