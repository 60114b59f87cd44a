import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { loyaltyProfileProperties } from '../../../../connectors/klaviyo';
import { InsightService, LoyaltyError, loyaltySnapshot, minorToDecimalString } from '../../../../engine';
import { customerFields } from '../../../shared/customer';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	...customerFields({ allowCustomerId: true, version1DefaultsToCustomerId: true }),
	{
		displayName: 'Program ID',
		name: 'programId',
		type: 'string',
		default: 'default',
		description: 'The same program ID as in Award Points and Segment Customer',
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'USD',
		description: 'The program currency, for the lifetime value shown on the profile',
	},
	{
		displayName: 'Include Next Best Action',
		name: 'nextBestAction',
		type: 'boolean',
		default: true,
		description: 'Whether to work out and show the next best offer for the customer (from their segment and buying habits)',
	},
];

const displayOptions = { show: { resource: ['profile'], operation: ['syncKlaviyo'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Writes the customer's current loyalty state onto their Klaviyo profile (points, pending points,
 * tier, segment, lifecycle, value group, next best action, lifetime value, badges, early access), so the shop's own
 * Klaviyo flows and segments can use it. An upsert: running it twice changes nothing more.
 */
export async function execute(this: IExecuteFunctions, { store, vendors, itemIndex }: OperationContext): Promise<IDataObject> {
	const identifyBy = this.getNodeParameter('identifyBy', itemIndex) as string;
	const value = String(this.getNodeParameter('customerValue', itemIndex) ?? '').trim();
	if (!value) throw LoyaltyError.invalid('customerValue', 'is empty: map the customerId (or email) of the customer');
	const customer = await store.findCustomer(identifyBy === 'customerId' ? { customerId: value } : { identities: { [identifyBy]: value } });
	if (!customer) throw LoyaltyError.notFound('customerValue', `no customer with ${identifyBy} "${value}" in the loyalty store`);
	if (!customer.identities.email && !customer.identities.phone) throw LoyaltyError.invalid('customer', 'has neither an email address nor a phone number, so Klaviyo cannot find their profile');
	const programId = (this.getNodeParameter('programId', itemIndex, 'default') as string).trim() || 'default';
	const currency = ((this.getNodeParameter('currency', itemIndex, 'USD') as string).trim() || 'USD').toUpperCase();
	const snapshot = await store.transaction((sql) => loyaltySnapshot(sql, programId, customer.id));
	let nextBestAction: string | undefined;
	let nextBestActionSkipped: string | undefined;
	if (this.getNodeParameter('nextBestAction', itemIndex, true) as boolean) {
		const today = new Date().toISOString().slice(0, 10);
		try {
			nextBestAction = (await new InsightService(store, { programId, currency }).nextBestActionFor(customer.id, today))?.action;
		} catch (error) {
			// The points and tier are what the profile must show; a customer the models cannot score yet still gets them.
			nextBestActionSkipped = error instanceof Error ? error.message : String(error);
		}
	}
	const properties = loyaltyProfileProperties({
		points: snapshot.points,
		pendingPoints: snapshot.pendingPoints,
		tier: snapshot.tier,
		segment: snapshot.segment,
		lifecycle: snapshot.lifecycle,
		nextBestAction,
		clv: snapshot.clvMinor === undefined ? undefined : Number(minorToDecimalString(snapshot.clvMinor, currency)),
		currency,
		badges: snapshot.badges.map((badge) => badge.name),
		earlyAccess: snapshot.earlyAccess,
		updatedAt: new Date().toISOString(),
	});
	const { id } = await vendors.klaviyo!.upsertProfile({ email: customer.identities.email, phoneNumber: customer.identities.phone, externalId: customer.id, firstName: customer.firstName, properties: { ...properties, ...(snapshot.valueTier ? { loyalty_value_group: snapshot.valueTier } : {}) } });
	return { customerId: customer.id, klaviyoProfileId: id, properties: properties as IDataObject, ...(nextBestActionSkipped ? { nextBestActionSkipped } : {}) };
}
