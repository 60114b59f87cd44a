/**
 * Peak resident memory of the bench process: `process.memoryUsage().rss`, sampled every 20 ms
 * and whenever a line is printed. Bench lines report it as `peakRssMb`.
 */
let peak = process.memoryUsage().rss;
const timer = setInterval(() => sample(), 20);
timer.unref();

export function sample(): number {
	const rss = process.memoryUsage().rss;
	if (rss > peak) peak = rss;
	return peak;
}

/** Peak RSS so far in MB (one decimal), sampled now as well. */
export function peakRssMb(): number {
	return Math.round(sample() / 104857.6) / 10;
}

/** Starts a new peak window, so each measurement reports its own peak. */
export function resetPeak(): void {
	peak = process.memoryUsage().rss;
}
