export * from './settings';
export * from './program';
export { PROGRAM_MIGRATIONS } from './migrations';
