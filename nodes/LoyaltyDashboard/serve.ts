import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { buildReport, escapeHtml as esc, isLoyaltyError, peekProgram, renderReportHtml, reportProgramOf, type ReportOptions, type Store } from '../../engine';
import { openStoreFor } from '../shared/store';
import { DASHBOARD_CSP, checkAccess, presentedToken } from './access';

const HEADERS = {
	'Content-Type': 'text/html; charset=utf-8',
	'Content-Security-Policy': DASHBOARD_CSP,
	'Cache-Control': 'no-store',
	'Referrer-Policy': 'no-referrer',
	'X-Content-Type-Options': 'nosniff',
} as const;

/** Answers one page view itself (`noWebhookResponse`): no workflow execution is started. */
export async function serveDashboard(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const credentials = await context.getCredentials('loyaltyDashboardApi');
	const access = checkAccess(credentials.token, presentedToken(context.getHeaderData() as Record<string, unknown>, context.getQueryData() as Record<string, unknown>));
	if (!access.allowed) return send(context, access.status, page('Loyalty dashboard', access.reason), access.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="loyalty dashboard"' } : {});
	try {
		const store = await openStoreFor(context);
		const report = await buildReport(store, await optionsOf(context, store));
		return send(context, 200, renderReportHtml(report));
	} catch (error) {
		const message = isLoyaltyError(error) ? error.message : `The report could not be built: ${error instanceof Error ? error.message : String(error)}`;
		return send(context, isLoyaltyError(error) ? 400 : 500, page('Loyalty dashboard', message));
	}
}

/** The period is the page's; money, time zone and earn rates are the stored program's. */
async function optionsOf(context: IWebhookFunctions, store: Store): Promise<ReportOptions> {
	const program = await peekProgram(store, context.getNodeParameter('programId', ''), context.getTimezone());
	return {
		...reportProgramOf(program.id, program.version, program.settings),
		period: (String(context.getNodeParameter('period', '') ?? '').trim() || 'week') as ReportOptions['period'],
		periods: Number(context.getNodeParameter('periods', 12)),
	};
}

function send(context: IWebhookFunctions, status: number, html: string, extra: Record<string, string> = {}): IWebhookResponseData {
	const res = context.getResponseObject();
	for (const [name, value] of Object.entries({ ...HEADERS, ...extra })) res.setHeader(name, value);
	res.status(status).send(html);
	return { noWebhookResponse: true };
}

function page(title: string, message: string): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${esc(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em"><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`;
}
