export * from './types';
export * from './webhook';
export * from './normalizer';
export * from './client';
export * from './loyaltyMirror';
export * from './history';
export * from './inventory';
export * from './catalog';
