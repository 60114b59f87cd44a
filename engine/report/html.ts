import { DateTime } from 'luxon';
import { minorUnitExponent } from '../model/money';
import { healthAlerts } from './alerts';
import { referralSection } from './referrals';
import type { ExperimentReport, LoyaltyReport, SourceHealth } from './types';

/**
 * The owner's page: one self-contained HTML document rendered from a `LoyaltyReport`. Charts are
 * inline SVG drawn here; no script, no external resource, no cookie. Readable on a phone, light or
 * dark as the device prefers.
 */
export function renderReportHtml(report: LoyaltyReport, options: { locale?: string } = {}): string {
	const f = formatters(report, options.locale ?? 'en-US');
	const body = report.empty ? emptyPage(report) : [summary(report, f), pointsSection(report, f), healthSection(report, f), campaignSection(report, f), experimentSection(report, f), customerSection(report, f), referralSection(report.referrals, { table, int: f.int }), notesSection(report)].join('\n');
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Loyalty dashboard – ${esc(report.programId)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>Loyalty dashboard</h1><p class="muted">Program <b>${esc(report.programId)}</b> · ${esc(report.periods.length + ' ' + report.period + 's')} · ${esc(report.currency)} · ${esc(report.timeZone)} · generated ${esc(f.dateTime(report.generatedAt))}</p></header>
<main>
${body}
</main>
</body>
</html>
`;
}

interface Formatters {
	int(n: number): string;
	money(minor: number): string;
	pct(share: number | undefined): string;
	dateTime(iso: string): string;
}

function formatters(report: LoyaltyReport, locale: string): Formatters {
	const ints = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
	const exponent = minorUnitExponent(report.currency);
	const money = new Intl.NumberFormat(locale, { style: 'currency', currency: report.currency });
	const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
	return {
		int: (n) => ints.format(n),
		money: (minor) => money.format(minor / 10 ** exponent),
		pct: (share) => (share === undefined || !Number.isFinite(share) ? '–' : pct.format(share)),
		dateTime: (iso) => DateTime.fromISO(iso, { zone: report.timeZone }).toFormat('d LLL yyyy, HH:mm'),
	};
}

function emptyPage(report: LoyaltyReport): string {
	return `<section class="card empty" data-figure="empty">
<h2>No data yet — here is how to connect your shop</h2>
<p>The store for program <b>${esc(report.programId)}</b> has no events, members or campaigns yet. Once your shop sends its first order, this page fills in by itself.</p>
<ol>
<li>In n8n, import the <b>Points on purchase</b> template (or add a <b>Loyalty Trigger</b> node) and open its webhook URL.</li>
<li>In WooCommerce (Settings → Advanced → Webhooks) or Square (Developer Dashboard → Webhooks), add that URL for order events, with the secret from the trigger's credential.</li>
<li>Publish the workflow, place a test order, and reload this page.</li>
</ol>
<p class="muted">This dashboard reads the same loyalty store as the other nodes; if you use a Loyalty Store credential there, select the same one on the Loyalty Dashboard node.</p>
</section>`;
}

function summary(r: LoyaltyReport, f: Formatters): string {
	const b = r.program.breakage;
	const card = (label: string, value: string, note: string, figure: string) =>
		`<div class="kpi"><span class="label">${esc(label)}</span><strong data-figure="${figure}">${esc(value)}</strong><span class="muted small">${esc(note)}</span></div>`;
	const alerts = healthAlerts(r);
	const attention = alerts.length
		? `<section class="card attention" data-figure="alerts"><h2>Needs your attention</h2><ul>${alerts.map((a) => `<li>${esc(a.message)}</li>`).join('')}</ul></section>\n`
		: '';
	return `${attention}<section class="kpis">
${card('Members', f.int(r.program.members), `${f.int(r.program.newMembers)} new in this window`, 'members')}
${card('Active members', f.int(r.program.activeMembers), 'earned or redeemed in 90 days', 'active-members')}
${card('Outstanding points', f.int(r.program.outstanding.total), `${f.int(r.program.outstanding.available)} spendable, ${f.int(r.program.outstanding.pending)} pending`, 'outstanding-points')}
${card('Liability', f.money(r.program.liability.minor), `at ${r.program.liability.redemptionValue} ${r.currency} per point`, 'liability')}
${card('Redemption rate', f.pct(r.program.redemptionRate), 'points redeemed ÷ points earned, all time', 'redemption-rate')}
${card('Breakage', b.status === 'estimated' ? f.pct(b.share) : 'not enough history', 'of points earned 12+ months ago', 'breakage')}
</section>`;
}

function pointsSection(r: LoyaltyReport, f: Formatters): string {
	const p = r.program.points;
	const labels = r.periods.map((x) => x.label);
	const tiers = r.program.tiers.length ? `<h3>Tiers</h3>${table(['Tier', 'Members'], r.program.tiers.map((t) => [esc(t.tier), f.int(t.members)]))}` : '';
	const held = r.program.held.count ? `<p class="warn">${f.int(r.program.held.count)} orders (${f.int(r.program.held.points)} points) wait for your approval: they are above the per-order ceiling.</p>` : '';
	return `<section class="card"><h2>Points</h2>
${barChart(labels, [
	{ name: 'issued', values: p.issuedPerPeriod, cls: 's1' },
	{ name: 'redeemed', values: p.redeemedPerPeriod, cls: 's2' },
	{ name: 'expired', values: p.expiredPerPeriod, cls: 's3' },
], `Points issued, redeemed and expired per ${r.period}`)}
${table(['All time', 'Points'], [
	['Issued', f.int(p.issued)],
	['Redeemed', f.int(p.redeemed)],
	['Expired', f.int(p.expired)],
	['Taken back by refunds', f.int(p.reversed)],
	['Adjusted (net)', f.int(p.adjustedNet)],
])}
<p class="small muted">Liability: ${esc(r.program.liability.method)}</p>
<p class="small muted">Breakage: ${esc(r.program.breakage.method)}</p>
${held}${tiers}
</section>`;
}

function healthSection(r: LoyaltyReport, f: Formatters): string {
	const h = r.health;
	const sources = h.sources.length
		? h.sources.map((s) => sourceBlock(s, h.days, f)).join('\n')
		: '<p class="warn">No events received yet.</p>';
	const reasons = new Set(h.reconciliation.rows.flatMap((row) => Object.keys(row.notEarning)));
	const reconRows = h.reconciliation.rows
		.filter((row) => row.ordersSeen > 0 || row.quarantined > 0)
		.map((row) => [esc(r.periods.find((p) => p.key === row.key)?.label ?? row.key), f.int(row.ordersSeen), f.int(row.ordersRecorded), f.int(row.ordersEarning), esc(Object.entries(row.notEarning).map(([k, v]) => `${v} ${k}`).join('; ') || '–'), f.int(row.quarantined)]);
	const quarantine = h.quarantine.open
		? `<p class="warn">${f.int(h.quarantine.open)} ${h.quarantine.open === 1 ? 'delivery is' : 'deliveries are'} in quarantine: received, kept, not processed.</p>${table(['Reason', 'Count', 'Example'], h.quarantine.byReason.map((q) => [esc(q.code), f.int(q.count), esc(q.example)]))}`
		: '<p>No deliveries in quarantine.</p>';
	const runs = h.runs;
	return `<section class="card"><h2>Health</h2>
<h3>Events per source</h3>
${sources}
<h3>Runs</h3>
<p>${f.int(runs.done)} done (${f.int(runs.recovered)} recovered after a failed or crashed run), ${f.int(runs.owed)} waiting, ${f.int(runs.running)} running, <span class="${runs.parked ? 'warn' : ''}">${f.int(runs.parked)} parked</span>.</p>
${runs.parkedList.length ? table(['Event', 'Type', 'Attempts', 'Last error'], runs.parkedList.map((p) => [esc(p.eventId), esc(p.eventType), f.int(p.attempts), esc(p.lastError ?? '')])) : ''}
<h3>Quarantine</h3>
${quarantine}
<h3>Orders against points</h3>
${reconRows.length ? `<div data-figure="reconciliation">${table(['Period', 'Orders seen', 'Recorded', 'Earned points', 'Earned nothing (why)', 'Quarantined'], reconRows)}</div>` : '<p>No orders in this window.</p>'}
${reasons.size ? `<p class="small muted">An order “not processed yet” was received but no workflow has credited it: check the Points on purchase workflow and parked runs.</p>` : ''}
</section>`;
}

function sourceBlock(s: SourceHealth, days: string[], f: Formatters): string {
	return `<div class="source"><p><b>${esc(s.source)}</b> · ${f.int(s.total)} events · last ${s.lastEventAt ? esc(f.dateTime(s.lastEventAt)) : 'never'}${s.medianGapHours !== undefined ? ` · usually ${gapText(s.medianGapHours)} apart` : ''}</p>
${s.warning ? `<p class="warn" data-figure="quiet-${esc(s.source)}">${esc(s.warning)}</p>` : ''}
${barChart(days.map((d) => DateTime.fromISO(d).toFormat('d LLL')), [{ name: 'events', values: s.perDay, cls: 's1' }], `Events per day from ${s.source}`, 90)}
${barChart(Array.from({ length: 24 }, (_, i) => `${i - 23}h`), [{ name: 'events', values: s.perHour, cls: 's2' }], `Events per hour, last 24 hours, from ${s.source}`, 70)}
</div>`;
}

function gapText(hours: number): string {
	if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
	if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
	return `${Math.round(hours / 24)} days`;
}

function campaignSection(r: LoyaltyReport, f: Formatters): string {
	const c = r.campaigns;
	if (!c.rules.length) return `<section class="card"><h2>Campaigns</h2><p>No rule has fired in this window.</p></section>`;
	const rows = c.rules.map((x) => [
		esc(x.ruleId),
		f.int(x.decisions),
		f.int(x.rewarded),
		f.int(x.sends),
		f.int(x.redemptions),
		f.money(x.redemptionRevenueMinor),
		f.money(x.costMinor),
		`<span class="${x.costShare !== undefined && x.costShare > 0.1 ? 'warn' : ''}">${f.pct(x.costShare)}</span>`,
	]);
	const suppressed = Object.entries(c.suppressions);
	return `<section class="card"><h2>Campaigns</h2>
${table(['Rule', 'Decisions', 'Rewarded', 'Sends', 'Redemptions', 'Revenue of redeeming orders', 'Reward cost', 'Cost ÷ revenue touched'], rows)}
<p>All rules: cost ${f.money(c.totals.costMinor)} on ${f.money(c.totals.revenueTouchedMinor)} revenue touched = <b>${f.pct(c.totals.costShare)}</b>. ${esc(c.totals.guide)}</p>
${suppressed.length ? `<h3>Not sent, or sent later</h3>${table(['Reason', 'Count'], suppressed.map(([k, v]) => [esc(k), f.int(v)]))}` : ''}
${c.offers.length ? `<h3>Offers</h3>${table(['Offer', 'Channel', 'Sends', 'Redemptions', 'Revenue'], c.offers.map((o) => [esc(o.offerTemplateId), esc(o.channel), f.int(o.sends), f.int(o.redemptions), f.money(o.redemptionRevenueMinor)]))}` : ''}
</section>`;
}

function experimentSection(r: LoyaltyReport, f: Formatters): string {
	if (!r.experiments.length) return `<section class="card"><h2>Experiments</h2><p>No experiment or holdout has customers whose window has closed yet.</p></section>`;
	return `<section class="card"><h2>Experiments</h2>${r.experiments.map((e) => experimentBlock(e, f)).join('\n')}
<p class="small muted">Conversion: bought within the window after the first decision. Interval: Newcombe's hybrid score method, 95%. The verdict waits until each arm reaches the sample size fixed in advance. See docs/dashboard-statistics.md.</p></section>`;
}

function experimentBlock(e: ExperimentReport, f: Formatters): string {
	const rows = e.arms.map((a) => [esc(a.arm), f.int(a.customers), f.int(a.converted), f.pct(a.conversionRate), f.money(a.revenuePerCustomerMinor)]);
	return `<div class="experiment"><h3>${esc(e.id)} <span class="muted small">${esc(e.kind)}${e.ruleId && e.ruleId !== e.id ? ` · rule ${esc(e.ruleId)}` : ''}</span></h3>
${table(['Arm', 'Customers', 'Bought', 'Conversion', 'Revenue per customer'], rows)}
${e.lift ? intervalChart(e.lift.low, e.lift.high, e.lift.difference) : ''}
${progressBar(e.progress, `${Math.round(e.progress * 100)}% of the ${f.int(e.requiredPerArm)} customers per arm fixed in advance`)}
<p class="verdict ${e.verdict.kind}" data-figure="verdict">${esc(e.verdict.text)}</p></div>`;
}

function customerSection(r: LoyaltyReport, f: Formatters): string {
	const c = r.customers;
	const row = (name: string, g: typeof c.members) => [name, f.int(g.customers), f.int(g.orders), f.pct(g.repeatRate), g.averageOrderMinor === undefined ? '–' : f.money(g.averageOrderMinor)];
	const counts = (title: string, list: typeof c.segments) => (list.length ? `<h3>${title}</h3>${table(['', 'Customers'], list.map((s) => [esc(s.name), f.int(s.customers)]))}` : '');
	return `<section class="card"><h2>Customers</h2>
${table(['', 'Customers', 'Orders', 'Repeat rate', 'Average order'], [row('Members', c.members), row('Non-members', c.nonMembers)])}
<p class="small muted">${esc(c.caveat)}</p>
${counts('Segments', c.segments)}${counts('Lifecycle', c.lifecycle)}
</section>`;
}

function notesSection(r: LoyaltyReport): string {
	return `<section class="card"><h2>About these numbers</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>`;
}

function table(head: string[], rows: string[][]): string {
	return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

interface Series {
	name: string;
	values: number[];
	cls: string;
}

/** Grouped bars, one group per label; the y axis starts at zero. */
function barChart(labels: string[], series: Series[], title: string, height = 160): string {
	const width = 640;
	const pad = { left: 36, right: 8, top: 10, bottom: 20 };
	const max = Math.max(1, ...series.flatMap((s) => s.values));
	const plotW = width - pad.left - pad.right;
	const plotH = height - pad.top - pad.bottom;
	const group = plotW / Math.max(1, labels.length);
	const bar = Math.max(1, (group * 0.8) / series.length);
	const every = Math.ceil(labels.length / 12);
	const bars = series
		.map((s, si) =>
			s.values
				.map((v, i) => {
					const h = (v / max) * plotH;
					const x = pad.left + i * group + group * 0.1 + si * bar;
					return `<rect class="${s.cls}" x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"><title>${esc(`${labels[i]}: ${v} ${s.name}`)}</title></rect>`;
				})
				.join(''),
		)
		.join('');
	const ticks = labels
		.map((l, i) => (i % every === 0 ? `<text x="${(pad.left + i * group + group / 2).toFixed(1)}" y="${height - 5}" text-anchor="middle">${esc(l.replace(/^week of /, ''))}</text>` : ''))
		.join('');
	const legend = series.length > 1 ? `<p class="legend">${series.map((s) => `<span class="key ${s.cls}"></span>${esc(s.name)}`).join(' ')}</p>` : '';
	return `<figure><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>
<line class="axis" x1="${pad.left}" y1="${pad.top + plotH}" x2="${width - pad.right}" y2="${pad.top + plotH}"/>
<text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end">${max}</text><text x="${pad.left - 4}" y="${pad.top + plotH}" text-anchor="end">0</text>
${bars}${ticks}</svg><figcaption>${esc(title)}</figcaption>${legend}</figure>`;
}

/** The lift and its interval on a −max..+max scale, with zero marked: overlap with zero is visible. */
function intervalChart(low: number, high: number, point: number): string {
	const width = 640;
	const span = Math.max(0.05, Math.abs(low), Math.abs(high)) * 1.1;
	const x = (v: number) => (width / 2 + (v / span) * (width / 2 - 20)).toFixed(1);
	const fmt = (v: number) => `${(v * 100).toFixed(1)} pts`;
	return `<figure><svg viewBox="0 0 ${width} 50" role="img" aria-label="Lift ${fmt(point)}, 95% interval ${fmt(low)} to ${fmt(high)}">
<line class="axis" x1="${x(0)}" y1="5" x2="${x(0)}" y2="45"/><line class="s1 thick" x1="${x(low)}" y1="25" x2="${x(high)}" y2="25"/>
<circle class="s2" cx="${x(point)}" cy="25" r="6"/><text x="${x(low)}" y="44" text-anchor="middle">${fmt(low)}</text><text x="${x(high)}" y="44" text-anchor="middle">${fmt(high)}</text><text x="${x(0)}" y="12" text-anchor="middle">0</text></svg>
<figcaption>Lift in conversion (treatment − holdout) with its 95% interval</figcaption></figure>`;
}

function progressBar(share: number, label: string): string {
	const w = Math.round(Math.min(1, Math.max(0, share)) * 600);
	return `<figure><svg viewBox="0 0 600 14" role="img" aria-label="${esc(label)}"><rect class="track" x="0" y="0" width="600" height="14" rx="7"/><rect class="s1" x="0" y="0" width="${w}" height="14" rx="7"/></svg><figcaption>${esc(label)}</figcaption></figure>`;
}

export function esc(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
:root{--bg:#f7f7f8;--card:#fff;--fg:#1d1d1f;--muted:#66666e;--line:#d9d9de;--s1:#2f6fdf;--s2:#e0892b;--s3:#8a8f98;--warn:#b3261e}
@media (prefers-color-scheme:dark){:root{--bg:#121214;--card:#1d1d21;--fg:#ececf0;--muted:#a0a0aa;--line:#3a3a42;--s1:#6ea0ff;--s2:#f0a35a;--s3:#9aa0aa;--warn:#ff8a80}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main{max-width:1100px;margin:0 auto;padding:12px 16px}h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.2rem;margin:0 0 .5em}h3{font-size:1rem;margin:1em 0 .4em}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:0 0 14px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin-bottom:14px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px;display:flex;flex-direction:column}.kpi strong{font-size:1.4rem}
.label{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}.muted{color:var(--muted)}.small{font-size:.85rem}.warn{color:var(--warn)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);white-space:nowrap}th{font-weight:600;color:var(--muted);font-size:.85rem}
td:not(:first-child),th:not(:first-child){text-align:right}
figure{margin:6px 0}svg{width:100%;height:auto;display:block}svg text{fill:var(--muted);font-size:10px}figcaption{font-size:.8rem;color:var(--muted)}
.axis{stroke:var(--line);stroke-width:1}.s1{fill:var(--s1);stroke:var(--s1)}.s2{fill:var(--s2);stroke:var(--s2)}.s3{fill:var(--s3);stroke:var(--s3)}rect.s1,rect.s2,rect.s3{stroke:none}.thick{stroke-width:6}.track{fill:var(--line)}
.legend{font-size:.8rem;color:var(--muted);margin:2px 0}.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px;background:var(--s1)}.key.s2{background:var(--s2)}.key.s3{background:var(--s3)}
.attention{border-color:var(--warn)}.attention h2{color:var(--warn)}.verdict{font-weight:600}.verdict.not_enough_data{color:var(--muted)}.empty ol{padding-left:1.2em}
@media (max-width:600px){body{font-size:14px}header,main{padding:8px}th,td{padding:3px 5px}}
`;
