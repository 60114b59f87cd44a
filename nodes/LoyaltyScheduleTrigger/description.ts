import type { INodeProperties } from 'n8n-workflow';

import { programSelector } from '../shared/program';

const kindShown = (kind: string) => ({ show: { dueEvents: [kind] } });

/** The event names as the Events field shows them; the subtitle uses the same names. */
export const DUE_EVENT_OPTIONS = [
	{ name: 'Abandoned Cart', value: 'cartAbandoned', description: 'A cart left alone for a while with no order since' },
	{ name: 'Birthday', value: 'birthday', description: 'On the customer’s birthday (their time zone), some days before, or in their birthday month' },
	{ name: 'Challenge Ending Soon', value: 'challengeDeadline', description: 'A challenge an Evaluate Rules rule started ("2 purchases this month") ends soon and is not completed yet' },
	{ name: 'Follow-Up Due', value: 'followUps', description: 'A follow-up an Evaluate Rules rule scheduled ("if no purchase in 24 hours, then …")' },
	{ name: 'No Purchase For a While', value: 'inactivity', description: 'A customer who has not ordered for some days' },
	{ name: 'Points About to Expire', value: 'pointsExpiring', description: 'Unspent points that expire within some days' },
	{ name: 'Running Low (Replenishment)', value: 'replenishment', description: 'A product the customer buys regularly is about to run out' },
	{ name: 'Tier Review Due', value: 'tierReview', description: 'A customer’s tier is up for its periodic review' },
];

/** Which time-based events to look for, and their numbers. */
export const SCHEDULE_PROPERTIES: INodeProperties[] = [
	{
		displayName:
			'Looks in the loyalty store at the interval below and starts one run with every customer event that has become due: each birthday, lapse, cart or reminder is sent once only, even after a restart or with several n8n workers.',
		name: 'scheduleNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'dueEvents',
		type: 'multiOptions',
		options: DUE_EVENT_OPTIONS,
		default: ['followUps'],
		required: true,
		description: 'Which time-based events start the workflow',
	},
	{
		displayName: 'Check Every',
		name: 'checkEvery',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'How often to look for due events',
	},
	{
		displayName: 'Unit',
		name: 'checkEveryUnit',
		type: 'options',
		options: [
			{ name: 'Seconds', value: 'seconds' },
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
		],
		default: 'minutes',
	},
	{
		displayName: 'Send Birthday Event',
		name: 'birthdayWhen',
		type: 'options',
		options: [
			{ name: 'On the Birthday', value: 'on_day' },
			{ name: 'Some Days Before', value: 'days_before' },
			{ name: 'Once in the Birthday Month', value: 'month' },
		],
		default: 'on_day',
		displayOptions: kindShown('birthday'),
	},
	{
		displayName: 'Days Before',
		name: 'birthdayDaysBefore',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 60 },
		default: 7,
		displayOptions: { show: { dueEvents: ['birthday'], birthdayWhen: ['days_before'] } },
	},
	{
		displayName: 'Not Before (Local Hour)',
		name: 'birthdayFromHour',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 23 },
		default: 9,
		displayOptions: kindShown('birthday'),
		description: 'The hour of the day, in the customer’s own time zone, from which the birthday event is sent',
	},
	{
		displayName: 'Days Without a Purchase',
		name: 'inactivityDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		displayOptions: kindShown('inactivity'),
	},
	{
		displayName: 'Allow for Each Customer’s Own Rhythm',
		name: 'inactivityRelative',
		type: 'boolean',
		default: false,
		displayOptions: kindShown('inactivity'),
		description: 'Whether a customer who usually buys every 90 days is only nudged after twice their usual gap, if that is longer than the days above',
	},
	{
		// Version 1 asked for hours while Evaluate Rules speaks of cart idle time in minutes; saved
		// version-1 nodes keep their hours, new nodes (1.1) ask in minutes like every other node.
		displayName: 'Idle Hours',
		name: 'cartIdleHours',
		type: 'number',
		typeOptions: { minValue: 0.25, numberPrecision: 2 },
		default: 2,
		displayOptions: { show: { dueEvents: ['cartAbandoned'], '@version': [1] } },
		description: 'Hours since the cart last changed, with no order since',
	},
	{
		displayName: 'Cart Idle Minutes',
		name: 'cartIdleMinutes',
		type: 'number',
		typeOptions: { minValue: 15 },
		default: 120,
		displayOptions: { show: { dueEvents: ['cartAbandoned'], '@version': [1.1] } },
		description: 'Minutes since the cart last changed, with no order since (120 is two hours)',
	},
	{
		displayName: 'Smallest Cart Value',
		name: 'cartMinTotal',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 0,
		displayOptions: kindShown('cartAbandoned'),
		description: 'Carts worth less than this (in the program currency, e.g. 50 for $50.00) are left alone. Evaluate Rules can set its own threshold too.',
	},
	{
		displayName: 'Expiring Within Days',
		name: 'expiringWithinDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 14,
		displayOptions: kindShown('pointsExpiring'),
	},
	{
		displayName: 'Review Tiers Every Days',
		name: 'tierReviewEveryDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 365,
		displayOptions: kindShown('tierReview'),
		description: 'The same review period as the tiers in Award Points',
	},
	{
		displayName: 'Days Before the Challenge Ends',
		name: 'challengeDaysBefore',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2,
		displayOptions: kindShown('challengeDeadline'),
		description: 'One event per challenge, this many days before its end, with the purchases made so far',
	},
	programSelector,
];
