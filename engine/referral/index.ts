export { referralOffers, ReferralOffer } from './offers';
export { Referrals, ReferralOutcomeStatus, type ReferralCode, type ReferralOutcome, type ReferralsOptions } from './referrals';
export { normalizeReferralCode, referralCodesInText, REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH } from './code';
export { referralPolicySchema, referralLink, type ReferralPolicy, type ReferralPolicyInput } from './policy';
export { ReferralRefusal, ReferralStatus } from './rows';
export { REFERRAL_MIGRATIONS } from './migrations';
