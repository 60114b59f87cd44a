import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { LoyaltyError, type CustomerRef } from '../../../../engine';
import { ledgerResultJson, parseJsonObject } from '../../helpers/utils';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Rule Decision',
		name: 'ruleDecision',
		type: 'json',
		default: '={{ $json }}',
		required: true,
		description: 'An item from the Award (or Other Action) output of Evaluate Rules: its bonus points are added and a tier it sets is given, once per event',
	},
];

const displayOptions = { show: { resource: ['points'], operation: ['applyRuleDecision'] } };

export const description = updateDisplayOptions(displayOptions, properties);

const IDENTITY_KINDS = new Set(['loyalty', 'email', 'phone', 'square', 'woocommerce']);

/** Evaluate Rules names a customer by store id, or by "kind:value" when the store did not know them yet. */
function customerOf(customerKey: unknown): CustomerRef {
	if (typeof customerKey !== 'string' || customerKey.trim() === '') throw LoyaltyError.invalid('ruleDecision.customerKey', 'is missing: connect an output of Evaluate Rules');
	const colon = customerKey.indexOf(':');
	const kind = colon > 0 ? customerKey.slice(0, colon) : '';
	return IDENTITY_KINDS.has(kind) ? { identities: { [kind]: customerKey.slice(colon + 1) } } : { customerId: customerKey };
}

export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	const item = parseJsonObject(this.getNodeParameter('ruleDecision', itemIndex), 'ruleDecision');
	const eventKey = item.eventKey;
	if (typeof eventKey !== 'string' || eventKey === '') throw LoyaltyError.invalid('ruleDecision.eventKey', 'is missing: connect an output of Evaluate Rules');
	const points = item.pointsToAward ?? 0;
	if (typeof points !== 'number' || !Number.isInteger(points) || points < 0) throw LoyaltyError.invalid('ruleDecision.pointsToAward', 'must be a whole number of 0 or more');
	const actions = Array.isArray(item.actions) ? (item.actions as IDataObject[]) : [];
	const tiers = actions.filter((a) => a.type === 'set_tier' && typeof a.tier === 'string').map((a) => a.tier as string);
	const rules = Array.isArray(item.firedRules) ? (item.firedRules as string[]) : [];
	if (points === 0 && tiers.length === 0) return { eventKey, operation: 'none', skipped: true, reason: 'the decision gives no points and no tier' };
	const result = await ledger.applyRuleReward({
		customer: customerOf(item.customerKey),
		points,
		// Two rules setting tiers on one event: the last in the decision's (priority) order stands.
		...(tiers.length > 0 ? { tier: tiers[tiers.length - 1] } : {}),
		idempotencyKey: `rules:${eventKey}`,
		reason: `rules: ${rules.join(', ') || 'bonus'}`,
	});
	return { ...ledgerResultJson(result), eventKey, skipped: false };
}
