/** Consent-aware delivery: pure checks that answer with the reason for a refusal. No I/O. */
export * from './decision';
export * from './refusal';
export * from './consent';
export * from './quietHours';
export * from './phone';
export * from './phoneTimeZone';
export * from './frequency';
export * from './channel';
export * from './holdout';
export * from './template';
export * from './couponCode';
export * from './fingerprint';
export * from './plan';
export * from './deliver';
export * from './fromRules';
export * from './deliveryLog';
export { loyaltySnapshot, type LoyaltyProfileSnapshot } from './loyaltySnapshot';
export * from './sendOffer';
