import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the preload lives; pass `clock.env` to startN8n so the n8n process uses it. */
const PRELOAD = join(__dirname, 'movableClock.cjs');

/** Real time, also in a process whose own `Date` follows the clock (see `followInThisProcess`). */
const realNow = (): number => ((Date as unknown as { real?: DateConstructor }).real ?? Date).now();

/**
 * The wall clock of the n8n under test (see movableClock.cjs): the suite sets it to a moment of
 * the scenario and moves it forward ("2 hours later"). Real time keeps running underneath, so a
 * scenario's "now" is `at` plus the seconds the test itself takes.
 */
export class MovableClock {
	private offsetMs = 0;

	constructor(private readonly file: string) {
		writeFileSync(file, '0');
	}

	static inFolder(folder: string): MovableClock {
		return new MovableClock(join(folder, 'clock-offset'));
	}

	/**
	 * Moves this process's `Date` with the offset in `file` too, so what runs here (the shop
	 * sandbox's timestamps, a narration's times) shares the scenario's clock with n8n. Call it once,
	 * before the clock is set; timers keep real time.
	 */
	static followInThisProcess(file: string): void {
		writeFileSync(file, '0');
		process.env.LOYALTY_E2E_CLOCK_FILE = file;
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		require(PRELOAD);
	}

	get env(): Record<string, string> {
		const existing = process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ` : '';
		return { NODE_OPTIONS: `${existing}--require ${PRELOAD}`, LOYALTY_E2E_CLOCK_FILE: this.file };
	}

	now(): Date {
		return new Date(realNow() + this.offsetMs);
	}

	set(at: Date | string): void {
		this.offsetMs = new Date(at).getTime() - realNow();
		// Written aside and renamed over the file, so n8n never reads a half-written offset.
		writeFileSync(`${this.file}.next`, String(this.offsetMs));
		renameSync(`${this.file}.next`, this.file);
	}

	advance(ms: number): void {
		this.set(new Date(this.now().getTime() + ms));
	}
}
