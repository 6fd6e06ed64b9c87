import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APPENDS_CHANNEL } from '../../src/live/redis-announcer.js';
import { wsClient } from '../support/live-client.js';
import {
  DEVELOPMENT_EVENT_TYPES,
  developmentInput,
  headCursor,
  openTopic,
  readLog,
  recordDevelopment,
  registerActor,
  runPool,
  strictlyIncreasing,
  waitUntil,
} from '../support/live-fixtures.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { deletePrefix } from '../support/shared-read-models.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/**
 * Several real server processes on ONE data directory (one SQLite log): a change written through one reaches the
 * subscribers of another. With REDIS_URL the writer rings a doorbell and the others read at once; without it they
 * find the commit by polling PRAGMA data_version every 25 ms. Either way what a subscriber gets is read from the log,
 * so a doorbell that never rings costs time, never a change.
 */

const EDITOR_KEY = 'e2e-live-editor-key-0123456789';
const REDIS_URL = process.env.TEST_REDIS_URL ?? SHARED_REDIS_URL;
const ROUNDS = 10;

interface Change {
  readonly cursor: string;
  readonly phase: 'REPLAY' | 'LIVE';
  readonly development: { id: string };
}

interface TimedFeed {
  readonly received: { change: Change; at: number }[];
  readonly errors: unknown[];
  /** Resolves with the receipt of the change to `developmentId` once it came. */
  arrivalOf(developmentId: string, timeoutMs?: number): Promise<{ change: Change; at: number }>;
}

const SUBSCRIPTION = `
  subscription($after: String) {
    timelineChanges(after: $after) { cursor phase development { id } }
  }
`;

let dataDir: string;
const prefix = `e2e-live-${randomUUID()}`;
/** A and B announce their appends through Redis and listen for the others'. */
let a: ServerProcess;
let b: ServerProcess;
/** C and D work without Redis: they only poll, and nobody hears of their appends but by polling. */
let c: ServerProcess;
let d: ServerProcess;
const clients: Client[] = [];

const timedFeed = (server: ServerProcess, after: string | null): TimedFeed => {
  const client = wsClient(server.url);
  clients.push(client);
  const feed: TimedFeed = {
    received: [],
    errors: [],
    arrivalOf: async (developmentId, timeoutMs = 5_000) => {
      const find = () => feed.received.find((item) => item.change.development.id === developmentId);
      await waitUntil(
        () => find() !== undefined,
        `${developmentId} to reach the subscriber`,
        timeoutMs,
        () => JSON.stringify(feed.errors),
      );
      return find()!;
    },
  };
  client.subscribe<{ timelineChanges: Change }>(
    { query: SUBSCRIPTION, variables: { after } },
    {
      next: (result) => {
        const at = performance.now();
        if (result.errors) feed.errors.push(...result.errors);
        if (result.data) feed.received.push({ change: result.data.timelineChanges, at });
      },
      error: (error) => feed.errors.push(error),
      complete: () => undefined,
    },
  );
  return feed;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Writes ROUNDS developments one after the other through `writer`, each once the subscriber on `reader` got the one
 * before, and measures from the writer's HTTP answer to the subscriber's receipt (0 when the receipt came first).
 */
const measure = async (
  label: string,
  slug: string,
  writer: ServerProcess,
  reader: ServerProcess,
): Promise<number[]> => {
  const prefix = `lat-${slug}`;
  const start = await headCursor(writer.url, EDITOR_KEY);
  const feed = timedFeed(reader, start);
  const write = (id: string) =>
    recordDevelopment(writer.url, developmentInput(id, { actors: ['px-alice'], topics: ['px-topic'] }), EDITOR_KEY);
  // A first write proves the subscription is up (replayed or live); the measured ones come after it.
  await write(`${prefix}-warm-up`);
  await feed.arrivalOf(`${prefix}-warm-up`, 10_000);

  const latencies: number[] = [];
  const sinceSent: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const id = `${prefix}-${round}`;
    const sentAt = performance.now();
    await write(id);
    const answeredAt = performance.now();
    const { at } = await feed.arrivalOf(id);
    latencies.push(Math.max(0, at - answeredAt));
    sinceSent.push(at - sentAt);
  }
  expect(feed.errors).toEqual([]);
  const cursors = feed.received.map((item) => item.change.cursor);
  expect(strictlyIncreasing(cursors)).toBe(true);
  expect(feed.received.map((item) => item.change.development.id)).toEqual([
    `${prefix}-warm-up`,
    ...Array.from({ length: ROUNDS }, (_, round) => `${prefix}-${round}`),
  ]);
  const shown = (values: readonly number[]) => values.map((ms) => ms.toFixed(1)).join(', ');
  console.log(
    `${label}: from the writer's answer to receipt: median ${median(latencies).toFixed(1)} ms, ` +
      `max ${Math.max(...latencies).toFixed(1)} ms [${shown(latencies)}]; ` +
      `from sending the mutation: median ${median(sinceSent).toFixed(1)} ms [${shown(sinceSent)}]`,
  );
  return latencies;
};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-e2e-live-'));
  const common = { TIMELINE_SEED: 'false', TIMELINE_EDITOR_KEYS: `e2e:${EDITOR_KEY}` };
  // Its own prefix: the shared read models of other runs on this Redis belong to other logs.
  const withRedis = { ...common, REDIS_URL, TIMELINE_REDIS_PREFIX: prefix };
  // Blank means unset: the variable may be in the environment the tests run in.
  const withoutRedis = { ...common, REDIS_URL: '' };
  // The first one makes the database; the others open it.
  a = await startServerProcess(withRedis, dataDir);
  [b, c, d] = await Promise.all([
    startServerProcess(withRedis, dataDir),
    startServerProcess(withoutRedis, dataDir),
    startServerProcess(withoutRedis, dataDir),
  ]);
  await registerActor(a.url, 'px-alice', 'Alice', EDITOR_KEY);
  await registerActor(a.url, 'px-boris', 'Boris', EDITOR_KEY);
  await openTopic(a.url, 'px-topic', {}, EDITOR_KEY);
}, 90_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await Promise.all([a, b, c, d].map((server) => server?.stop()));
  if (dataDir) removeDir(dataDir);
  const redis = new Redis(REDIS_URL);
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('a change written through one process reaches the subscribers of another', () => {
  it('with Redis: within 100 ms (median), each under 500 ms', async () => {
    // Both Redis processes listen for the doorbell (other users of this Redis may listen too).
    const redis = new Redis(REDIS_URL);
    try {
      const [, listening] = (await redis.pubsub('NUMSUB', APPENDS_CHANNEL)) as [string, number];
      expect(Number(listening)).toBeGreaterThanOrEqual(2);
    } finally {
      redis.disconnect();
    }
    const latencies = await measure('redis A→B', 'redis', a, b);
    expect(median(latencies)).toBeLessThan(100);
    for (const ms of latencies) expect(ms).toBeLessThan(500);
  });

  it('without Redis (data_version polling only): each under 500 ms', async () => {
    const latencies = await measure('polling C→D', 'polling', c, d);
    for (const ms of latencies) expect(ms).toBeLessThan(500);
  });

  it('every change exactly once on every process, writes from all four racing, unannounced ones too', async () => {
    const start = await headCursor(a.url, EDITOR_KEY);
    const writers = [a, b, c, d];
    const feeds = writers.map((server) => timedFeed(server, start));
    const TOTAL = 200;
    await runPool(TOTAL, 8, (index) =>
      recordDevelopment(
        writers[index % writers.length]!.url,
        developmentInput(`px-race-${index}`, { actors: ['px-alice', 'px-boris'], topics: ['px-topic'] }),
        EDITOR_KEY,
      ),
    );
    const log = await readLog(b.url, { after: start, types: DEVELOPMENT_EVENT_TYPES }, EDITOR_KEY);
    expect(log.length).toBe(TOTAL);
    const expected = log.map((entry) => ({ cursor: entry.position, id: entry.data.id }));
    const last = log.at(-1)!.position;

    for (const [index, feed] of feeds.entries()) {
      const name = 'ABCD'[index]!;
      await waitUntil(
        () => (feed.received.at(-1)?.change.cursor ?? '') >= last,
        `process ${name}'s subscriber to reach the end of the log`,
        10_000,
        () => `(${feed.received.length} of ${TOTAL}, errors ${JSON.stringify(feed.errors)})`,
      );
      expect(feed.errors, `process ${name}`).toEqual([]);
      expect(
        feed.received.map((item) => ({ cursor: item.change.cursor, id: item.change.development.id })),
        `process ${name}: every change once, in log order`,
      ).toEqual(expected);
    }
  }, 30_000);
});
