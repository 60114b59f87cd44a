import { writeFileSync } from 'node:fs';
import { buildReport, healthAlerts, openStore, peekProgram, renderReportHtml, reportProgramOf, type ReportOptions } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { cliDefaultTimeZone } from '../program';
import { storeFromFlags } from '../storeFromFlags';

const USAGE = `n8n-loyalty report [--json] [--html <file>] [--alerts] [report options] [store options]

The owner's report: health (events per source, quiet sources, quarantine, parked runs, orders
against points), the program (members, points, liability, breakage, tiers), campaigns, experiments
with honest verdicts, and members against non-members. --json prints the report value (the
default); --html writes the same value as a self-contained page. Both may be given.
--alerts prints what needs attention now (quiet sources, quarantine, parked runs, held points,
orders never processed), one JSON line each, and exits with 4 when there is any: a health check
for cron or a monitoring system.

Report options:
  --program-id <id>          program (default "default"); money, time zone, earn rates and the
                             redemption value are its stored settings (n8n-loyalty program show)
  --period day|week|month    column size (default week)
  --weeks <n>                how many periods, whatever their size (default 12); --periods is the same
  --currency <ISO>           money in this currency (default: the program's)
  --time-zone <IANA>         days and weeks in this zone (default: the program's)
  --redemption-value <x>     money per point for the liability (default: the program's)
  --conversion-days <n>      experiments: a purchase within n days converts (default 14)
  --now <ISO instant>        report as of this instant (default: now)

Store options:
  --store <file>          embedded SQLite file (default: <N8N_USER_FOLDER>/.n8n/loyalty.sqlite)
  --pg <url>              PostgreSQL instead, e.g. postgres://postgres@127.0.0.1:5432/test
  --schema <name>         PostgreSQL schema for the loyalty tables`;

/**
 * Report options from command-line flags on top of the stored program's (`base`), as the
 * dashboard page reads them; exported so tests build the same options.
 */
export function reportOptionsFromFlags(flags: ParsedArgs['flags'], base: ReportOptions = {}): ReportOptions {
	if (flags.program !== undefined) throw new Error('report: --program: program settings are stored once now (n8n-loyalty program set); pick the program with --program-id');
	const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
	const number = (name: string) => {
		const value = text(name);
		if (value === undefined) return undefined;
		const parsed = Number(value);
		if (!Number.isFinite(parsed)) throw new Error(`report: --${name} must be a number, got "${value}"`);
		return parsed;
	};
	const now = text('now');
	if (now !== undefined && Number.isNaN(Date.parse(now))) throw new Error(`report: --now must be an ISO instant, got "${now}"`);
	const options: ReportOptions = {
		currency: text('currency'),
		timeZone: text('time-zone'),
		period: text('period') as ReportOptions['period'],
		periods: number('weeks') ?? number('periods'),
		redemptionValue: number('redemption-value'),
		conversionDays: number('conversion-days'),
		...(now ? { now: new Date(now) } : {}),
	};
	return { ...base, ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ReportOptions) };
}

export const reportCommand: CliCommand = {
	name: 'report',
	summary: "the owner's report (health, points, liability, campaigns, experiments) as JSON or an HTML page",
	usage: USAGE,
	async run({ flags }) {
		reportOptionsFromFlags(flags);
		const store = await openStore(storeFromFlags(flags));
		try {
			const program = await peekProgram(store, flags['program-id'], cliDefaultTimeZone());
			const options = reportOptionsFromFlags(flags, reportProgramOf(program.id, program.version, program.settings));
			const report = await buildReport(store, options);
			if (typeof flags.html === 'string') {
				writeFileSync(flags.html, renderReportHtml(report));
				if (flags.json !== true) console.error(`wrote ${flags.html}`);
			}
			if (flags.alerts === true) {
				const alerts = healthAlerts(report);
				for (const alert of alerts) console.log(JSON.stringify(alert));
				if (flags.json === true) console.log(JSON.stringify(report));
				return alerts.length > 0 ? 4 : 0;
			}
			if (flags.json === true || typeof flags.html !== 'string') console.log(JSON.stringify(report));
			return 0;
		} finally {
			await store.close();
		}
	},
};

export const REPORT_COMMANDS: readonly CliCommand[] = [reportCommand];
