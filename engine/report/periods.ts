import { DateTime } from 'luxon';

export const ReportPeriod = { Day: 'day', Week: 'week', Month: 'month' } as const;
export type ReportPeriod = (typeof ReportPeriod)[keyof typeof ReportPeriod];

/** One column of the report: [start, end) in UTC ISO, labelled in the shop's time zone. */
export interface PeriodBucket {
	key: string;
	label: string;
	start: string;
	end: string;
}

/** The last `count` whole-or-current periods ending with the one that contains `now`, in `zone`. */
export function periodBuckets(now: Date, period: ReportPeriod, count: number, zone: string): PeriodBucket[] {
	const current = DateTime.fromJSDate(now, { zone }).startOf(period);
	const buckets: PeriodBucket[] = [];
	for (let i = count - 1; i >= 0; i--) {
		const start = current.minus({ [`${period}s`]: i });
		const end = start.plus({ [`${period}s`]: 1 });
		buckets.push({
			key: start.toISODate() ?? '',
			label: period === 'month' ? start.toFormat('LLL yyyy') : period === 'week' ? `week of ${start.toFormat('d LLL')}` : start.toFormat('d LLL'),
			start: start.toUTC().toISO() ?? '',
			end: end.toUTC().toISO() ?? '',
		});
	}
	return buckets;
}

/** Index of the bucket an ISO instant falls in (−1 outside them all); bounds parsed once, binary search per row. */
export function bucketer(buckets: readonly PeriodBucket[]): (iso: string) => number {
	const starts = buckets.map((b) => Date.parse(b.start));
	const ends = buckets.map((b) => Date.parse(b.end));
	return (iso: string) => {
		const t = Date.parse(iso);
		let lo = 0;
		let hi = starts.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (t < starts[mid]) hi = mid - 1;
			else if (t >= ends[mid]) lo = mid + 1;
			else return mid;
		}
		return -1;
	};
}
