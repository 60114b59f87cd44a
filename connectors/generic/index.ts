export * from './webhook';
export * from './normalizer';
export * from './products';
