export * from './http';
export * as woocommerce from './woocommerce';
export * as square from './square';
export * as generic from './generic';
export { SignatureRejection } from './shared/hmac';
export type { IncomingHeaders } from './shared/headers';
export * as klaviyo from './klaviyo';
export * as twilio from './twilio';
export * as cartflows from './cartflows';
