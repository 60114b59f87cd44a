import type { INodeProperties } from 'n8n-workflow';

import { OPERATORS, PRESETS, RULE_TRIGGERS } from '../../../engine';
import { titleCase } from '../../shared/labels';
import { FACT_OPTIONS } from './facts';

const presetsShown = { show: { rulesSource: ['presets'] } };
const blankRule = { show: { startFrom: ['blank'] } };

/** Where the rules come from; the subtitle shows the same names. */
export const RULE_SOURCE_OPTIONS = [
	{ name: 'Ready-Made Rules', value: 'presets', description: 'Pick proven rules and adjust their numbers' },
	{ name: 'Rule Builder', value: 'builder', description: 'When [event], if [conditions], then [action], filled in step by step; a rule may start from a ready-made one' },
	{ name: 'JSON', value: 'json', description: 'Paste rules as JSON (see n8n-loyalty schema rules)' },
];

export const rulesProperties: INodeProperties[] = [
	{
		displayName: 'Rule Source',
		name: 'rulesSource',
		type: 'options',
		noDataExpression: true,
		options: RULE_SOURCE_OPTIONS,
		default: 'presets',
	},
	{
		displayName: 'Ready-Made Rules',
		name: 'presets',
		type: 'multiOptions',
		options: PRESETS.map((p) => ({ name: titleCase(p.title), value: p.id, description: p.description })),
		default: ['first_purchase_bonus'],
		displayOptions: presetsShown,
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
			{ displayName: 'Big Order: Minimum Amount', name: 'bigOrderThreshold', type: 'number', default: 100 },
			{ displayName: 'Big Order: Points', name: 'bigOrderPoints', type: 'number', default: 50 },
			{ displayName: 'Birthday: Points', name: 'birthdayPoints', type: 'number', default: 100 },
			{ displayName: 'Cart: Follow-Up Coupon Percent', name: 'couponPercent', type: 'number', default: 10 },
			{ displayName: 'Cart: Idle Minutes', name: 'cartIdleMinutes', type: 'number', default: 120 },
			{ displayName: 'Cart: Minimum Amount', name: 'cartMinimum', type: 'number', default: 50 },
			{ displayName: 'Cross-Category: Bought Category', name: 'fromCategory', type: 'string', default: 'coffee' },
			{ displayName: 'Cross-Category: Double Points On', name: 'toCategory', type: 'string', default: 'pastries' },
			{ displayName: 'Cross-Sell: Bought Category', name: 'crossSellBought', type: 'string', default: 'coffee' },
			{ displayName: 'Cross-Sell: Suggest Category', name: 'crossSellMissing', type: 'string', default: 'tea' },
			{ displayName: 'Currency', name: 'currency', type: 'string', default: 'USD', description: 'Currency of the amounts below' },
			{ displayName: 'First Purchase: Points', name: 'firstPurchasePoints', type: 'number', default: 100 },
			{ displayName: 'Lifetime Spend: Amount', name: 'lifetimeSpend', type: 'number', default: 500 },
			{ displayName: 'Lifetime Spend: Bonus Points', name: 'lifetimePoints', type: 'number', default: 200 },
			{ displayName: 'Lifetime Spend: Tier', name: 'lifetimeTier', type: 'string', default: 'Gold' },
			{ displayName: 'Morning: From', name: 'morningFrom', type: 'string', default: '07:00' },
			{ displayName: 'Morning: Points', name: 'morningPoints', type: 'number', default: 20 },
			{ displayName: 'Morning: To', name: 'morningTo', type: 'string', default: '10:00' },
			{ displayName: 'New Store Visit: Points', name: 'newLocationPoints', type: 'number', default: 50 },
			{ displayName: 'Online Customer in Store: Points', name: 'storeVisitPoints', type: 'number', default: 50 },
			{ displayName: 'Replenishment: Categories', name: 'replenishmentCategories', type: 'string', default: 'coffee', description: 'Categories that earn the extra points, separated by commas' },
			{ displayName: 'Replenishment: Points Multiplier', name: 'replenishmentMultiplier', type: 'number', default: 2 },
			{ displayName: 'Streak: Purchases', name: 'streakPurchases', type: 'number', default: 3 },
			{ displayName: 'Streak: Tier (Empty Starts a Challenge)', name: 'streakTier', type: 'string', default: '' },
			{ displayName: 'Streak: Within Days', name: 'streakDays', type: 'number', default: 60 },
			{ displayName: 'Visits: Free Item', name: 'freeItem', type: 'string', default: 'coffee' },
			{ displayName: 'Win-Back: Days Without Purchase', name: 'winBackDays', type: 'number', default: 60 },
			{ displayName: 'Win-Back: High-Value Spend', name: 'highValueSpend', type: 'number', default: 300 },
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
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Big spender bonus' },
					{
						displayName: 'Start From Preset',
						name: 'startFrom',
						type: 'options',
						options: [{ name: 'Blank Rule', value: 'blank' }, ...PRESETS.map((p) => ({ name: titleCase(p.title), value: p.id, description: `${p.description.replace(/\.$/, '')}; its numbers come from Adjust Numbers, and conditions added below must hold too` }))],
						default: 'blank',
						description: 'Take a ready-made rule and tweak it: add conditions, rename it, or change its limits',
					},
					{ displayName: 'When', name: 'trigger', type: 'options', options: RULE_TRIGGERS.map((t) => ({ name: titleCase(t), value: t })), default: 'purchase', description: 'The event the rule listens for', displayOptions: blankRule },
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
									{ displayName: 'Field', name: 'fact', type: 'options', options: FACT_OPTIONS, default: 'event.order.totalMinor' },
									{ displayName: 'Operator', name: 'operator', type: 'options', options: OPERATORS.map((o) => ({ name: titleCase(o.name), value: o.name })), default: 'greater_than_or_equal' },
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
							{ name: 'All Conditions', value: 'all' },
							{ name: 'Any Condition', value: 'any' },
						],
						default: 'all',
					},
					{
						displayName: 'Then',
						name: 'action',
						type: 'options',
						options: [
							{ name: 'Add Tag', value: 'add_tag' },
							{ name: 'Give Points', value: 'award_fixed' },
							{ name: 'Issue Coupon', value: 'issue_coupon' },
							{ name: 'Multiply Order Points', value: 'award_multiplier' },
							{ name: 'Send Offer', value: 'send_offer' },
							{ name: 'Set Tier', value: 'set_tier' },
						],
						default: 'award_fixed',
						displayOptions: blankRule,
					},
					{ displayName: 'Points', name: 'points', type: 'number', default: 50, displayOptions: { show: { startFrom: ['blank'], action: ['award_fixed'] } } },
					{ displayName: 'Multiplier', name: 'multiplier', type: 'number', default: 2, displayOptions: { show: { startFrom: ['blank'], action: ['award_multiplier'] } } },
					{ displayName: 'Offer Template', name: 'offerTemplate', type: 'string', default: '', displayOptions: { show: { startFrom: ['blank'], action: ['send_offer'] } } },
					{ displayName: 'Percent Off', name: 'percentOff', type: 'number', default: 10, displayOptions: { show: { startFrom: ['blank'], action: ['send_offer', 'issue_coupon'] } } },
					{ displayName: 'Coupon Valid Hours', name: 'validHours', type: 'number', default: 24, displayOptions: { show: { startFrom: ['blank'], action: ['issue_coupon'] } } },
					{ displayName: 'Tier', name: 'tier', type: 'string', default: '', displayOptions: { show: { startFrom: ['blank'], action: ['set_tier'] } } },
					{ displayName: 'Tag', name: 'tag', type: 'string', default: '', displayOptions: { show: { startFrom: ['blank'], action: ['add_tag'] } } },
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
			{ displayName: 'Lifecycle Stage', name: 'lifecycle', type: 'string', default: '' },
			{ displayName: 'Segment', name: 'segment', type: 'string', default: '' },
			{ displayName: 'Time Zone', name: 'timeZone', type: 'string', default: '' },
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
