import { EventEmitter } from 'node:events';

/**
 * In-process nudge from intake to the event triggers of the same process, so a recorded event
 * starts its runs at once instead of at the next poll. Only a hint: triggers also poll the store,
 * which is what carries events between processes (webhook processes, a second main).
 */
const recorded = new EventEmitter();
recorded.setMaxListeners(0);

export function announceRecordedEvents(): void {
	recorded.emit('recorded');
}

export function onRecordedEvents(listener: () => void): () => void {
	recorded.on('recorded', listener);
	return () => recorded.off('recorded', listener);
}
