import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, as .ci/run installs it (packages chromium and chromium-driver).
 * Nothing is downloaded: playwright-core brings no browser of its own.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const browserAvailable = (): boolean => existsSync(CHROMIUM);

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/**
 * A page that records what the tests must see none of: console errors, uncaught errors, and requests to any host
 * but the server's own (the explorer works offline).
 */
export const watchedPage = async (browser: Browser, origin: string) => {
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('request', (request) => {
    const url = request.url();
    // blob: URLs of the page's own origin (GraphiQL's editor workers) and data: URLs go to no host.
    const own = [origin, 'ws://' + new URL(origin).host, 'blob:' + origin, 'data:'];
    if (!own.some((prefix) => url.startsWith(prefix))) {
      foreignRequests.push(url);
    }
  });
  return { page, consoleErrors, foreignRequests };
};
