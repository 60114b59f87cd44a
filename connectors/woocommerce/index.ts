export * from './types';
export * from './webhook';
export * from './normalizer';
export { DEFAULT_BIRTHDAY_META_KEYS } from './birthday';
export * from './client';
export * from './history';
export { wooCommerceShopKey } from './productCategories';
export * from './products';
