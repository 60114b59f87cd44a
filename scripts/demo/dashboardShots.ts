/**
 * The dashboard's pictures in docs/screenshots/, from the demo's day: the owner's page as a wide
 * window and as a phone, light and dark. Taken only when LOYALTY_SCREENSHOTS=1 (a run that is not
 * asked leaves the checkout as it was), with a headless Chromium driven by playwright-core.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../test/e2e/support/n8n';

const CHROMIUM = process.env.LOYALTY_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-lcd-text', '--font-render-hinting=none', '--hide-scrollbars'];
const SHOTS = [
	{ file: 'dashboard-page.png', viewport: { width: 1200, height: 900 }, colorScheme: 'light', fullPage: true },
	{ file: 'dashboard-page-dark.png', viewport: { width: 1200, height: 900 }, colorScheme: 'dark', fullPage: true },
	{ file: 'dashboard-page-phone.png', viewport: { width: 390, height: 844 }, colorScheme: 'light', fullPage: false },
	{ file: 'dashboard-page-phone-dark.png', viewport: { width: 390, height: 844 }, colorScheme: 'dark', fullPage: false },
] as const;

export const screenshotsAsked = () => process.env.LOYALTY_SCREENSHOTS === '1';

/** Saves the four pictures of `url`; returns the files written, or why none were. */
export async function shootDashboard(url: string): Promise<string> {
	if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (install Debian's chromium package, or set LOYALTY_CHROMIUM)`;
	const folder = join(PROJECT_ROOT, 'docs', 'screenshots');
	mkdirSync(folder, { recursive: true });
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: FLAGS });
	try {
		for (const shot of SHOTS) {
			const page = await browser.newPage({ viewport: shot.viewport, colorScheme: shot.colorScheme, locale: 'en-US', timezoneId: 'America/New_York' });
			try {
				const answer = await page.goto(url);
				if (answer?.status() !== 200) throw new Error(`the dashboard answered ${answer?.status()}`);
				await page.screenshot({ path: join(folder, shot.file), fullPage: shot.fullPage });
			} finally {
				await page.close();
			}
		}
	} finally {
		await browser.close();
	}
	return SHOTS.map((shot) => `docs/screenshots/${shot.file}`).join(', ');
}
