import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITOR_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { watchLiveListeners } from '../support/live-listeners.js';
import { browserAvailable, launchBrowser, watchedPage } from './browser.js';

// The explorer page (GET /) in headless Chromium, against a real server with the seed timeline.

// The page's globals, for the functions evaluated in it (the root tsconfig has no DOM library, on purpose).
interface PageElement {
  dataset: Record<string, string | undefined>;
  hasAttribute(name: string): boolean;
  blur(): void;
}
type HTMLElement = PageElement;
declare const document: {
  body: PageElement;
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number };
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
};
declare const window: { innerWidth: number };
interface PageStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}
declare const sessionStorage: PageStorage;
declare const localStorage: PageStorage;
const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCES = path.join(ROOT, 'src/explorer/web');
const BUILT = path.join(ROOT, 'dist/explorer/index.html');
const NO_BROWSER = !browserAvailable();
const BUDAPEST = 'budapest-summit-2025';

const newestSource = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestSource(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).mtimeMs,
    ),
  );

let server: InProcessServer;
let browser: Browser;
let page: Page;
let origin: string;
let watched: Awaited<ReturnType<typeof watchedPage>>;

/** Builds the page when its build is missing or older than its sources. */
const ensureBuilt = () => {
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSource(SOURCES)) {
    execFileSync(process.execPath, ['scripts/build-explorer.mjs'], { cwd: ROOT, stdio: 'pipe' });
  }
};

const apiAt = async (url: string, query: string, variables: Record<string, unknown> = {}, key?: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data as Record<string, unknown>;
};
const api = (query: string, variables: Record<string, unknown> = {}, key?: string) =>
  apiAt(server.url, query, variables, key);

const RECORD = 'mutation($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { id } }';
const statementBy = (id: string, actorId: string, title: string, occurredAt: string) => ({
  input: {
    id,
    kind: 'STATEMENT',
    precision: 'DAY',
    title,
    occurredAt,
    participants: [{ actorId, role: 'SOURCE' }],
    topicIds: ['peace-talks'],
    sources: [{ publisher: 'Reuters' }],
  },
});

/** The distinct developments the timeline shows (a development sits in the lane of each of its actors). */
const shownIds = (): Promise<string[]> =>
  page.$$eval('#timeline [data-development-id]', (items) => [
    ...new Set(items.map((item) => (item as HTMLElement).dataset.developmentId ?? '')),
  ]);

const apiIds = async (filter: Record<string, unknown>): Promise<string[]> => {
  const data = await api('query($f: TimelineFilter) { timeline(filter: $f, first: 500) { edges { node { id } } } }', {
    f: filter,
  });
  return (data.timeline as { edges: { node: { id: string } }[] }).edges.map((edge) => edge.node.id);
};

/** Waits for the page to finish the load started by the last control change. */
const settled = async (before: string | undefined) => {
  await page.waitForFunction((previous) => document.body.dataset.loaded !== previous, before);
  await page.waitForFunction(() => !document.getElementById('timeline')?.hasAttribute('aria-busy'));
};
const loadMark = () => page.evaluate(() => document.body.dataset.loaded);

describe.skipIf(NO_BROWSER)('the explorer page in Chromium', () => {
  beforeAll(async () => {
    ensureBuilt();
    server = await startInProcessServer({ TIMELINE_SEED: 'true' });
    origin = new URL(server.url).origin;
    browser = await launchBrowser();
    watched = await watchedPage(browser, origin);
    page = watched.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the seed developments, meetings and their status', async () => {
    await page.goto(`${origin}/`);
    await page.waitForSelector(`#timeline [data-development-id="budapest-summit-agreed-2025-10-16"]`);
    await page.waitForSelector('#live[data-status="live"]');
    const seed = await apiIds({});
    expect(seed).toHaveLength(21);
    expect((await shownIds()).sort()).toEqual([...seed].sort());
    await expect(page.textContent('#timeline')).resolves.toContain(
      'Trump and Putin agree to hold a summit in Budapest',
    );
    // The disputed claim is marked as such, and the Budapest summit is in the meetings lane with its life.
    const disputed = page.locator('#timeline [data-development-id="trump-claims-modi-oil-promise-2025-10-15"]').first();
    await expect(disputed.getAttribute('data-status')).resolves.toBe('DISPUTED');
    await expect(disputed.textContent()).resolves.toContain('disputed');
    const meeting = page.locator(`#timeline [data-meeting-id="${BUDAPEST}"]`);
    await expect(meeting.getAttribute('data-status')).resolves.toBe('AGREED');
    await expect(meeting.textContent()).resolves.toMatch(/agreed/i);
    // A meeting's life over the days: scheduled on the 16th, held on the 17th.
    const whiteHouse = page.locator('#timeline [data-meeting-id="white-house-zelenskyy-2025-10-17"]');
    await expect(whiteHouse.textContent()).resolves.toMatch(/scheduled.*held/i);
    await expect(page.textContent('#state')).resolves.toContain('Vladimir Putin');

    // Written when missing or asked for, so that a test run leaves the committed screenshot alone.
    const screenshot = path.join(ROOT, 'docs/timeline.png');
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(screenshot)) {
      mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
    }
  });

  it('narrows the timeline with the actor and kind filters', async () => {
    let mark = await loadMark();
    await page.selectOption('#filter-actor', 'volodymyr-zelenskyy');
    await settled(mark);
    const zelenskyy = await apiIds({ actorIds: ['volodymyr-zelenskyy'] });
    expect(zelenskyy.length).toBeGreaterThan(0);
    expect(zelenskyy.length).toBeLessThan(21);
    expect((await shownIds()).sort()).toEqual([...zelenskyy].sort());
    await expect(page.textContent('#state')).resolves.toContain('Volodymyr Zelenskyy');

    mark = await loadMark();
    await page.selectOption('#filter-actor', '');
    await page.selectOption('#filter-kind', 'THREATEN');
    await settled(mark);
    await page.waitForFunction(
      () => document.querySelectorAll('#timeline [data-kind]:not([data-kind="THREATEN"])').length === 0,
    );
    expect((await shownIds()).sort()).toEqual((await apiIds({ kinds: ['THREATEN'] })).sort());

    mark = await loadMark();
    await page.selectOption('#filter-kind', '');
    await settled(mark);
    expect(await shownIds()).toHaveLength(21);
  });

  it('hides the Budapest summit when the scrubber is set to 15 October 2025, and shows it again at now', async () => {
    let mark = await loadMark();
    await page.fill('#asof-date', '2025-10-15');
    await page.dispatchEvent('#asof-date', 'change');
    await settled(mark);
    await expect(page.locator(`[data-meeting-id="${BUDAPEST}"]`).count()).resolves.toBe(0);
    const shown = await shownIds();
    expect(shown).toContain('trump-claims-modi-oil-promise-2025-10-15');
    expect(shown).not.toContain('budapest-summit-agreed-2025-10-16');
    const dates = await page.$$eval('#timeline [data-occurred-at]', (items) =>
      items.map((item) => (item as HTMLElement).dataset.occurredAt ?? ''),
    );
    expect(dates.every((date) => date < '2025-10-16')).toBe(true);
    await expect(page.textContent('#state-date')).resolves.toBe('15 Oct 2025');
    await expect(page.inputValue('#asof-range')).resolves.toBe(String(Date.UTC(2025, 9, 15) / 86_400_000));

    // The scrubber itself moves by the keyboard, a day a key.
    mark = await loadMark();
    await page.focus('#asof-range');
    await page.keyboard.press('ArrowRight');
    await settled(mark);
    await expect(page.inputValue('#asof-date')).resolves.toBe('2025-10-16');
    await page.waitForSelector(`#timeline [data-meeting-id="${BUDAPEST}"]`);

    mark = await loadMark();
    await page.click('#asof-now');
    await settled(mark);
    await expect(page.locator(`#timeline [data-meeting-id="${BUDAPEST}"]`).count()).resolves.toBe(1);
    expect(await shownIds()).toHaveLength(21);
  });

  it('shows a development’s quotes, sources and verifications when clicked', async () => {
    await page.locator('#timeline [data-development-id="trump-putin-call-2025-10-16"]').first().click();
    await page.waitForSelector('#detail[open] #detail-title');
    const text = (await page.textContent('#detail-body')) ?? '';
    expect(text).toContain('Trump and Putin hold a two-and-a-half-hour phone call');
    expect(text).toContain('Quotes');
    expect(text).toContain('Kremlin.ru');
    expect(text).toContain('Truth Social');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail:not([open])', { state: 'attached' });

    await page.locator('#timeline [data-development-id="trump-claims-modi-oil-promise-2025-10-15"]').first().click();
    await page.waitForSelector('#detail[open] #detail-title');
    await expect(page.textContent('#detail-body')).resolves.toMatch(
      /disputed by Ministry of External Affairs of India/,
    );
    await page.click('#detail-close');
  });

  it('is reachable and usable by keyboard: Tab to the items, arrows between them, Enter opens one', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.focus('#zoom-in');
    let id: string | undefined;
    for (let presses = 0; presses < 10 && !id; presses += 1) {
      await page.keyboard.press('Tab');
      id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.developmentId);
    }
    expect(id).toBeTruthy();
    await page.keyboard.press('Home');
    const first = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.developmentId);
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.developmentId);
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    await page.keyboard.press('ArrowDown');
    await expect(
      page.evaluate(() => (document.activeElement as HTMLElement).dataset.developmentId),
    ).resolves.toBeTruthy();
    const opened = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.developmentId);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail[open] #detail-title');
    await expect(page.textContent('#detail-body')).resolves.toContain(opened);
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      (back) => (document.activeElement as HTMLElement).dataset.developmentId === back,
      opened,
    );
  });

  it('shows a development recorded through the API without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const id = 'trump-budapest-two-weeks-2025-10-18';
    await api(
      RECORD,
      statementBy(
        id,
        'donald-trump',
        'Trump says the Budapest summit could happen within two weeks',
        '2025-10-18T00:00:00Z',
      ),
      EDITOR_KEY,
    );
    await page.waitForSelector(`#timeline [data-development-id="${id}"]`, { timeout: 10_000 });
    await expect(page.locator(`#timeline [data-development-id="${id}"].is-new`).count()).resolves.toBeGreaterThan(0);
    await expect(page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
    await expect(page.textContent('#announcer')).resolves.toContain('Trump says the Budapest summit could happen');
  });

  it('fits a phone: no horizontal overflow of the page, and the controls work', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const control of [
      '#api-key',
      '#api-key-use',
      '#filter-actor',
      '#filter-kind',
      '#asof-range',
      '#asof-date',
      '#known-at',
    ]) {
      const box = await page.locator(control).boundingBox();
      expect(box, control).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    const mark = await loadMark();
    await page.selectOption('#filter-actor', 'volodymyr-zelenskyy');
    await settled(mark);
    expect((await shownIds()).length).toBeLessThan(21);
    await expect(
      page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).resolves.toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('logged no console error and asked no other host for anything', () => {
    expect(watched.consoleErrors).toEqual([]);
    expect(watched.foreignRequests).toEqual([]);
  });
});

describe.skipIf(NO_BROWSER)('the explorer page on a server with reader keys', () => {
  const KEY = 'dash-reader-secret-0123456789';
  const WRONG = 'not-a-key-this-server-knows-42';
  // What Chromium logs by itself for every fetch the server answers 401 (the page logs nothing): the only console
  // error allowed here, while the page has no key or a wrong one.
  const REFUSED_FETCH = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';
  let keyed: InProcessServer;
  let keyedBrowser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    keyed = await startInProcessServer({ TIMELINE_SEED: 'true', TIMELINE_READER_KEYS: `dash:${KEY}` });
    keyedBrowser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await keyedBrowser?.close();
    await keyed?.close();
  });

  it('asks for a key, refuses a wrong one, and reads and goes live with the right one', async () => {
    const keyedOrigin = new URL(keyed.url).origin;
    const { page: keyedPage, consoleErrors, foreignRequests } = await watchedPage(keyedBrowser, keyedOrigin);
    const listeners = watchLiveListeners(keyed);
    const requestUrls: string[] = [];
    const bearers = new Set<string>();
    keyedPage.on('request', (request) => {
      requestUrls.push(request.url());
      const authorization = request.headers().authorization;
      if (authorization) bearers.add(authorization);
    });
    const connectionInits: string[] = [];
    keyedPage.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (String(payload).includes('"connection_init"')) connectionInits.push(String(payload));
      }),
    );
    const shown = () => keyedPage.locator('#timeline [data-development-id]').count();
    const keyState = (state: string) => keyedPage.waitForSelector(`body[data-key-state="${state}"]`);

    // No key: the polite message beside the field, nothing read, and the subscription refused too.
    await keyedPage.goto(`${keyedOrigin}/`);
    await keyState('missing');
    await expect(keyedPage.textContent('#key-message')).resolves.toContain('This server needs an API key to read');
    await keyedPage.waitForSelector('#live[data-status="refused"]');
    await expect(shown()).resolves.toBe(0);

    // A wrong key, typed and sent with Enter: refused as not valid, still nothing shown.
    await keyedPage.focus('#api-key');
    await keyedPage.keyboard.type(WRONG);
    await keyedPage.keyboard.press('Enter');
    await keyState('invalid');
    await expect(keyedPage.textContent('#key-message')).resolves.toContain('The API key is not valid');
    await expect(keyedPage.getAttribute('#api-key', 'aria-invalid')).resolves.toBe('true');
    await keyedPage.waitForSelector('#live[data-status="refused"]');
    await expect(shown()).resolves.toBe(0);

    // The right key: the seed's developments, and the subscription attaches (it got the key in connection_init).
    const mark = listeners.attachments();
    await keyedPage.fill('#api-key', KEY);
    await keyedPage.click('#api-key-use');
    await keyState('accepted');
    await keyedPage.waitForSelector('#timeline [data-development-id="budapest-summit-agreed-2025-10-16"]');
    await keyedPage.waitForSelector('#live[data-status="live"]');
    await listeners.attachedSince(mark);
    const seed = (
      (await apiAt(keyed.url, '{ timeline(first: 500) { edges { node { id } } } }', {}, KEY)).timeline as {
        edges: { node: { id: string } }[];
      }
    ).edges.map((edge) => edge.node.id);
    expect(seed).toHaveLength(21);
    const ids = await keyedPage.$$eval('#timeline [data-development-id]', (items) => [
      ...new Set(items.map((item) => (item as HTMLElement).dataset.developmentId ?? '')),
    ]);
    expect(ids.sort()).toEqual([...seed].sort());
    await expect(keyedPage.textContent('#key-message')).resolves.not.toMatch(/needs an API key|not valid/);

    // Recorded through the API with the editor key: it arrives over the keyed subscription, without a reload.
    await keyedPage.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const id = 'zelenskyy-keyed-statement-2025-10-19';
    await apiAt(
      keyed.url,
      RECORD,
      statementBy(id, 'volodymyr-zelenskyy', 'Zelenskyy says talks must include Ukraine', '2025-10-19T00:00:00Z'),
      EDITOR_KEY,
    );
    await keyedPage.waitForSelector(`#timeline [data-development-id="${id}"].is-new`, { timeout: 10_000 });
    await expect(keyedPage.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(
      true,
    );

    // The key went where the server reads it, and is kept for this tab only: not in localStorage, not in a URL.
    expect([...bearers]).toEqual([`Bearer ${WRONG}`, `Bearer ${KEY}`]);
    expect(connectionInits.some((init) => init.includes(`"authorization":"Bearer ${KEY}"`))).toBe(true);
    await expect(
      keyedPage.evaluate(() =>
        Array.from({ length: sessionStorage.length }, (_, index) => sessionStorage.getItem(sessionStorage.key(index)!)),
      ),
    ).resolves.toContain(KEY);
    await expect(
      keyedPage.evaluate(() =>
        Array.from({ length: localStorage.length }, (_, index) => localStorage.getItem(localStorage.key(index)!) ?? ''),
      ),
    ).resolves.not.toContainEqual(expect.stringContaining(KEY));
    expect(keyedPage.url()).not.toContain(KEY);
    expect(requestUrls.filter((url) => url.includes(KEY) || url.includes(WRONG))).toEqual([]);

    expect(consoleErrors.filter((error) => error !== REFUSED_FETCH)).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 30_000);
});
