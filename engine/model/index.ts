export * from './errors';
export * from './money';
export * from './customer';
export * from './order';
export * from './cart';
export * from './refund';
export * from './event';
export * from './validate';
