import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { browserAvailable, CHROMIUM, launchBrowser } from './browser.js';

// A page of another origin (another port of 127.0.0.1) in headless Chromium calls the API: a query with a key (so
// with a preflight) and a subscription over graphql-ws. A server that lists the page's origin in
// TIMELINE_CORS_ORIGINS answers both; one that does not is refused by the browser, for both.

const NO_BROWSER = !browserAvailable();
const SKIP_REASON = `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium; or set CHROMIUM_PATH)`;

let browser: Browser;
let pageServer: Server;
let pageOrigin: string;
let allowing: InProcessServer;
let refusing: InProcessServer;

beforeAll(async () => {
  if (NO_BROWSER) return;
  // The other origin: one empty page, all the test needs to run its scripts there.
  pageServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another app</title>');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  const env = { TIMELINE_SEED: 'true', TIMELINE_READER_KEYS: `app:${READER_KEY}` };
  allowing = await startInProcessServer({ ...env, TIMELINE_CORS_ORIGINS: pageOrigin, TIMELINE_RATE_LIMIT: '100' });
  refusing = await startInProcessServer({ ...env, TIMELINE_CORS_ORIGINS: 'https://somewhere-else.example' });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await allowing?.close();
  await refusing?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
});

/** A query with the key in Authorization (not a simple request: the browser sends a preflight first). */
const queryFrom = (page: Page, url: string, key: string) =>
  page.evaluate(
    async ({ url, key }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: '{ timeline(first: 1) { totalCount } }' }),
        });
        return { status: response.status, body: await response.json(), rateLimit: response.headers.get('ratelimit') };
      } catch (error) {
        return { refused: String(error) };
      }
    },
    { url, key },
  );

/** graphql-transport-ws by hand: connection_init with the key, one subscription, its first `next`. */
const subscribeFrom = (page: Page, url: string, key: string) =>
  page.evaluate(
    ({ url, key }) =>
      new Promise<{ next?: unknown; refused?: string }>((resolve) => {
        const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        socket.onopen = () =>
          socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
        socket.onmessage = (event) => {
          const message = JSON.parse(String(event.data)) as { type: string; payload?: unknown };
          if (message.type === 'connection_ack') {
            const query =
              'subscription { timelineChanges(since: "2000-01-01T00:00:00Z") { phase development { id } } }';
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          } else if (message.type === 'next') {
            socket.close();
            resolve({ next: message.payload });
          }
        };
        socket.onclose = (event) => resolve({ refused: `closed ${event.code}` });
      }),
    { url, key },
  );

describe('a page of another origin', () => {
  it.skipIf(NO_BROWSER)(
    `queries and subscribes where its origin is allowed${NO_BROWSER ? ` (skipped: ${SKIP_REASON})` : ''}`,
    async () => {
      const page = await browser.newPage();
      try {
        await page.goto(pageOrigin);
        const answer = await queryFrom(page, allowing.url, READER_KEY);
        expect(answer).toMatchObject({ status: 200, body: { data: { timeline: { totalCount: expect.any(Number) } } } });
        // An exposed header: the page can pace itself.
        expect(answer.rateLimit).toMatch(/^"key";r=\d+;t=\d+$/);
        expect(await subscribeFrom(page, allowing.url, READER_KEY)).toMatchObject({
          next: { data: { timelineChanges: { phase: 'REPLAY' } } },
        });
      } finally {
        await page.close();
      }
    },
  );

  it.skipIf(NO_BROWSER)(
    `is refused both where its origin is not allowed${NO_BROWSER ? ` (skipped: ${SKIP_REASON})` : ''}`,
    async () => {
      const page = await browser.newPage();
      try {
        await page.goto(pageOrigin);
        expect(await queryFrom(page, refusing.url, READER_KEY)).toEqual({
          refused: expect.stringContaining('Failed to fetch'),
        });
        expect(await subscribeFrom(page, refusing.url, READER_KEY)).toEqual({ refused: 'closed 1006' });
      } finally {
        await page.close();
      }
    },
  );
});
