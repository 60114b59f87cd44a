export * from './webhook';
export * from './normalizer';
