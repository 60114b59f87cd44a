import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { readDecision, readOfferTexts, readPersonalFields, readSettings, readTemplates } from '../../helpers/settings';
import { sendOffer } from '../../../../engine';
import { offerVendors } from '../../helpers/offerVendors';
import { programStamp } from '../../../shared/program';
import type { OperationContext } from '../node.type';

const EXAMPLE_TEXT = {
	id: 'coffee-10',
	metricName: 'Loyalty Offer: Coffee',
	emailSubject: '{{firstName}}, 10% off your favourite beans',
	emailBody: 'Hi {{firstName}}, your {{favouriteCategory}} are running low. Use {{couponCode}} by {{couponExpiresAt}}.{{#points}} You have {{points}} points.{{/points}}',
	smsBody: '{{firstName}}, 10% off {{favouriteCategory}} with code {{couponCode}} until {{couponExpiresAt}}.',
};

const TEXTS_HELP =
	'Fields in double braces are filled per customer; {{firstName|friend}} gives a fallback, and {{#points}}…{{/points}} is left out when the customer has no points.';

const properties: INodeProperties[] = [
	{
		displayName: 'Test Mode',
		name: 'testMode',
		type: 'boolean',
		default: false,
		description: 'Whether to only show what would be sent — the channel, the exact message, the coupon code and why — without sending, creating a coupon or writing anything. No Klaviyo, Twilio or shop account is needed.',
	},
	{
		displayName: 'Decision',
		name: 'decision',
		type: 'json',
		default: '={{ $json.offer ?? $json.decision ?? $json }}',
		required: true,
		description: 'The offer decided for one customer: the Offer output of Evaluate Rules gives it as "offer" (decisionId, customer, offerTemplateId, ruleId, and optionally coupon, channelPreference and experiment)',
	},
	{
		// Version 1 took the texts as JSON; nodes saved so keep it. From 1.1 they are a form.
		displayName: 'Offer Templates',
		name: 'templates',
		type: 'json',
		default: JSON.stringify([EXAMPLE_TEXT], null, 2),
		required: true,
		displayOptions: { show: { '@version': [1] } },
		description: `The wording of each offer, as JSON. ${TEXTS_HELP} The metric name is what a Klaviyo flow triggers on.`,
	},
	{
		displayName: 'Offer Texts',
		name: 'offerTexts',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Offer Text',
		default: { text: [EXAMPLE_TEXT] },
		required: true,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'The wording of each offer a rule can choose. Fields in double braces are filled per customer; {{firstName|friend}} gives a fallback, and {{#points}}…{{/points}} is left out when the customer has no points.',
		options: [
			{
				displayName: 'Offer Text',
				name: 'text',
				// In the order a text is written (which offer, then email, then SMS), not alphabetically.
				// eslint-disable-next-line n8n-nodes-base/node-param-fixed-collection-type-unsorted-items
				values: [
					{ displayName: 'Offer Template ID', name: 'id', type: 'string', default: '', required: true, placeholder: 'e.g. birthday', description: 'The offer template a rule names (Send Offer action’s Offer Template)' },
					{ displayName: 'Klaviyo Metric Name', name: 'metricName', type: 'string', default: '', required: true, placeholder: 'e.g. Loyalty: Birthday', description: 'The Klaviyo event the offer is recorded as; a Klaviyo flow triggered by it sends the email' },
					{ displayName: 'Email Subject', name: 'emailSubject', type: 'string', default: '', placeholder: 'e.g. Happy birthday, {{firstName|friend}}!', description: 'The subject line, passed to your Klaviyo flow as the event’s "subject"; leave empty when your Klaviyo flow has its own subject' },
					{ displayName: 'Email Body', name: 'emailBody', type: 'string', typeOptions: { rows: 4 }, default: '', description: 'The email’s text, passed to your Klaviyo flow as the event’s "message"; leave empty when your Klaviyo flow has its own text' },
					{ displayName: 'SMS Text', name: 'smsBody', type: 'string', typeOptions: { rows: 3 }, default: '', description: 'Leave empty when this offer is never texted' },
				],
			},
		],
	},
	{
		displayName: 'Personal Fields',
		name: 'personalFields',
		type: 'json',
		default: '={{ $json.personal ?? {} }}',
		description: 'Extra facts for the message (points, pointsExpiring, pointsExpireAt, tier, favouriteCategory, crossSellPick, shopName), for example from Award Points or Segment Customer',
	},
	{
		displayName: 'Email Through Klaviyo',
		name: 'email',
		type: 'boolean',
		default: true,
		description: 'Whether customers with email consent may get the offer as a Klaviyo event (your Klaviyo flow sends the email)',
	},
	{
		displayName: 'SMS Through Twilio',
		name: 'sms',
		type: 'boolean',
		default: false,
		description: 'Whether customers with SMS consent may get the offer by text message',
	},
	{
		displayName: 'Create Coupons In',
		name: 'couponShop',
		type: 'options',
		options: [
			{ name: 'No Coupons', value: 'none', description: 'Only for offers without a coupon: an offer that comes with one stops with an error' },
			{ name: 'Square Loyalty (Reward)', value: 'squareReward', description: 'A reward on the customer’s Square Loyalty account, shown at the till' },
			{ name: 'WooCommerce', value: 'woocommerce', description: 'A single-use coupon code only this customer can use' },
		],
		default: 'none',
		description: 'Where the personal coupon of a decision is created. Codes come from the decision, so a retry never makes a second coupon.',
	},
	{
		displayName: 'Square Reward Tier ID',
		name: 'squareRewardTierId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { couponShop: ['squareReward'] } },
		description: 'Square Dashboard → Loyalty → Rewards: the ID of the reward tier to give',
	},
	{
		// Quiet hours, message caps, coupon limits and the time zone are the program's: set once in
		// the Loyalty Program node. What stays here belongs to this node's own wiring.
		displayName: 'Options',
		name: 'delivery',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ displayName: 'SMS Status Webhook URL', name: 'statusCallbackUrl', type: 'string', default: '', placeholder: 'e.g. https://n8n.example.com/webhook/…/webhook', description: 'The URL of a Loyalty Trigger in Twilio mode, so delivery reports update the send log' },
		],
	},
];

const displayOptions = { show: { resource: ['offer'], operation: ['send'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { store, vendors, itemIndex, program }: OperationContext): Promise<IDataObject> {
	const settings = readSettings(
		program,
		String((this.getNodeParameter('delivery', itemIndex, {}) as IDataObject).statusCallbackUrl ?? ''),
		this.getNodeParameter('couponShop', itemIndex, 'none') as string,
		this.getNodeParameter('squareRewardTierId', itemIndex, '') as string,
	);
	settings.testMode = this.getNodeParameter('testMode', itemIndex, false) === true;
	const outcome = await sendOffer({
		store,
		decision: readDecision(this.getNodeParameter('decision', itemIndex)),
		templates: this.getNode().typeVersion >= 1.1 ? readOfferTexts(this.getNodeParameter('offerTexts', itemIndex, {})) : readTemplates(this.getNodeParameter('templates', itemIndex)),
		personal: readPersonalFields(this.getNodeParameter('personalFields', itemIndex, {})),
		settings,
		vendors: offerVendors(vendors),
		now: new Date(),
	});
	return { ...(Object.fromEntries(Object.entries(outcome).filter(([, v]) => v !== undefined)) as IDataObject), ...programStamp(program) };
}
