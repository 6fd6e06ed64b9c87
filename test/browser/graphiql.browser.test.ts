import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITOR_KEY, READER_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { developmentInput, recordDevelopment } from '../support/live-fixtures.js';
import { browserAvailable, CHROMIUM, launchBrowser, watchedPage } from './browser.js';

// GraphiQL at GET /graphql in headless Chromium, against a real server with the seed timeline: it loads offline,
// runs the preloaded query, and runs the preloaded subscription over graphql-ws (replay, then live).

const NO_BROWSER = !browserAvailable();
const SKIP_REASON = `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium; or set CHROMIUM_PATH)`;
const SCREENSHOT = path.resolve(import.meta.dirname, '../../docs/graphiql.png');

let browser: Browser;

beforeAll(async () => {
  if (NO_BROWSER) return;
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** What the result pane shows (Monaco renders the visible lines; its spaces are no-break spaces). */
const resultText = async (page: Page): Promise<string> =>
  (await page.locator('.result-window .view-lines').innerText({ timeout: 1_000 })).replace(/\u00a0/g, ' ');

/** Waits until the result pane shows every one of `texts`; fails with what it shows. */
const resultShows = async (page: Page, ...texts: string[]): Promise<string> => {
  const started = Date.now();
  for (;;) {
    const shown = await resultText(page).catch((error: unknown) => String(error));
    if (texts.every((text) => shown.includes(text))) return shown;
    if (Date.now() - started > 10_000) throw new Error(`the result pane never showed ${texts.join(', ')}:\n${shown}`);
    await page.waitForTimeout(50);
  }
};

const openGraphiQL = async (server: InProcessServer) => {
  const origin = new URL(server.url).origin;
  const watched = await watchedPage(browser, origin);
  watched.page.setDefaultTimeout(10_000);
  // WebSockets are not requests in Playwright: watch them too, and the messages they receive.
  const sockets: string[] = [];
  const received: string[] = [];
  watched.page.on('websocket', (socket) => {
    sockets.push(socket.url());
    socket.on('framereceived', ({ payload }) => received.push(String(payload)));
  });
  const response = await watched.page.goto(server.url);
  expect(response?.headers()['content-type']).toMatch(/^text\/html/);
  await watched.page.locator('.graphiql-tab-button', { hasText: 'BudapestSummit' }).waitFor();
  await watched.page.locator('.graphiql-query-editor .view-lines').getByText('query BudapestSummit').waitFor();
  return { ...watched, origin, sockets, received };
};

/**
 * Switches tabs from the keyboard (focus, Enter): GraphiQL's tabs can be dragged to reorder them, and here, in
 * headless Chromium, a mouse click on one (Playwright's, or page.mouse's) did not switch.
 */
const openTab = async (page: Page, name: string) => {
  await page.locator('.graphiql-tab-button', { hasText: name }).focus();
  await page.keyboard.press('Enter');
  await page.locator('li.graphiql-tab-active', { hasText: name }).waitFor();
  await page
    .locator('.graphiql-query-editor .view-lines')
    .getByText(new RegExp(`\\b${name}\\b`))
    .waitFor();
};

const run = (page: Page) => page.locator('.graphiql-execute-button').click();

/** Replaces what the headers editor holds. */
const setHeaders = async (page: Page, headers: Record<string, string>) => {
  await page.getByRole('button', { name: 'Headers' }).click();
  const editor = page.locator('.graphiql-editor-tool .graphiql-editor:visible');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(headers));
};

describe('GraphiQL at GET /graphql', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    if (NO_BROWSER) return;
    server = await startInProcessServer({ TIMELINE_SEED: 'true' });
  });
  afterAll(async () => server?.close());

  it.skipIf(NO_BROWSER)(
    `runs the preloaded query and subscription, offline, without console errors${NO_BROWSER ? ` (skipped: ${SKIP_REASON})` : ''}`,
    async () => {
      const { page, consoleErrors, foreignRequests, origin, sockets, received } = await openGraphiQL(server);
      try {
        // The first tab: the Budapest summit as of 17 October (agreed, in Budapest) and 15 October (none yet).
        await run(page);
        const summit = await resultShows(
          page,
          '"on17"',
          '"status": "AGREED"',
          '"location": "Budapest"',
          '"on15": null',
        );
        expect(summit).toContain('Putin');

        if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(SCREENSHOT)) {
          mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
          await page.mouse.move(900, 700); // off the editor, so that Monaco hides its scroll bars
          await page.waitForTimeout(1_500);
          await page.screenshot({ path: SCREENSHOT });
        }

        // The subscription tab: `since` replays the seed over graphql-ws, then a new development arrives live.
        await openTab(page, 'TimelineChanges');
        await run(page);
        await resultShows(page, '"timelineChanges"', '"phase": "REPLAY"');
        expect(sockets).toEqual([`ws://${new URL(origin).host}/graphql`]);
        // The seed's changes are replayed, one message each (the pane shows the latest).
        await expect
          .poll(() => received.filter((message) => message.includes('"phase":"REPLAY"')).length)
          .toBeGreaterThan(5);

        await recordDevelopment(
          server.url,
          developmentInput('graphiql-live-check', {
            actors: ['donald-trump'],
            topics: ['peace-talks'],
            title: 'Seen live in GraphiQL',
            occurredAt: '2025-10-20T12:00:00.000Z',
          }),
          EDITOR_KEY,
        );
        await resultShows(page, '"phase": "LIVE"', '"title": "Seen live in GraphiQL"');

        expect(consoleErrors).toEqual([]);
        expect(foreignRequests).toEqual([]);
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});

describe('GraphiQL with reader keys', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    if (NO_BROWSER) return;
    server = await startInProcessServer({ TIMELINE_SEED: 'true', TIMELINE_READER_KEYS: `readers:${READER_KEY}` });
  });
  afterAll(async () => server?.close());

  it.skipIf(NO_BROWSER)(
    `sends the headers editor's Authorization over HTTP and in connection_init${NO_BROWSER ? ` (skipped: ${SKIP_REASON})` : ''}`,
    async () => {
      const { page, consoleErrors, foreignRequests } = await openGraphiQL(server);
      try {
        // Without a key the introspection and the query are refused (the browser logs the 401s).
        await run(page);
        await resultShows(page, 'UNAUTHENTICATED');
        await openTab(page, 'TimelineChanges');
        await run(page);
        await resultShows(page, 'UNAUTHENTICATED');

        await setHeaders(page, { Authorization: `Bearer ${READER_KEY}` });
        await run(page);
        await resultShows(page, '"timelineChanges"', '"phase": "REPLAY"');
        await run(page); // stops the subscription
        await openTab(page, 'BudapestSummit');
        await setHeaders(page, { Authorization: `Bearer ${READER_KEY}` });
        await run(page);
        await resultShows(page, '"status": "AGREED"');

        expect(consoleErrors.filter((error) => !error.includes('status of 401'))).toEqual([]);
        expect(foreignRequests).toEqual([]);
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});

describe('GraphiQL with TIMELINE_INTROSPECTION=false', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    if (NO_BROWSER) return;
    server = await startInProcessServer({ TIMELINE_SEED: 'true', TIMELINE_INTROSPECTION: 'false' });
  });
  afterAll(async () => server?.close());

  it.skipIf(NO_BROWSER)(
    `loads without the schema and still runs queries${NO_BROWSER ? ` (skipped: ${SKIP_REASON})` : ''}`,
    async () => {
      const { page, consoleErrors, foreignRequests } = await openGraphiQL(server);
      try {
        await run(page);
        await resultShows(page, '"status": "AGREED"');
        // The refused introspection is the only error the browser logs (its 400); nothing on the page threw.
        expect(consoleErrors.filter((error) => !error.includes('status of 400'))).toEqual([]);
        expect(foreignRequests).toEqual([]);
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});
