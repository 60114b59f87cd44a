export * from './client';
export * from './webhook';
export * from './normalizer';
export * from './clicks';
