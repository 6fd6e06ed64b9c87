import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessRateLimiter } from '../../src/server/rate-limit/in-process-rate-limiter.js';
import { wsClient } from '../support/live-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { deletePrefix } from '../support/shared-read-models.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/** Budgets of requests per key and per address, on real servers, in process and shared through the real Redis. */

const REDIS_URL = SHARED_REDIS_URL;
const EDITOR = 'rate-editor-secret-000001';
const READER = 'rate-reader-secret-000001';
const servers: InProcessServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const start = async (env: Record<string, string> = {}) => {
  const server = await startInProcessServer({
    TIMELINE_EDITOR_KEYS: `alice:${EDITOR}`,
    TIMELINE_READER_KEYS: `dash:${READER}`,
    TIMELINE_RATE_LIMIT: '3',
    TIMELINE_ANONYMOUS_RATE_LIMIT: '2',
    ...env,
  });
  servers.push(server);
  return server;
};

const ask = async (url: string, key?: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query: '{ timeline(first: 1) { totalCount } }' }),
  });
  const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
};

describe('rate limits', () => {
  it('give each key its budget per minute, then answer 429 RATE_LIMITED with Retry-After', async () => {
    const server = await start();
    for (let n = 0; n < 3; n++) expect((await ask(server.url, EDITOR)).status).toBe(200);
    const refused = await ask(server.url, EDITOR);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body.errors?.[0]?.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfterSeconds: Number(refused.retryAfter),
    });
    // Another key has a budget of its own; health checks are never limited.
    expect((await ask(server.url, READER)).status).toBe(200);
    expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });

  it('count requests without a valid key by address, wrong keys included', async () => {
    const server = await start();
    expect((await ask(server.url)).status).toBe(401); // reads need a key here: refused, but counted
    expect((await ask(server.url, 'not-a-key-anybody-has-0001')).status).toBe(401);
    const refused = await ask(server.url, 'another-wrong-key-0000001');
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await ask(server.url, EDITOR)).status).toBe(200);
  });

  it('count subscriptions in a budget of their own: readers behind one address are not refused for the requests', async () => {
    const server = await start({
      TIMELINE_READER_KEYS: '',
      TIMELINE_ANONYMOUS_RATE_LIMIT: '2',
      TIMELINE_SUBSCRIPTION_RATE_LIMIT: '3',
    });
    // Public reads: the address's requests are spent, the next one is refused...
    for (let n = 0; n < 2; n++) expect((await ask(server.url)).status).toBe(200);
    expect((await ask(server.url)).status).toBe(429);
    // ...and its subscriptions still open, three a minute, the fourth refused with RATE_LIMITED.
    const client = wsClient(server.url);
    try {
      const outcomes = Array.from({ length: 4 }, () => {
        const errors: unknown[] = [];
        const refused = new Promise<void>((resolve) =>
          client.subscribe(
            { query: 'subscription { timelineChanges { cursor } }' },
            {
              next: () => undefined,
              error: (error) => {
                errors.push(error);
                resolve();
              },
              complete: () => undefined,
            },
          ),
        );
        return { errors, refused };
      });
      await Promise.race(outcomes.map((outcome) => outcome.refused));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const refusals = outcomes.flatMap((outcome) => outcome.errors);
      expect(refusals).toEqual([
        [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })],
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('count subscriptions behind a trusted proxy by the address it forwards, as requests are', async () => {
    const server = await start({
      TIMELINE_READER_KEYS: '',
      TIMELINE_TRUST_PROXY: 'true',
      TIMELINE_SUBSCRIPTION_RATE_LIMIT: '1',
    });
    /** One subscription from a client the proxy says is `address`: refused, or not within the moment. */
    const subscribeAs = async (address: string) => {
      const client = createClient({
        url: server.url.replace(/^http/, 'ws'),
        webSocketImpl: class extends WebSocket {
          constructor(url: string, protocols: string[]) {
            super(url, protocols, { headers: { 'x-forwarded-for': `${address}, 10.0.0.1` } });
          }
        },
        retryAttempts: 0,
      });
      const outcome = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { timelineChanges { cursor } }' },
          { next: () => undefined, error: resolve, complete: () => resolve('completed') },
        );
        setTimeout(() => resolve('open'), 300);
      });
      await client.dispose();
      return outcome;
    };
    expect(await subscribeAs('203.0.113.1')).toBe('open');
    expect(await subscribeAs('203.0.113.2')).toBe('open');
    expect(await subscribeAs('203.0.113.1')).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
    ]);
  });

  it('tell every answer under a limit what is left (RateLimit-Policy and RateLimit, IETF draft)', async () => {
    const server = await start();
    const first = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR}` },
      body: JSON.stringify({ query: '{ timeline(first: 1) { totalCount } }' }),
    });
    expect(first.headers.get('ratelimit-policy')).toBe('"key";q=3;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"key";r=2;t=(60|59)$/);
    await ask(server.url, EDITOR);
    await ask(server.url, EDITOR);
    const refused = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${EDITOR}`,
      },
      body: JSON.stringify({ query: '{ timeline(first: 1) { totalCount } }' }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    const anonymous = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ timeline(first: 1) { totalCount } }' }),
    });
    expect(anonymous.headers.get('ratelimit-policy')).toBe('"address";q=2;w=60');
  });

  it('are shared by the processes of a deployment through Redis', async () => {
    const prefix = `test-rate-${randomUUID()}`;
    const env = { REDIS_URL, TIMELINE_REDIS_PREFIX: prefix, TIMELINE_LEASE_TTL_MS: '1000' };
    const [a, b] = [await start(env), await start(env)];
    try {
      expect((await ask(a.url, EDITOR)).status).toBe(200);
      expect((await ask(b.url, EDITOR)).status).toBe(200);
      expect((await ask(a.url, EDITOR)).status).toBe(200);
      expect((await ask(b.url, EDITOR)).status).toBe(429);
      expect((await ask(a.url, EDITOR)).status).toBe(429);
    } finally {
      const redis = new Redis(REDIS_URL);
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('start a new window once the old one is over (in process)', async () => {
    let now = 0;
    const limiter = createInProcessRateLimiter(60_000, () => now);
    expect(await limiter.take('key:a', 2)).toEqual({ allowed: true, budget: { remaining: 1, resetMs: 60_000 } });
    expect(await limiter.take('key:a', 2)).toEqual({ allowed: true, budget: { remaining: 0, resetMs: 60_000 } });
    now = 45_000;
    expect(await limiter.take('key:a', 2)).toEqual({
      allowed: false,
      retryAfterMs: 15_000,
      budget: { remaining: 0, resetMs: 15_000 },
    });
    expect(await limiter.take('key:b', 2)).toEqual({ allowed: true, budget: { remaining: 1, resetMs: 60_000 } });
    now = 60_000;
    expect(await limiter.take('key:a', 2)).toEqual({ allowed: true, budget: { remaining: 1, resetMs: 60_000 } });
  });
});
