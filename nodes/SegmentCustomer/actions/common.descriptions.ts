import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	type Store,
	LoyaltyError,
	TRANSACTION_MODELS,
	decimalToMinor,
	type LifecycleOptions,
	type ReplenishmentOptions,
	type TransactionModelName,
	type ValueTierRules,
	type CustomerRef,
} from '../../../engine';
import { customerFields as sharedCustomerFields, readCustomerRef } from '../../shared/customer';

/** The shared customer block; Segment Customer reads customers that are already in the store. */
export const customerFields: INodeProperties[] = sharedCustomerFields({ allowCustomerId: true, version1DefaultsToCustomerId: true });

/** The stored customer id for "Identify Customer By" + value; a customer never seen is an error naming the field. */
export async function readCustomerId(this: IExecuteFunctions, store: Store, itemIndex: number): Promise<string> {
	const ref = readCustomerRef.call(this, itemIndex);
	const customer = await store.findCustomer(ref);
	if (!customer) throw LoyaltyError.notFound('customer', `no customer with ${describeRef(ref)} in the loyalty store`);
	return customer.id;
}

function describeRef(ref: CustomerRef): string {
	if ('customerId' in ref && ref.customerId) return `customerId "${ref.customerId}"`;
	const [kind, value] = Object.entries(('identities' in ref ? ref.identities : undefined) ?? {})[0] ?? ['identity', ''];
	return `${kind} "${String(value)}"`;
}

export const insightSettings: INodeProperties = {
	displayName: 'Settings',
	name: 'insightSettings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	description: 'Which program and currency to look at, on which day, and the rules that sort customers into stages and tiers. Leave a rule out to use the default.',
	options: [
		{
			displayName: 'As Of Date',
			name: 'asOf',
			type: 'string',
			default: '',
			placeholder: 'e.g. 2026-01-31',
			description: 'Take the picture as it was at the end of this day (YYYY-MM-DD). Empty means today (UTC).',
		},
		{
			displayName: 'At Risk After (Days)',
			name: 'atRiskDays',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 90,
			description: 'With fixed lifecycle thresholds: days without an order before a customer is at risk',
		},
		{
			displayName: 'At Risk After (Missed Orders)',
			name: 'atRiskGaps',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 2,
			description: 'With lifecycle thresholds from each customer’s rhythm: a customer is at risk once they have gone this many of their usual gaps between orders without buying. Someone who buys every 30 days is at risk after 60 days with 2.',
		},
		{
			displayName: 'High-Value Categories',
			name: 'highCategories',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 3,
			description: 'Together with High-Value Orders: a customer who has ordered that often across at least this many different product categories is high-value, whatever they spent',
		},
		{
			displayName: 'High-Value Orders',
			name: 'highOrders',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 6,
			description: 'Together with High-Value Categories: a customer with at least this many orders (several on one day count once) across enough categories is high-value',
		},
		{
			displayName: 'High-Value Spend',
			name: 'highSpend',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 500,
			description: 'A customer who has spent at least this much in total (in the currency above, for example 500 for $500.00) is high-value. Without this setting the top 20% of spenders are.',
		},
		{
			displayName: 'Lapsed After (Days)',
			name: 'lapsedDays',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 180,
			description: 'With fixed lifecycle thresholds: days without an order before a customer has lapsed',
		},
		{
			displayName: 'Lapsed After (Missed Orders)',
			name: 'lapsedGaps',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 4,
			description: 'With lifecycle thresholds from each customer’s rhythm: a customer has lapsed once they have gone this many of their usual gaps between orders without buying',
		},
		{
			displayName: 'Lifecycle Thresholds',
			name: 'lifecycleMode',
			type: 'options',
			options: [
				{ name: 'From Each Customer’s Rhythm', value: 'rhythm', description: 'Someone who buys every 90 days is not at risk on day 40; uses the Missed Orders settings' },
				{ name: 'Fixed Days', value: 'fixed', description: 'The same number of days for everyone; uses the Days settings' },
			],
			default: 'rhythm',
			description: 'How to decide when a customer is at risk or has lapsed',
		},
		{
			displayName: 'Loyal From Orders',
			name: 'loyalOrders',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 4,
			description: 'An active customer with at least this many orders is loyal',
		},
		{
			displayName: 'Mid-Tier Orders',
			name: 'midOrders',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 2,
			description: 'A customer who is not high-value but has at least this many orders is mid-tier',
		},
		{
			displayName: 'Mid-Tier Spend',
			name: 'midSpend',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 100,
			description: 'A customer who is not high-value but has spent at least this much (in the currency above) is mid-tier. Without this setting the top half of spenders are.',
		},
		{
			displayName: 'New Customer For (Days)',
			name: 'newDays',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30,
			description: 'How long after their first order a one-order customer counts as new',
		},
		{
			displayName: 'Prediction Model',
			name: 'model',
			type: 'options',
			options: [
				{ name: 'BG/NBD', value: 'bgnbd', description: 'Fast and robust; treats every one-time buyer as still active' },
				{ name: 'MBG/NBD', value: 'mbgnbd', description: 'Like BG/NBD, but a one-time buyer may already be gone' },
				{ name: 'Pareto/NBD', value: 'pareto-nbd', description: 'The classic model; slower to fit' },
			],
			default: 'bgnbd',
			description: 'Used when the models are fitted; scoring reuses the last fitted model',
		},
		{
			displayName: 'Refill Reminder Timing (%)',
			name: 'remindAtPercent',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 93,
			description: 'When to remind a customer to buy again, as a share of how long the product lasts them: 93 reminds on day 28 of a 30-day supply',
		},
		{
			displayName: 'Refill Repeat Purchases Needed',
			name: 'minIntervals',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 5,
			description: 'How many times customers in total must have bought a product again before it gets refill reminders',
		},
		{
			displayName: 'Refill Steadiness Tolerance (%)',
			name: 'maxVariationPercent',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'How irregular the time between repeat purchases of a product may be for it to count as bought regularly; higher allows more irregular products',
		},
	],
};

export interface InsightSettings {
	asOf: string;
	currency: string;
	model: TransactionModelName;
	programId: string;
	timeZone: string;
	/** Only the rules the owner set; the engine's defaults fill the rest. */
	lifecycle: LifecycleOptions;
	valueTierRules: Partial<ValueTierRules>;
	replenishment: ReplenishmentOptions;
}

/** A number the owner set, or undefined when they left the setting out. */
function optionalNumber(settings: IDataObject, name: string, check: { integer?: boolean; min: number; max?: number }): number | undefined {
	const value = settings[name];
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'number' ? value : Number(value);
	const bad = !Number.isFinite(number) || number < check.min || (check.max !== undefined && number > check.max) || (check.integer && !Number.isInteger(number));
	if (bad) throw LoyaltyError.invalid(name, `${JSON.stringify(value)} must be ${check.integer ? 'a whole number' : 'a number'} of at least ${check.min}${check.max === undefined ? '' : ` and at most ${check.max}`}`);
	return number;
}

/** Drops the settings left out, so they do not override the engine's defaults. */
function defined<T extends object>(values: T): Partial<T> {
	return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The node's insight settings; the program (id, currency, time zone) is the stored one. */
export function readSettings(this: IExecuteFunctions, itemIndex: number, program: { id: string; currency: string; timeZone: string }, today: () => Date = () => new Date()): InsightSettings {
	const settings = this.getNodeParameter('insightSettings', itemIndex, {}) as IDataObject;
	const asOf = typeof settings.asOf === 'string' && settings.asOf.trim() ? settings.asOf.trim() : today().toISOString().slice(0, 10);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw LoyaltyError.invalid('asOf', `"${asOf}" is not a date like 2026-01-31`);
	const model = (typeof settings.model === 'string' ? settings.model : 'bgnbd') as TransactionModelName;
	if (!TRANSACTION_MODELS.includes(model)) throw LoyaltyError.invalid('model', `"${model}" is not a prediction model`);
	const { currency, timeZone } = program;
	const programId = program.id;
	const mode = settings.lifecycleMode ?? 'rhythm';
	if (mode !== 'rhythm' && mode !== 'fixed') throw LoyaltyError.invalid('lifecycleMode', `"${String(mode)}" is not rhythm or fixed`);
	const spend = (name: string): number | undefined => {
		const amount = optionalNumber(settings, name, { min: 0 });
		return amount === undefined ? undefined : decimalToMinor(amount, currency, name);
	};
	const lifecycle = defined<LifecycleOptions>({
		mode,
		atRiskGaps: optionalNumber(settings, 'atRiskGaps', { min: 0.1 }),
		lapsedGaps: optionalNumber(settings, 'lapsedGaps', { min: 0.1 }),
		atRiskDays: optionalNumber(settings, 'atRiskDays', { integer: true, min: 1 }),
		lapsedDays: optionalNumber(settings, 'lapsedDays', { integer: true, min: 1 }),
		newDays: optionalNumber(settings, 'newDays', { integer: true, min: 1 }),
		loyalOrders: optionalNumber(settings, 'loyalOrders', { integer: true, min: 1 }),
	});
	const valueTierRules = defined<Partial<ValueTierRules>>({
		highSpend: spend('highSpend'),
		highOrders: optionalNumber(settings, 'highOrders', { integer: true, min: 1 }),
		highCategories: optionalNumber(settings, 'highCategories', { integer: true, min: 1 }),
		midSpend: spend('midSpend'),
		midOrders: optionalNumber(settings, 'midOrders', { integer: true, min: 1 }),
	});
	const remindAtPercent = optionalNumber(settings, 'remindAtPercent', { min: 1, max: 100 });
	const maxVariationPercent = optionalNumber(settings, 'maxVariationPercent', { min: 1 });
	const replenishment = defined<ReplenishmentOptions>({
		minIntervals: optionalNumber(settings, 'minIntervals', { integer: true, min: 1 }),
		remindAtFraction: remindAtPercent === undefined ? undefined : remindAtPercent / 100,
		maxVariation: maxVariationPercent === undefined ? undefined : maxVariationPercent / 100,
	});
	return { asOf, currency, model, programId, timeZone, lifecycle, valueTierRules, replenishment };
}

/** The parts of the settings that decide a customer's picture. */
export function segmentationOf(settings: InsightSettings): { model: TransactionModelName; lifecycle: LifecycleOptions; valueTierRules: Partial<ValueTierRules> } {
	return { model: settings.model, lifecycle: settings.lifecycle, valueTierRules: settings.valueTierRules };
}
