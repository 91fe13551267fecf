/**
 * Debian's Chromium through playwright-core for the console's browser tests (never a downloaded browser), with every
 * page error, console error and refused request recorded, so a test can assert there were none but those it asked for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface ConsoleBrowser {
  readonly browser: BrowserContext;
  readonly page: Page;
  /** Script errors and console errors: any is a defect. */
  readonly problems: string[];
  /** `<status> <path>` of every answer ≥ 400. */
  readonly refusals: string[];
  close(): Promise<void>;
}

export interface ConsoleBrowserOptions {
  /** Lets pages of this origin use the clipboard (the copy buttons). */
  readonly clipboardOrigin?: string;
  /** Collects CSP violation events into `window.__cspViolations`. */
  readonly recordCspViolations?: boolean;
  /** Where to record problems and refusals (default: new lists). */
  readonly problems?: string[];
  readonly refusals?: string[];
}

export async function openConsoleBrowser(options: ConsoleBrowserOptions = {}): Promise<ConsoleBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'fortiems-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
  });
  if (options.clipboardOrigin) await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.clipboardOrigin });
  const page = browser.pages()[0] ?? (await browser.newPage());
  if (options.recordCspViolations)
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective}: ${event.blockedURI}`));
    });
  const problems = options.problems ?? [];
  const refusals = options.refusals ?? [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Refused requests are recorded by URL; Chromium's own line for them says nothing more.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) refusals.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return {
    browser,
    page,
    problems,
    refusals,
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Logs in through the login page and opens the alerts view (the start of every alerts test). */
export async function logInToAlerts(page: Page, baseUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/login`);
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}/console/`);
  await page.click('a[data-nav=alerts]');
}
