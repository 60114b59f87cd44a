import { LifecycleStage } from './lifecycle';
import { ValueTier } from './valueTier';

/** The signals an action is chosen from; each is reported with the choice. */
export interface ActionSignals {
	lifecycle: LifecycleStage;
	valueTier: ValueTier;
	/** Share of the customer's orders that used a discount (0–1). */
	discountShare: number;
	/** Share of the customer's spend in their favourite brand or category (0–1). */
	topCategoryShare: number;
	topCategory?: string;
	orders: number;
}

export const NextAction = {
	WinBack: 'win-back',
	Onboarding: 'onboarding-quick-win',
	Vip: 'vip-surprise-upgrade',
	ValueOffer: 'value-offer',
	EarlyAccess: 'early-access-exclusive',
	KeepInTouch: 'keep-in-touch',
} as const;
export type NextAction = (typeof NextAction)[keyof typeof NextAction];

export interface NextBestAction {
	action: NextAction;
	reason: string;
	signals: ActionSignals;
}

export interface NextBestActionOptions {
	/** Discount share from which a customer is price sensitive (default 0.5). */
	priceSensitiveShare?: number;
	/** Share of spend in one category from which a repeat customer is an enthusiast (default 0.6). */
	enthusiastShare?: number;
	/** Orders needed before enthusiasm counts (default 3). */
	enthusiastOrders?: number;
}

/**
 * One action per customer, first match wins: keeping a customer who is slipping away matters more
 * than growing one who is not, and a new customer's first repeat comes before everything else.
 */
export function nextBestAction(signals: ActionSignals, options: NextBestActionOptions = {}): NextBestAction {
	const choose = (action: NextAction, reason: string): NextBestAction => ({ action, reason, signals });
	if (signals.lifecycle === LifecycleStage.AtRisk || signals.lifecycle === LifecycleStage.Lapsed) {
		return choose(NextAction.WinBack, `lifecycle is ${signals.lifecycle}`);
	}
	if (signals.lifecycle === LifecycleStage.New) return choose(NextAction.Onboarding, 'new customer: make the second order easy');
	if (signals.valueTier === ValueTier.High) return choose(NextAction.Vip, 'high-value customer');
	const priceShare = options.priceSensitiveShare ?? 0.5;
	if (signals.discountShare >= priceShare) return choose(NextAction.ValueOffer, `price sensitive: ${Math.round(signals.discountShare * 100)}% of orders used a discount`);
	if (signals.orders >= (options.enthusiastOrders ?? 3) && signals.topCategoryShare >= (options.enthusiastShare ?? 0.6)) {
		return choose(NextAction.EarlyAccess, `enthusiast: ${Math.round(signals.topCategoryShare * 100)}% of spend on ${signals.topCategory ?? 'one category'}`);
	}
	return choose(NextAction.KeepInTouch, 'no stronger signal');
}
