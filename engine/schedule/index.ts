/** Schedule mode's pure half: settings, and the calendar maths of due events. The SQL is in engine/store/dueEvents.ts. */
export * from './settings';
export * from './birthday';
export * from './inactivity';
export type { DueEvent } from './types';
