import { z } from 'zod';
import { parseProgram, type ProgramInput } from '../ledger';
import { LoyaltyError } from '../model/errors';
import { currencySchema } from '../model/order';
import { parseOrThrow } from '../model/validate';
import type { Store } from '../store/store';
import { campaignReport } from './campaigns';
import type { ReportContext } from './context';
import { customerReport } from './customers';
import { experimentReports } from './experiments';
import { foldReport } from './fold';
import { healthReport } from './health';
import { periodBuckets, ReportPeriod } from './periods';
import { heldOrders, programReport } from './program';
import { referralReport } from './referrals';
import type { HealthView, LoyaltyReport } from './types';

export const DEFAULT_REDEMPTION_VALUE = 0.01;

export const reportOptionsSchema = z.object({
	programId: z.string().trim().min(1).optional(),
	/** The program's settings (earn rates, rounding) explain why an order earned nothing. */
	program: z.record(z.unknown()).optional(),
	/** Default: the program's first earn-rate currency. */
	currency: currencySchema.optional(),
	/** Default: the program's time zone. */
	timeZone: z.string().trim().min(1).optional(),
	period: z.enum([ReportPeriod.Day, ReportPeriod.Week, ReportPeriod.Month]).default(ReportPeriod.Week),
	periods: z.number().int().min(1).max(366).default(12),
	/** Money per point, in the currency's major unit: 0.01 is one cent per point. */
	redemptionValue: z.number().nonnegative().default(DEFAULT_REDEMPTION_VALUE),
	/** A purchase this many days after a decision counts as a conversion. */
	conversionDays: z.number().int().min(1).max(365).default(14),
	/** The conversion rate assumed for the holdout when the sample size is fixed in advance. */
	baselineRate: z.number().gt(0).lt(0.95).default(0.1),
	/** The smallest lift worth detecting, as a share (0.05 = 5 points). */
	minimumLift: z.number().gt(0).lt(0.5).default(0.05),
	/** A source is quiet after this many times its usual (median) gap between events… */
	quietFactor: z.number().gt(1).max(100).default(3),
	/** …and never before this many hours, so a shop that sleeps at night is not called quiet. */
	minQuietHours: z.number().gt(0).max(24 * 90).default(24),
});
export type ReportOptions = z.input<typeof reportOptionsSchema> & { now?: Date };

/** Reads the whole owner's report for one program and window from the store. */
export async function buildReport(store: Store, input: ReportOptions = {}): Promise<LoyaltyReport> {
	const { ctx, options } = reportContext(store, input);
	// The read model first catches up with what was written since the last look (bounded batches).
	await foldReport(store);
	const { currency, timeZone } = ctx;
	const program = ctx.program;
	const periods = ctx.periods;
	const now = ctx.now;
	const health = await healthReport(ctx);
	const programPart = await programReport(ctx);
	const campaigns = await campaignReport(ctx);
	const experiments = await experimentReports(ctx);
	const customers = await customerReport(ctx);
	const referrals = await referralReport(ctx);
	const empty = health.sources.length === 0 && programPart.members === 0 && health.quarantine.open === 0 && campaigns.rules.length === 0;
	const notes = [
		`Money in ${currency}; orders in other currencies are left out of sums (${customers.otherCurrencyOrders} such orders).`,
		`Days and ${options.period}s are in ${timeZone}; counts are made per UTC hour, so a zone with a half-hour offset shifts by up to 30 minutes.`,
		'Suppressions count each decision once per reason: holdouts, quiet-hour delays, and sends Send Offer refused (no consent, frequency caps, no address).',
		`Experiments: a customer converts when they buy within ${options.conversionDays} days after their first decision; customers whose window is still open are not counted yet.`,
	];
	return {
		version: 1,
		generatedAt: now.toISOString(),
		programId: program.id,
		currency,
		timeZone,
		period: options.period,
		periods,
		empty,
		health,
		program: programPart,
		campaigns,
		experiments,
		customers,
		referrals,
		notes,
	};
}

/** The part of the report the health check needs (quiet sources, quarantine, runs, reconciliation, held orders), and nothing else. */
export async function buildHealthReport(store: Store, input: ReportOptions = {}): Promise<HealthView> {
	const { ctx } = reportContext(store, input);
	await foldReport(store);
	const health = await healthReport(ctx);
	return { period: ctx.period, health, program: { held: await heldOrders(ctx) } };
}

function reportContext(store: Store, input: ReportOptions): { ctx: ReportContext; options: z.output<typeof reportOptionsSchema> } {
	const { now = new Date(), ...rest } = input;
	const options = parseOrThrow(reportOptionsSchema, rest, 'report');
	const program = parseProgram({ ...(options.program as ProgramInput | undefined), ...(options.programId ? { id: options.programId } : {}) });
	const currency = options.currency ?? Object.keys(program.earnRates)[0] ?? 'USD';
	const timeZone = options.timeZone ?? program.timeZone;
	if (!isTimeZone(timeZone)) throw LoyaltyError.invalid('report.timeZone', `"${timeZone}" is not a time zone (use an IANA name such as Europe/Berlin)`);
	const periods = periodBuckets(now, options.period, options.periods, timeZone);
	const ctx: ReportContext = {
		store,
		program,
		programId: program.id,
		currency,
		timeZone,
		period: options.period,
		periods,
		since: periods[0].start,
		now,
		redemptionValue: options.redemptionValue,
		conversionDays: options.conversionDays,
		baselineRate: options.baselineRate,
		minimumLift: options.minimumLift,
		quietFactor: options.quietFactor,
		minQuietHours: options.minQuietHours,
	};
	return { ctx, options };
}

function isTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}
