/**
 * Headless Chromium for the console's end-to-end tests (Debian's `chromium`, driven by playwright-core), with
 * the watchers every test wants: requests that leave the server's origin, requests that carry the secret key
 * anywhere (URL, a header, the body), Content-Security-Policy violations and uncaught page errors. And an
 * accessibility scan with axe-core, injected from its npm package.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where Debian installs Chromium (test/support/system-tools.ts finds it there). */
export const CHROMIUM = '/usr/bin/chromium';

/** Starts headless Chromium (as root here, hence no sandbox). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** What the watchers saw on a page. */
export interface PageProblems {
  /** Requests to anything but the server's origin (data: and blob: URLs aside). */
  foreignRequests: string[];
  /** Requests that carried the secret key. */
  secretLeaks: string[];
  /** Content-Security-Policy violations the browser reported. */
  cspViolations: string[];
  /** Uncaught errors in the page. */
  pageErrors: string[];
}

/** A new page in `context` with the watchers attached. */
export async function watchedPage(context: BrowserContext, origin: string, secret: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  const problems: PageProblems = { foreignRequests: [], secretLeaks: [], cspViolations: [], pageErrors: [] };
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.foreignRequests.push(url);
    const headers = Object.values(request.headers()).join('\n');
    const body = request.postDataBuffer();
    if (url.includes(secret) || headers.includes(secret) || (body !== null && body.includes(secret))) problems.secretLeaks.push(`${request.method()} ${url}`);
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  return { page, problems };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe-core violation, shortened. */
export interface AxeViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it is now and returns the
 * violations. axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so the
 * console's CSP stays on during the scan.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // Page code as a string: this package's tests are type-checked without the DOM library.
  return (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`)) as AxeViolation[];
}

/** Evaluates `expression` in the page (a string: the tests are type-checked without the DOM library). */
export const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;

/** The violations of impact serious or critical: what the console must not have. */
export const seriousOnes = (violations: readonly AxeViolation[]) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
