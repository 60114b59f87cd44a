/** Browse and price triggers: product views, wish-list entries, last seen price and stock, alerts. */
export * from './settings';
export { ViewKind, browseFactsOfView, interestedCustomers, normalCategories, pruneViews, recordView, viewRefusal, viewedProductIds, type InterestedCustomer, type RecordViewInput } from './views';
export { findProduct, observeProduct, type KnownProduct, type ProductChange } from './products';
export { productAlertEvents } from './alerts';
