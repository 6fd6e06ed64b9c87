import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { EDITOR_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient } from '../support/live-client.js';
import { deletePrefix } from '../support/shared-read-models.js';
import { parsePrometheusText, valueOf, type Sample } from './prometheus-text.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/**
 * /metrics over real HTTP: scraped before and after a handful of requests (one of them over its key's budget of
 * one request a minute), the counters moved by what those requests did, and every line of the text parses.
 */

const REDIS_URL = SHARED_REDIS_URL;
const OTHER_EDITOR = 'metrics-other-editor-secret-0001';
let server: InProcessServer;
const clients: Client[] = [];

const originOf = (url: string) => new URL(url).origin;

const scrape = async (url: string): Promise<{ text: string; samples: Sample[] }> => {
  const response = await fetch(`${originOf(url)}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, samples: parsePrometheusText(text) };
};

const DURATION = 'timeline_http_request_duration_seconds_count';
const REJECTED = 'timeline_requests_rejected_total';
const APPENDED = 'timeline_events_appended_total';

const register = (key: string) =>
  graphql(
    server.url,
    'mutation Register($input: RegisterActorInput!) { registerActor(input: $input) { id } }',
    { input: { id: 'metrics-actor', name: 'Metrics Actor', kind: 'PERSON' } },
    key,
  );

beforeAll(async () => {
  server = await startInProcessServer({
    TIMELINE_EDITOR_KEYS: `tests:${EDITOR_KEY},other:${OTHER_EDITOR}`,
    TIMELINE_RATE_LIMIT: '1',
  });
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
});

describe('/metrics', () => {
  it('counts operations, appends and refusals, and reads the gauges at the scrape', async () => {
    const before = (await scrape(server.url)).samples;

    // Anonymous requests have no budget here (TIMELINE_ANONYMOUS_RATE_LIMIT=0); each key has one a minute.
    for (let i = 0; i < 2; i++) {
      expect((await graphql(server.url, 'query Topics { topics(first: 1) { totalCount } }')).status).toBe(200);
    }
    expect((await register(EDITOR_KEY)).status).toBe(200);
    // The same development again, by the other key: an idempotent repeat, which appends nothing.
    expect((await register(OTHER_EDITOR)).status).toBe(200);
    const limited = await register(EDITOR_KEY);
    expect([limited.status, limited.errors?.[0]?.extensions?.code]).toEqual([429, 'RATE_LIMITED']);
    const anonymousWrite = await register(undefined as unknown as string);
    expect(anonymousWrite.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const tooCostly = await graphql(server.url, '{ timeline(first: 1000000) { edges { node { id title } } } }');
    expect(tooCostly.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const unparsable = await graphql(server.url, '{ topics(');
    expect(unparsable.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');

    const client = wsClient(server.url);
    clients.push(client);
    const feed = collect(client, 'subscription { timelineChanges { cursor } }');
    await expect.poll(async () => valueOf((await scrape(server.url)).samples, 'timeline_live_subscriptions')).toBe(1);

    const { text, samples: after } = await scrape(server.url);
    const moved = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(moved(DURATION, { operation_type: 'query', operation_name: 'Topics' })).toBe(2);
    expect(moved(DURATION, { operation_type: 'mutation', operation_name: 'Register' })).toBe(3);
    // Refused by the rate limit before GraphQL read it, and a document that did not parse.
    expect(moved(DURATION, { operation_type: 'unknown', operation_name: 'anonymous' })).toBe(2);
    expect(moved('timeline_http_request_duration_seconds_bucket', { operation_name: 'Topics', le: '+Inf' })).toBe(2);

    expect(moved(APPENDED, { command: 'registerActor' })).toBe(1);
    expect(moved(REJECTED, { code: 'RATE_LIMITED' })).toBe(1);
    expect(moved(REJECTED, { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(moved(REJECTED, { code: 'QUERY_TOO_COMPLEX' })).toBe(1);
    expect(moved(REJECTED, { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(after.filter((sample) => sample.name === REJECTED).reduce((sum, sample) => sum + sample.value, 0)).toBe(4);

    expect(valueOf(after, 'timeline_live_subscriptions')).toBe(1);
    expect(after.some((sample) => sample.name === 'timeline_projection_lag_events')).toBe(true);
    expect(valueOf(after, 'timeline_projection_lag_events')).toBe(0);
    // prom-client's process metrics ride along.
    expect(valueOf(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');

    feed.unsubscribe();
    await expect.poll(async () => valueOf((await scrape(server.url)).samples, 'timeline_live_subscriptions')).toBe(0);
  });

  it('counts refused subscriptions by code too', async () => {
    const before = (await scrape(server.url)).samples;
    const client = wsClient(server.url, 'not-a-key-of-this-server-0000');
    clients.push(client);
    const feed = collect(client, 'subscription { timelineChanges { cursor } }');
    await feed.until(() => feed.errors.length > 0);
    const after = (await scrape(server.url)).samples;
    expect(
      valueOf(after, REJECTED, { code: 'UNAUTHENTICATED' }) - valueOf(before, REJECTED, { code: 'UNAUTHENTICATED' }),
    ).toBe(1);
  });

  it('labels a name that is not a plain one of at most 64 characters "anonymous"', async () => {
    const long = `Q${'x'.repeat(64)}`;
    await graphql(server.url, `query ${long} { topics(first: 1) { totalCount } }`);
    const { samples } = await scrape(server.url);
    expect(samples.some((sample) => sample.labels.operation_name === long)).toBe(false);
    expect(valueOf(samples, DURATION, { operation_type: 'query', operation_name: 'anonymous' })).toBeGreaterThan(0);
  });
});

describe('/metrics of the read-model cache', () => {
  let seeded: InProcessServer;
  beforeAll(async () => {
    seeded = await startInProcessServer({ TIMELINE_SEED: 'true', TIMELINE_CACHE_MB: '3' });
  });
  afterAll(async () => {
    await seeded?.close();
  });

  const cache = async () => {
    const { samples } = await scrape(seeded.url);
    const read = (name: string) => valueOf(samples, `timeline_read_cache_${name}`);
    return { bytes: read('bytes'), limit: read('limit_bytes'), hits: read('hits_total'), misses: read('misses_total') };
  };
  const asOf = (knownAt: string) =>
    graphql(
      seeded.url,
      'query AsOf($knownAt: DateTime) { actor(id: "donald-trump", knownAt: $knownAt) { developmentCount } }',
      { knownAt },
    );

  it('shows its bound (TIMELINE_CACHE_MB), what it holds, and reads from the heap and from the store', async () => {
    const before = await cache();
    expect(before.limit).toBe(3 * 1024 * 1024);
    const knownAt = new Date().toISOString();
    const first = await asOf(knownAt);
    expect(first.errors).toBeUndefined();
    const afterFirst = await cache();
    // What this question read from the store stays in the heap, within the bound.
    expect(afterFirst.misses).toBeGreaterThan(before.misses);
    expect(afterFirst.bytes).toBeGreaterThan(0);
    expect(afterFirst.bytes).toBeLessThanOrEqual(3 * 1024 * 1024);
    // The same question again, about now (its asOf the clock's reading, never the same twice), from the heap alone.
    expect(await asOf(knownAt)).toEqual(first);
    const afterSecond = await cache();
    expect(afterSecond.misses).toBe(afterFirst.misses);
    expect(afterSecond.hits).toBeGreaterThan(afterFirst.hits);
    // What it holds, by kind of record, adds up to the whole.
    const { samples } = await scrape(seeded.url);
    const byKind = samples.filter((sample) => sample.name === 'timeline_read_cache_kind_bytes');
    expect(byKind.map((sample) => sample.labels.kind).sort()).toEqual([
      'index_pages',
      'snapshot_lists',
      'snapshot_states',
      'snapshot_texts',
      'subtopics',
      'versions',
    ]);
    expect(byKind.find((sample) => sample.labels.kind === 'versions')!.value).toBeGreaterThan(0);
    expect(byKind.reduce((sum, sample) => sum + sample.value, 0)).toBe(valueOf(samples, 'timeline_read_cache_bytes'));
  });
});

describe('/metrics of a projector-only process (role project)', () => {
  const prefix = `timeline-metrics-${randomUUID()}`;
  let projector: InProcessServer;

  beforeAll(async () => {
    projector = await startInProcessServer({
      TIMELINE_ROLE: 'project',
      REDIS_URL,
      TIMELINE_REDIS_PREFIX: prefix,
    });
  });
  afterAll(async () => {
    await projector?.close();
    const redis = new Redis(REDIS_URL);
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('serves the projection lag and the process metrics beside /healthz', async () => {
    const { samples } = await scrape(projector.url);
    expect(valueOf(samples, 'timeline_projection_lag_events')).toBe(0);
    expect(samples.some((sample) => sample.name === 'process_resident_memory_bytes')).toBe(true);
    expect(samples.some((sample) => sample.name === 'timeline_live_subscriptions')).toBe(false);
  });
});
