/**
 * Preloaded into the n8n under test (NODE_OPTIONS=--require …) so the suite can move that
 * process's wall clock: `Date` reads an offset in milliseconds from the file named by
 * LOYALTY_E2E_CLOCK_FILE. The product never knows: it calls `new Date()` as always, and only the
 * test harness sets this up. Timers (setTimeout, setInterval) keep real time.
 */
'use strict';
const fs = require('node:fs');

const file = process.env.LOYALTY_E2E_CLOCK_FILE;
if (file) {
	const RealDate = Date;
	let offset = 0;
	let readAt = -Infinity;
	let modifiedAt = -1;
	// Date.now() is called very often: the file is read again when its modification time moved
	// (a stat, much cheaper than a read), so a request sent right after the suite moved the clock
	// sees the new time, and at least every 50 ms of real time in case two writes fell in one tick
	// of the file system's clock.
	const currentOffset = () => {
		const real = RealDate.now();
		let modified = modifiedAt;
		try {
			modified = fs.statSync(file).mtimeMs;
		} catch {
			// Being rewritten: decided by the time alone.
		}
		if (modified !== modifiedAt || real - readAt > 50) {
			readAt = real;
			try {
				const text = fs.readFileSync(file, 'utf8').trim();
				const value = Number(text);
				// An empty file is one being written (by an older harness): keep the last offset, look again.
				if (text !== '' && Number.isFinite(value)) {
					offset = value;
					modifiedAt = modified;
				}
			} catch {
				// The file is being rewritten: keep the last offset.
			}
		}
		return offset;
	};
	function MovableDate(...args) {
		if (!new.target) return new RealDate(RealDate.now() + currentOffset()).toString();
		return Reflect.construct(RealDate, args.length === 0 ? [RealDate.now() + currentOffset()] : args, new.target);
	}
	// Same prototype, so `instanceof Date` holds for dates made before and after the swap.
	MovableDate.prototype = RealDate.prototype;
	MovableDate.now = () => RealDate.now() + currentOffset();
	MovableDate.parse = RealDate.parse;
	MovableDate.UTC = RealDate.UTC;
	Object.defineProperty(MovableDate, 'name', { value: 'Date' });
	// The harness's own process may be moved too (the demo); MovableClock sets offsets from real time.
	Object.defineProperty(MovableDate, 'real', { value: RealDate });
	globalThis.Date = MovableDate;
}
