export * from './client';
export * from './startedCheckout';
export * from './engagement';
export * from './viewedProduct';
