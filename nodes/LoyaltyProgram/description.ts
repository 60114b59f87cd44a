import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_BADGES } from '../../engine';
import { programSelector } from '../shared/program';

const showFor = (operation: string[]) => ({ show: { operation } });

/** The settings form: only the fields the owner adds change; the rest keep their value. */
const settingsToChange: INodeProperties = {
	displayName: 'Settings to Change',
	name: 'settings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	displayOptions: showFor(['update']),
	description: 'Only the settings you add here change; every other setting keeps its value. A change applies from now on, never to points already booked.',
	options: [
		{ displayName: 'Allow Negative Balance', name: 'allowNegativeBalance', type: 'boolean', default: false, description: 'Whether a redemption or adjustment may take a balance below zero' },
		{
			displayName: 'Badges (JSON)',
			name: 'badges',
			type: 'json',
			// The program's own starting list, to edit rather than retype.
			default: JSON.stringify(DEFAULT_BADGES, null, 2),
			description: 'The whole list of badges your rules may award, each with an ID (lower case, such as first-purchase) and the name customers see. It replaces the list; a rule that awards a badge not on it is refused.',
		},
		{ displayName: 'Coupon Prefix', name: 'couponPrefix', type: 'string', default: 'LOY', description: 'Start of every coupon code Send Offer creates: 1–8 letters or digits' },
		{ displayName: 'Currency', name: 'currency', type: 'string', default: 'USD', description: 'Your shop’s currency as an ISO code such as USD or EUR. Orders in another currency earn nothing and say why.' },
		{ displayName: 'Default Calling Code', name: 'defaultCallingCode', type: 'string', default: '', placeholder: 'e.g. +1', description: 'For phone numbers saved without a country code. Empty: such numbers get no text messages.' },
		{ displayName: 'Email Gap (Hours)', name: 'emailGapHours', type: 'number', typeOptions: { minValue: 0 }, default: 16, description: 'Least time between two emails to one customer' },
		{
			displayName: 'Expiry',
			name: 'expiry',
			type: 'options',
			options: [
				{ name: 'After N Days of Inactivity', value: 'inactivity', description: 'All points expire when the customer has not earned or redeemed for Expiry Days' },
				{ name: 'End of Month After N Months', value: 'end_of_month_after', description: 'Points earned in a month expire at the end of the month Expiry Months later' },
				{ name: 'N Days After Earning', value: 'days_after_earn', description: 'Each earning expires Expiry Days after it became available' },
				{ name: 'Never', value: 'never', description: 'Points never expire' },
			],
			default: 'never',
			description: 'When points expire',
		},
		{ displayName: 'Expiry Days', name: 'expiryDays', type: 'number', typeOptions: { minValue: 1 }, default: 365, description: 'Used by "N Days After Earning" and "After N Days of Inactivity"' },
		{ displayName: 'Expiry Months', name: 'expiryMonths', type: 'number', typeOptions: { minValue: 1 }, default: 12, description: 'Used by "End of Month After N Months"' },
		{ displayName: 'Max Messages per Day', name: 'maxPerDay', type: 'number', typeOptions: { minValue: 1 }, default: 2, description: 'Most messages one customer gets in a day, from all workflows together' },
		{ displayName: 'Max Messages per Week', name: 'maxPerWeek', type: 'number', typeOptions: { minValue: 1 }, default: 5, description: 'Most messages one customer gets in 7 days' },
		{ displayName: 'Max Percent Off', name: 'maxPercentOff', type: 'number', typeOptions: { minValue: 0, maxValue: 100 }, default: 50, description: 'Largest discount a coupon may give; an offer asking for more is refused' },
		{ displayName: 'Max Points Per Order', name: 'maxPointsPerOrder', type: 'number', typeOptions: { minValue: 0 }, default: 5000, description: 'The most points one order can earn by itself. A bigger order earns nothing until you approve it, so a mistyped or test total cannot give away a fortune. 0 means no limit.' },
		{ displayName: 'Max Reward Cost (% of Revenue)', name: 'maxRewardCostShare', type: 'number', typeOptions: { minValue: 0, maxValue: 100 }, default: 10, description: 'Rules hold rewards back once their cost this month would pass this share of the revenue they touch. 0 means no ceiling.' },
		{ displayName: 'Max Rewards per Customer per Day', name: 'maxRewardsPerCustomerPerDay', type: 'number', typeOptions: { minValue: 1 }, default: 1, description: 'Most rewards Evaluate Rules gives one customer in a day, from all rules together. Leave it out for no limit.' },
		{ displayName: 'Pending Days', name: 'pendingDays', type: 'number', typeOptions: { minValue: 0 }, default: 0, description: 'Your return period: earned points wait this many days before they can be spent. 0 makes them available at once.' },
		{ displayName: 'Point Cost (Cents per Point)', name: 'pointValueMinor', type: 'number', typeOptions: { minValue: 0 }, default: 1, description: 'What one point costs you, in cents, for reward budgets' },
		{ displayName: 'Points Per Currency Unit', name: 'pointsPerCurrencyUnit', type: 'number', typeOptions: { minValue: 0, numberPrecision: 2 }, default: 1, description: 'Points for every whole unit spent, such as 1 point per $1' },
		{ displayName: 'Quiet Hours End', name: 'quietHoursEnd', type: 'string', default: '09:00', placeholder: '09:00', description: 'Messages wait until this time in the customer’s own time zone' },
		{ displayName: 'Quiet Hours Start', name: 'quietHoursStart', type: 'string', default: '20:00', placeholder: '20:00', description: 'No messages from this time in the customer’s own time zone' },
		{ displayName: 'Redemption Value per Point', name: 'redemptionValue', type: 'number', typeOptions: { minValue: 0, numberPrecision: 4 }, default: 0.01, description: 'What one point is worth when spent, in your currency (0.01 = one cent); the dashboard prices what you owe with it' },
		{ displayName: 'Referral Advocate Points', name: 'referralAdvocatePoints', type: 'number', typeOptions: { minValue: 0 }, default: 500, description: 'Points for the customer who brought a friend, given when the friend’s first order is paid and spendable once the friend can no longer return it' },
		{ displayName: 'Referral Friend Points', name: 'referralFriendPoints', type: 'number', typeOptions: { minValue: 0 }, default: 100, description: 'Welcome points for the friend’s first paid order with a referral code' },
		{ displayName: 'Referral Limit per Advocate', name: 'referralMaxPerPeriod', type: 'number', typeOptions: { minValue: 1 }, default: 10, description: 'Most rewarded referrals one customer may bring in the limit period; more are refused as too many' },
		{ displayName: 'Referral Limit Period (Days)', name: 'referralPeriodDays', type: 'number', typeOptions: { minValue: 1 }, default: 30, description: 'The period the referral limit counts over' },
		{ displayName: 'Referral Link', name: 'referralLinkTemplate', type: 'string', default: '', placeholder: 'e.g. https://shop.example/?ref={code}', description: 'Your shop’s address with {code} where each customer’s code goes. Empty: customers get a code only.' },
		{ displayName: 'Referral Return Window (Days)', name: 'referralReturnWindowDays', type: 'number', typeOptions: { minValue: 0, maxValue: 365 }, default: 30, description: 'Days after the friend’s order in which a refund takes both referral rewards back; until then they are pending' },
		{ displayName: 'Rewards per Day', name: 'rewardsPerDay', type: 'number', typeOptions: { minValue: 1 }, default: 1, description: 'Most reward messages (with a coupon or points) one customer gets in a day' },
		{
			displayName: 'Rounding',
			name: 'rounding',
			type: 'options',
			options: [
				{ name: 'Down', value: 'floor', description: '$9.99 earns 9 points at 1 point per $1' },
				{ name: 'To Nearest', value: 'round', description: '$9.50 earns 10 points, $9.49 earns 9' },
				{ name: 'Up', value: 'ceil', description: '$9.01 earns 10 points at 1 point per $1' },
			],
			default: 'floor',
			description: 'What to do with part of a point',
		},
		{ displayName: 'SMS Gap (Hours)', name: 'smsGapHours', type: 'number', typeOptions: { minValue: 0 }, default: 24, description: 'Least time between two text messages to one customer' },
		{ displayName: 'Time Zone', name: 'timeZone', type: 'string', default: '', placeholder: 'e.g. Europe/Berlin', description: 'For month ends, day counts and customers whose own time zone is unknown. A new program starts with n8n’s time zone.' },
	],
};

/** Tiers as rows: a name and the spend (in your currency) or points from which it applies. */
const tiers: INodeProperties[] = [
	{
		displayName: 'Tiers',
		name: 'useTiers',
		type: 'options',
		displayOptions: showFor(['update']),
		description: 'Loyalty tiers such as Silver and Gold, by spend or points in a window',
		options: [
			{ name: 'Keep As They Are', value: 'keep', description: 'Leave the tiers unchanged' },
			{ name: 'No Tiers', value: 'none', description: 'Remove the tiers' },
			{ name: 'Set Tiers', value: 'set', description: 'Replace the tiers with the rows below' },
		],
		default: 'keep',
	},
	{
		displayName: 'Tier Basis',
		name: 'tierBasis',
		type: 'options',
		displayOptions: { show: { operation: ['update'], useTiers: ['set'] } },
		description: 'What moves a customer up: money spent or points earned',
		options: [
			{ name: 'Spend', value: 'spend', description: 'Money spent in the window, in your currency' },
			{ name: 'Points', value: 'points', description: 'Points earned in the window' },
		],
		default: 'spend',
	},
	{ displayName: 'Tier Window (Days)', name: 'tierWindowDays', type: 'number', typeOptions: { minValue: 1 }, default: 365, displayOptions: { show: { operation: ['update'], useTiers: ['set'] } }, description: 'Spend or points of this many past days count' },
	{ displayName: 'Review Tiers Every (Days)', name: 'tierReviewEveryDays', type: 'number', typeOptions: { minValue: 1 }, default: 365, displayOptions: { show: { operation: ['update'], useTiers: ['set'] } }, description: 'A customer moves down a tier only at a review' },
	{
		displayName: 'Tier Levels',
		name: 'tierLevels',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Tier',
		default: { level: [{ name: 'Member', threshold: 0 }] },
		displayOptions: { show: { operation: ['update'], useTiers: ['set'] } },
		options: [
			{
				displayName: 'Tier',
				name: 'level',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Gold', description: 'The tier’s name, as customers see it' },
					{ displayName: 'From', name: 'threshold', type: 'number', typeOptions: { minValue: 0, numberPrecision: 2 }, default: 0, description: 'Spend (in your currency) or points in the window from which this tier applies; the lowest tier usually starts at 0' },
				],
			},
		],
	},
];

export const programProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		description: 'Read the settings, change them, or see every earlier version',
		options: [
			{ name: 'Get History', value: 'getHistory', description: 'Every version of the settings, with when and by whom it was set', action: 'Get the history of the program settings' },
			{ name: 'Get Settings', value: 'get', description: 'The settings every node of the program uses now', action: 'Get the program settings' },
			{ name: 'Update Settings', value: 'update', description: 'Change settings once for every workflow of the program', action: 'Update the program settings' },
		],
		default: 'get',
	},
	programSelector,
	settingsToChange,
	...tiers,
];
