export * from './accept';
export * from './deliveries';
export * from './quarantine';
export * from './wakeups';
export * from './replay';
export * from './products';
