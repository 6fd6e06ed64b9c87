import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { wsClient } from '../support/live-client.js';
import {
  DEVELOPMENT_EVENT_TYPES,
  developmentInput,
  openTopic,
  pause,
  readLog,
  recordDevelopment,
  registerActor,
  waitUntil,
} from '../support/live-fixtures.js';
import { privateRedis, type PrivateRedis } from '../support/private-redis.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Redis restarts under live subscriptions and writes: an API process (`serve`) and a projector (`project`) on one
 * SQLite log and a Redis of the test's own (persistent, as docker-compose runs it). The API process rides the
 * outage out; the projector stops when it cannot commit and is started again, as a supervisor would; subscribers
 * that lose their socket resume from their last cursor. Afterwards every subscriber has every change exactly once.
 */

const EDITOR_KEY = 'redis-restart-editor-key-0001';
const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-redis-restart-'));
const prefix = `redis-restart-${randomUUID()}`;
let redis: PrivateRedis;
const processes: ServerProcess[] = [];
const clients: Client[] = [];

const startRedis = () => redis.start({ persist: true });
const stopRedis = () => redis.stop();

const env = (role: 'serve' | 'project') => ({
  TIMELINE_ROLE: role,
  REDIS_URL: redis.url,
  TIMELINE_REDIS_PREFIX: prefix,
  TIMELINE_LEASE_TTL_MS: '1000',
  TIMELINE_SEED: 'false',
  TIMELINE_EDITOR_KEYS: `e2e:${EDITOR_KEY}`,
});

/** A projector kept running as a supervisor keeps one: started again whenever it exits. */
const supervisedProjector = () => {
  let stopped = false;
  let current: ServerProcess | null = null;
  let restarts = 0;
  const run = (async () => {
    while (!stopped) {
      try {
        current = await startServerProcess(env('project'), dataDir);
        processes.push(current);
        await current.exited;
        restarts += 1;
      } catch {
        // Redis not back yet: the start failed; try again shortly.
        restarts += 1;
      }
      if (!stopped) await pause(300);
    }
  })();
  return {
    restarts: () => restarts,
    stop: async () => {
      stopped = true;
      await current?.stop();
      await run;
    },
  };
};

interface Feed {
  readonly cursors: string[];
  readonly errors: unknown[];
  resubscriptions: number;
}

let leaving = false;

/**
 * A subscriber that, when its feed fails or ends (a tick the server could not serve ends it after its error),
 * subscribes again after the last cursor it got.
 */
const resumingFeed = (api: ServerProcess, after: string | null): Feed => {
  const feed: Feed = { cursors: [], errors: [], resubscriptions: 0 };
  const resume = () => {
    if (leaving) return;
    feed.resubscriptions += 1;
    setTimeout(subscribe, 200);
  };
  const subscribe = () => {
    const client = wsClient(api.url);
    clients.push(client);
    client.subscribe<{ timelineChanges: { cursor: string } }>(
      {
        query: 'subscription($after: String) { timelineChanges(after: $after) { cursor } }',
        variables: { after: feed.cursors.at(-1) ?? after },
      },
      {
        next: (result) => {
          if (result.data) feed.cursors.push(result.data.timelineChanges.cursor);
          if (result.errors) feed.errors.push(...result.errors);
        },
        error: (error) => {
          feed.errors.push(error);
          resume();
        },
        complete: resume,
      },
    );
  };
  subscribe();
  return feed;
};

afterAll(async () => {
  leaving = true;
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await Promise.all(processes.map((process) => process.stop()));
  await redis?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a Redis restart under live subscriptions and writes', () => {
  it('loses no change and repeats none; the projector resumes', async () => {
    redis = await privateRedis();
    await startRedis();
    const projector = supervisedProjector();
    const api = await startServerProcess(env('serve'), dataDir);
    processes.push(api);
    await registerActor(api.url, 'rr-a', 'A', EDITOR_KEY);
    await registerActor(api.url, 'rr-b', 'B', EDITOR_KEY);
    await openTopic(api.url, 'rr-topic', {}, EDITOR_KEY);
    const start = (await readLog(api.url, {}, EDITOR_KEY)).at(-1)!.position;
    const feeds = [resumingFeed(api, start), resumingFeed(api, start)];

    let writing = true;
    const acknowledged: string[] = [];
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const id = `rr-${n}`;
        try {
          await recordDevelopment(
            api.url,
            developmentInput(id, { actors: ['rr-a', 'rr-b'], topics: ['rr-topic'] }),
            EDITOR_KEY,
          );
          acknowledged.push(id);
        } catch {
          // Refused while Redis was away (the write is in the log all the same, and shows once projected).
        }
        await pause(20);
      }
    })();

    await waitUntil(() => acknowledged.length >= 20, 'writes before the restart', 20_000);
    await stopRedis();
    await pause(1_500);
    await startRedis();
    const before = acknowledged.length;
    await waitUntil(() => acknowledged.length >= before + 20, 'writes after the restart', 30_000);
    writing = false;
    await writer;

    const changes = await readLog(api.url, { after: start, types: DEVELOPMENT_EVENT_TYPES }, EDITOR_KEY);
    const positions = changes.map((entry) => entry.position);
    const recorded = new Set(changes.map((entry) => entry.data.id));
    for (const id of acknowledged) expect(recorded.has(id)).toBe(true);
    for (const feed of feeds) {
      await waitUntil(
        () => feed.cursors.length >= positions.length,
        'every change to reach the subscriber',
        30_000,
        () => `${feed.cursors.length} of ${positions.length}, errors ${JSON.stringify(feed.errors)}`,
      );
      await pause(200);
      expect(feed.cursors).toEqual(positions);
    }
    // The projector could not commit while Redis was away: it stopped and was started again.
    expect(projector.restarts()).toBeGreaterThanOrEqual(1);
    await projector.stop();
  }, 120_000);
});
