import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { PRESETS } from '../../../engine';
import { titleCase } from '../../shared/labels';
import { FACT_OPTIONS } from './facts';
import { OPERATOR_OPTIONS, TRIGGER_OPTIONS } from './options';

const presetsShown = { show: { rulesSource: ['presets'] } };
const blankRule = { show: { startFrom: ['blank'] } };

/** Where the rules come from; the subtitle shows the same names. */
export const RULE_SOURCE_OPTIONS = [
	{ name: 'Ready-Made Rules', value: 'presets', description: 'Pick proven rules and adjust their numbers' },
	{ name: 'Rule Builder', value: 'builder', description: 'When [event], if [conditions], then [action], filled in step by step; a rule may start from a ready-made one' },
	{ name: 'JSON', value: 'json', description: 'Paste rules as JSON (see n8n-loyalty schema rules)' },
];

/**
 * What a builder rule does ("Then"). A named list rather than inline: n8n's linter takes any
 * options field named "action" for an Operation and would ask each choice for an action text.
 */
const THEN_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Add Tag', value: 'add_tag', description: 'Put a tag on the customer, for later rules or your own lists; goes out on the Other Action output' },
	{ name: 'Award Badge', value: 'award_badge', description: 'Give the customer one of your program’s badges, once: a customer who has it already gets nothing more; goes out on the Other Action output' },
	{ name: 'Give Early Access', value: 'perk_early_access', description: 'Tag the customer early-access (shown on their Klaviyo profile), for launches and previews; goes out on the Other Action output' },
	{ name: 'Give Free Shipping', value: 'perk_free_shipping', description: 'A free-shipping coupon made by Send Offer, with the Send Offer text named free_shipping; goes out on the Offer output' },
	{ name: 'Give Points', value: 'award_fixed', description: 'A set number of points; goes out on the Award output' },
	{ name: 'Issue Coupon', value: 'issue_coupon', description: 'A percent-off coupon valid for some hours; goes out on the Offer output' },
	{ name: 'Multiply Order Points', value: 'award_multiplier', description: 'The points the order earns, multiplied (2 is double points); goes out on the Award output' },
	{ name: 'Send Offer', value: 'send_offer', description: 'One of your Send Offer texts, with a coupon if you set a percent; goes out on the Offer output' },
	{ name: 'Set Tier', value: 'set_tier', description: 'Move the customer to a tier; goes out on the Other Action output' },
];

export const rulesProperties: INodeProperties[] = [
	{
		displayName: 'Rule Source',
		name: 'rulesSource',
		type: 'options',
		noDataExpression: true,
		options: RULE_SOURCE_OPTIONS,
		default: 'presets',
		description: 'Where the rules come from: ready-made ones, your own built here, or JSON',
	},
	{
		displayName: 'Ready-Made Rules',
		name: 'presets',
		type: 'multiOptions',
		options: PRESETS.map((p) => ({ name: titleCase(p.title), value: p.id, description: p.description })),
		default: ['first_purchase_bonus'],
		displayOptions: presetsShown,
		description: 'The ready-made rules to run; change their numbers under Adjust Numbers',
	},
	{
		displayName: 'Adjust Numbers',
		name: 'presetSettings',
		type: 'collection',
		placeholder: 'Change a Number',
		default: {},
		displayOptions: { show: { rulesSource: ['presets', 'builder'] } },
		description: 'The numbers of the ready-made rules, also for builder rules that start from one',
		options: [
			{ displayName: 'Big Order: Minimum Amount', name: 'bigOrderThreshold', type: 'number', default: 100, description: 'Orders of at least this amount get the big order bonus (in the currency set under Currency, e.g. 100 for 100.00)' },
			{ displayName: 'Big Order: Points', name: 'bigOrderPoints', type: 'number', default: 50, description: 'Bonus points for a big order' },
			{ displayName: 'Birthday: Points', name: 'birthdayPoints', type: 'number', default: 100, description: 'Points given for the customer’s birthday' },
			{ displayName: 'Cart: Follow-Up Coupon Percent', name: 'couponPercent', type: 'number', default: 10, description: 'Percent off on the coupon sent when a cart reminder brought no purchase within 24 hours' },
			{ displayName: 'Cart: Idle Minutes', name: 'cartIdleMinutes', type: 'number', default: 120, description: 'How long a cart must sit untouched before the reminder (120 is two hours)' },
			{ displayName: 'Cart: Minimum Amount', name: 'cartMinimum', type: 'number', default: 50, description: 'Carts worth less than this get no reminder (in the currency set under Currency, e.g. 50 for 50.00)' },
			{ displayName: 'Cross-Category: Bought Category', name: 'fromCategory', type: 'string', default: 'coffee', description: 'A purchase in this category starts the double points' },
			{ displayName: 'Cross-Category: Double Points On', name: 'toCategory', type: 'string', default: 'pastries', description: 'The category that then earns double points for 7 days' },
			{ displayName: 'Cross-Sell: Bought Category', name: 'crossSellBought', type: 'string', default: 'coffee', description: 'A customer who buys this category 3 times in a calendar month, and not the suggested one, is invited to try the suggested one' },
			{ displayName: 'Cross-Sell: Suggest Category', name: 'crossSellMissing', type: 'string', default: 'tea', description: 'The category suggested to customers who often buy the bought category but not this one' },
			{ displayName: 'Currency', name: 'currency', type: 'string', default: 'USD', description: 'Currency of the amounts below' },
			{ displayName: 'First Purchase: Points', name: 'firstPurchasePoints', type: 'number', default: 100, description: 'Bonus points on a customer’s first paid order' },
			{ displayName: 'Lifetime Spend: Amount', name: 'lifetimeSpend', type: 'number', default: 500, description: 'Total spend at which the customer moves up a tier (in the currency set under Currency, e.g. 500 for 500.00)' },
			{ displayName: 'Lifetime Spend: Bonus Points', name: 'lifetimePoints', type: 'number', default: 200, description: 'Bonus points given with that tier upgrade' },
			{ displayName: 'Lifetime Spend: Tier', name: 'lifetimeTier', type: 'string', default: 'Gold', description: 'The tier the customer moves up to, such as Gold' },
			{ displayName: 'Morning: From', name: 'morningFrom', type: 'string', default: '07:00', description: 'Start of the morning window, as hours:minutes in the customer’s time zone, such as 07:00' },
			{ displayName: 'Morning: Points', name: 'morningPoints', type: 'number', default: 20, description: 'Extra points for a purchase in the morning window' },
			{ displayName: 'Morning: To', name: 'morningTo', type: 'string', default: '10:00', description: 'End of the morning window, as hours:minutes, such as 10:00' },
			{ displayName: 'New Store Visit: Points', name: 'newLocationPoints', type: 'number', default: 50, description: 'Bonus points for a customer’s first in-store purchase at one of your stores after buying at another' },
			{ displayName: 'Online Customer in Store: Points', name: 'storeVisitPoints', type: 'number', default: 50, description: 'Bonus points for the first in-store purchase of a customer who until now only bought online' },
			{ displayName: 'Replenishment: Categories', name: 'replenishmentCategories', type: 'string', default: 'coffee', description: 'Categories that earn the extra points, separated by commas' },
			{ displayName: 'Replenishment: Points Multiplier', name: 'replenishmentMultiplier', type: 'number', default: 2, description: 'How many times the usual points the replenishment categories earn for 3 days after the refill reminder (2 is double)' },
			{ displayName: 'Streak: Purchases', name: 'streakPurchases', type: 'number', default: 3, description: 'How many purchases make a streak' },
			{ displayName: 'Streak: Tier (Empty Starts a Challenge)', name: 'streakTier', type: 'string', default: '', description: 'The tier a streak moves the customer up to; leave empty to start a “2 purchases this month” challenge for double points instead' },
			{ displayName: 'Streak: Within Days', name: 'streakDays', type: 'number', default: 60, description: 'How many days the streak’s purchases must fall within' },
			{ displayName: 'Visits: Free Item', name: 'freeItem', type: 'string', default: 'coffee', description: 'The item given free on the 5th and 10th visit, such as coffee' },
			{ displayName: 'Win-Back: Days Without Purchase', name: 'winBackDays', type: 'number', default: 60, description: 'Days without a purchase before a customer gets a win-back offer' },
			{ displayName: 'Win-Back: High-Value Spend', name: 'highValueSpend', type: 'number', default: 300, description: 'Customers who have spent at least this in total get the bigger win-back offer, 20% off instead of 10% (in the currency set under Currency)' },
		],
	},
	{
		displayName: 'Currency of Amounts',
		name: 'ruleCurrency',
		type: 'string',
		default: 'USD',
		displayOptions: { show: { rulesSource: ['builder'], '@version': [{ _cnd: { gte: 1.1 } }] } },
		description: 'ISO code of the currency your rules’ amounts are in: Order Total 50 means 50.00 of it',
	},
	{
		displayName: 'Your Rules',
		name: 'ruleBuilder',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: {},
		displayOptions: { show: { rulesSource: ['builder'] } },
		description: 'Each rule reads: when [event], if [conditions], then [action]',
		options: [
			{
				displayName: 'Rule',
				name: 'rule',
				// In reading order (When, If, Then, then the limits), not alphabetically: the panel shows
				// the fields in this order and the rule should read like a sentence.
				// eslint-disable-next-line n8n-nodes-base/node-param-fixed-collection-type-unsorted-items
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. Big spender bonus',
						description: 'Shown in the explanation of every decision. Renaming a rule that is in use starts its per-customer limits afresh.',
					},
					{
						displayName: 'Start From Preset',
						name: 'startFrom',
						type: 'options',
						options: [{ name: 'Blank Rule', value: 'blank', description: 'Build the rule yourself: choose When, If and Then below' }, ...PRESETS.map((p) => ({ name: titleCase(p.title), value: p.id, description: `${p.description.replace(/\.$/, '')}; its numbers come from Adjust Numbers, and conditions added below must hold too` }))],
						default: 'blank',
						description: 'Take a ready-made rule and tweak it: add conditions, rename it, or change its limits',
					},
					{ displayName: 'When', name: 'trigger', type: 'options', options: TRIGGER_OPTIONS, default: 'purchase', description: 'The event the rule listens for', displayOptions: blankRule },
					{
						displayName: 'If',
						name: 'conditions',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						placeholder: 'Add Condition',
						default: {},
						description: 'Conditions on the event and the customer; none means always',
						options: [
							{
								displayName: 'Condition',
								name: 'condition',
								values: [
									{ displayName: 'Field', name: 'fact', type: 'options', options: FACT_OPTIONS, default: 'event.order.totalMinor', description: 'What the condition looks at, about this event or this customer' },
									{ displayName: 'Operator', name: 'operator', type: 'options', options: OPERATOR_OPTIONS, default: 'greater_than_or_equal', description: 'How the field is compared with the value' },
									{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'A number (amounts in your currency, e.g. 50 for 50.00), text, or a comma-separated list' },
								],
							},
						],
					},
					{
						displayName: 'If Conditions Match',
						name: 'match',
						type: 'options',
						options: [
							{ name: 'All Conditions', value: 'all', description: 'The rule fires only when every condition holds' },
							{ name: 'Any Condition', value: 'any', description: 'The rule fires when at least one condition holds' },
						],
						default: 'all',
						description: 'Whether every condition must hold, or one is enough',
					},
					{
						displayName: 'Then',
						name: 'action',
						type: 'options',
						options: THEN_OPTIONS,
						default: 'award_fixed',
						displayOptions: blankRule,
						description: 'What the rule does when it fires',
					},
					{ displayName: 'Points', name: 'points', type: 'number', default: 50, description: 'How many points to give', displayOptions: { show: { startFrom: ['blank'], action: ['award_fixed'] } } },
					{ displayName: 'Multiplier', name: 'multiplier', type: 'number', default: 2, description: 'How many times the order’s usual points the customer gets in all: 2 is double, 3 is triple', displayOptions: { show: { startFrom: ['blank'], action: ['award_multiplier'] } } },
					{ displayName: 'Offer Template', name: 'offerTemplate', type: 'string', default: '', description: 'The Offer Template ID of the text in Send Offer, such as birthday', displayOptions: { show: { startFrom: ['blank'], action: ['send_offer'] } } },
					{ displayName: 'Percent Off', name: 'percentOff', type: 'number', default: 10, description: 'The coupon’s discount in percent; for Send Offer, 0 sends the offer without a coupon', displayOptions: { show: { startFrom: ['blank'], action: ['send_offer', 'issue_coupon'] } } },
					{ displayName: 'Coupon Valid Hours', name: 'validHours', type: 'number', default: 24, description: 'How long the customer has to use the coupon; shops count whole days, so 24 is one day', displayOptions: { show: { startFrom: ['blank'], action: ['issue_coupon', 'perk_free_shipping'] } } },
					{ displayName: 'Tier', name: 'tier', type: 'string', default: '', description: 'The tier to move the customer to, such as Gold', displayOptions: { show: { startFrom: ['blank'], action: ['set_tier'] } } },
					{ displayName: 'Tag', name: 'tag', type: 'string', default: '', description: 'The tag to put on the customer, such as vip', displayOptions: { show: { startFrom: ['blank'], action: ['add_tag'] } } },
					{ displayName: 'Badge ID', name: 'badge', type: 'string', default: '', placeholder: 'first-purchase', description: 'The ID of a badge your program defines (set with n8n-loyalty program set badges=…), such as first-purchase or explorer', displayOptions: { show: { startFrom: ['blank'], action: ['award_badge'] } } },
					{ displayName: 'At Most Times per Customer', name: 'maxPerCustomer', type: 'number', default: 0, description: '0 means no limit (or, from a preset, the preset’s own limit)' },
					{ displayName: 'Within Days', name: 'perDays', type: 'number', default: 7, description: 'The window for "At Most Times per Customer"' },
					{ displayName: 'Priority', name: 'priority', type: 'number', default: 0, description: 'When rules in one conflict group both fire, the higher priority wins' },
					{ displayName: 'Conflict Group', name: 'conflictGroup', type: 'string', default: '', description: 'Rules in the same group never both fire for one event' },
					{ displayName: 'Hold Others Back for Hours', name: 'suppressOthersForHours', type: 'number', default: 0, description: 'After this rule fires, other rules of its group wait this long' },
				],
			},
		],
	},
	{
		displayName: 'Rules (JSON)',
		name: 'rulesJson',
		type: 'json',
		default: '[\n  {\n    "id": "big_order_bonus",\n    "triggers": ["purchase"],\n    "conditions": { "all": [{ "fact": "event.order.totalMinor", "operator": "greater_than_or_equal", "value": 10000 }] },\n    "actions": [{ "type": "award_points", "mode": "fixed", "points": 50 }]\n  }\n]',
		displayOptions: { show: { rulesSource: ['json'] } },
		description: 'A list of rules or a rule set {"version": 1, "rules": [...]}. Mistakes are reported with their place, such as rules[2].conditions.all[1].operator.',
	},
	{
		displayName: 'Customer Details',
		name: 'profileFields',
		type: 'collection',
		placeholder: 'Add Detail',
		default: {},
		description: 'Details from earlier nodes (for example Segment Customer) that rules can use',
		options: [
			{ displayName: 'Lifecycle Stage', name: 'lifecycle', type: 'string', default: '', description: 'The customer’s stage, such as at-risk; replaces the one Segment Customer saved' },
			{ displayName: 'Segment', name: 'segment', type: 'string', default: '', description: 'The customer’s segment, such as Champions; replaces the one Segment Customer saved' },
			{ displayName: 'Time Zone', name: 'timeZone', type: 'string', default: '', description: 'The customer’s time zone, such as Europe/Paris, for morning windows and birthday months; replaces the stored one' },
		],
	},
	{
		displayName: 'Test Mode',
		name: 'testMode',
		type: 'boolean',
		default: false,
		description: 'Whether to decide without counting anything: limits, budgets and holds are read from the store but nothing is written, so you can try rules on the canvas safely',
	},
];
