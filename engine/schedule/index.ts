/** Schedule mode: settings, the calendar maths of due events, and their claim (dueEvents.ts, the SQL). */
export * from './settings';
export * from './birthday';
export * from './inactivity';
export type { DueEvent } from './types';
export { claimDueEvents, claimDueEventsFrom, dueEventKey } from './dueEvents';
