import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { READ_MODEL_VERSION } from '../../src/projections/shared/read-model-keys.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import { openRedisReadStore } from '../../src/read-store/redis/redis-read-store.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { graphql } from '../support/graphql-client.js';
import { wsClient } from '../support/live-client.js';
import {
  DEVELOPMENT_EVENT_TYPES,
  developmentInput,
  headCursor,
  openTopic,
  pause,
  readLog,
  recordDevelopment,
  registerActor,
  waitUntil,
} from '../support/live-fixtures.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { deletePrefix } from '../support/shared-read-models.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/**
 * Production mode on one machine: two API processes (`serve`) and two projector processes (`project`), one SQLite
 * log file shared by all, the real Redis. Under a steady write load the leading projector is killed with SIGKILL,
 * three times, and a fresh one started each time: the standby takes over, the shared read models answer what the
 * log folded from scratch answers, and the subscribers of both API processes receive every change exactly once.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? SHARED_REDIS_URL;
const EDITOR_KEY = 'e2e-failover-editor-key-0123456789';
const KILLS = 3;
const prefix = `e2e-failover-${randomUUID()}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-e2e-failover-'));
const processes: ServerProcess[] = [];
const clients: Client[] = [];

const env = (role: 'serve' | 'project') => ({
  TIMELINE_ROLE: role,
  REDIS_URL,
  TIMELINE_REDIS_PREFIX: prefix,
  TIMELINE_LEASE_TTL_MS: '1000',
  TIMELINE_SEED: 'false',
  TIMELINE_EDITOR_KEYS: `e2e:${EDITOR_KEY}`,
});

const startRole = async (role: 'serve' | 'project'): Promise<ServerProcess> => {
  const started = await startServerProcess(env(role), dataDir);
  processes.push(started);
  return started;
};

/** A projector process's /healthz (its url) says whether it leads. */
const leads = async (projector: ServerProcess): Promise<boolean> => {
  try {
    const response = await fetch(projector.url);
    return ((await response.json()) as { leading?: boolean }).leading === true;
  } catch {
    return false;
  }
};

const leaderAmong = async (projectors: readonly ServerProcess[], timeoutMs = 10_000): Promise<ServerProcess> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leading = [];
    for (const projector of projectors) if (await leads(projector)) leading.push(projector);
    if (leading.length === 1) return leading[0]!;
    if (leading.length > 1) throw new Error('two projectors say they lead');
    if (Date.now() > deadline) throw new Error('no projector took the lead');
    await pause(50);
  }
};

interface Feed {
  readonly cursors: string[];
  readonly errors: unknown[];
}

/** Every change after `after` (replayed, then live): nothing the writers do can slip in before it starts. */
const subscribe = (api: ServerProcess, after: string | null): Feed => {
  const client = wsClient(api.url);
  clients.push(client);
  const feed: Feed = { cursors: [], errors: [] };
  client.subscribe<{ timelineChanges: { cursor: string } }>(
    { query: 'subscription($after: String) { timelineChanges(after: $after) { cursor } }', variables: { after } },
    {
      next: (result) => {
        if (result.errors) feed.errors.push(...result.errors);
        if (result.data) feed.cursors.push(result.data.timelineChanges.cursor);
      },
      error: (error) => feed.errors.push(error),
      complete: () => undefined,
    },
  );
  return feed;
};

const QUESTION = `query {
  actors(first: 50) { edges { node { id developmentCount lastActiveAt relations { other { id } developmentCount tone lastTone } } } }
  timeline(first: 500) { edges { cursor node { id revision occurredAt } } }
}`;

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await Promise.all(processes.map((process) => process.stop()));
  const redis = new Redis(REDIS_URL);
  await deletePrefix(redis, prefix);
  redis.disconnect();
  removeDir(dataDir);
});

describe('an elected projector with failover, under load', () => {
  it('survives SIGKILL of the leader, again and again: nothing lost, nothing twice, read models equal a rebuild', async () => {
    // The first process makes the database; the others open it.
    const first = await startRole('project');
    const [second, api1, api2] = await Promise.all([startRole('project'), startRole('serve'), startRole('serve')]);
    let projectors = [first, second];
    await leaderAmong(projectors);

    for (const id of ['fo-a', 'fo-b', 'fo-c']) await registerActor(api1.url, id, id, EDITOR_KEY);
    await openTopic(api2.url, 'fo-topic', {}, EDITOR_KEY);
    const start = await headCursor(api1.url, EDITOR_KEY);
    const feeds = [subscribe(api1, start), subscribe(api2, start)];

    // Two writers, one through each API process, one write after another, until told to stop.
    let writing = true;
    const acknowledged: string[] = [];
    const failures: string[] = [];
    const writer = async (api: ServerProcess, name: string) => {
      for (let n = 0; writing; n++) {
        const id = `fo-${name}-${n}`;
        const actors = n % 2 === 0 ? ['fo-a', 'fo-b'] : ['fo-b', 'fo-c'];
        const occurredAt = new Date(Date.UTC(2025, 0, 1 + ((n * 13) % 200))).toISOString();
        try {
          await recordDevelopment(
            api.url,
            developmentInput(id, { actors, topics: ['fo-topic'], occurredAt }),
            EDITOR_KEY,
          );
          acknowledged.push(id);
        } catch (error) {
          failures.push(`${id}: ${(error as Error).message}`);
        }
        await pause(5);
      }
    };
    const writers = [writer(api1, 'one'), writer(api2, 'two')];

    const leaders: number[] = [];
    const takeovers: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      await pause(700);
      const leader = await leaderAmong(projectors);
      leaders.push(processes.indexOf(leader));
      const before = acknowledged.length;
      const killedAt = Date.now();
      await leader.kill();
      const survivors = projectors.filter((projector) => projector !== leader);
      const replacement = await startRole('project');
      projectors = [...survivors, replacement];
      const next = await leaderAmong(projectors);
      takeovers.push(Date.now() - killedAt);
      expect(next).not.toBe(leader);
      // Writes go on being acknowledged under the new leader.
      await waitUntil(() => acknowledged.length > before + 5, 'writes under the new leader', 15_000);
    }
    writing = false;
    await Promise.all(writers);
    expect(new Set(leaders).size).toBe(KILLS);
    console.log(
      `failover: ${acknowledged.length} writes acknowledged through ${KILLS} kills of the leader; ` +
        `a new leader within ${takeovers.join(', ')} ms of each kill (lease TTL 1000 ms)`,
    );
    expect(failures).toEqual([]);

    const changes = await readLog(api1.url, { types: DEVELOPMENT_EVENT_TYPES }, EDITOR_KEY);
    const recorded = new Set(changes.map((entry) => entry.data.id));
    for (const id of acknowledged) expect(recorded.has(id)).toBe(true);
    const positions = changes.map((entry) => entry.position);
    for (const feed of feeds) {
      await waitUntil(
        () => feed.cursors.length >= positions.length,
        'every change to reach the subscriber',
        15_000,
        () =>
          `${feed.cursors.length} of ${positions.length}; missing ` +
          `${JSON.stringify(positions.filter((position) => !feed.cursors.includes(position)))}, errors ` +
          JSON.stringify(feed.errors),
      );
      await pause(200);
      expect(feed.errors).toEqual([]);
      // Exactly once, in log order: the same cursors as the log, no more, no fewer.
      expect(feed.cursors).toEqual(positions);
    }

    // The shared read models answer what the log folded from scratch answers, and so do the answers of every API
    // process, including one started now from them.
    const log = withEventCatalog(openSqliteEventStore({ file: path.join(dataDir, 'timeline.db') }));
    const shared = openRedisReadStore({ url: REDIS_URL, prefix, version: READ_MODEL_VERSION });
    try {
      const head = await log.headPosition();
      for (let tries = 0; (await shared.checkpoint())?.position.commit !== head?.commit; tries++) {
        if (tries > 150) throw new Error('the shared checkpoint did not reach the head of the log');
        await pause(100);
      }
      const rebuilt = createMemoryReadStore();
      await rebuildReadModels(log, rebuilt);
      const events = await log.readAll({ after: null, maxCount: 1_000_000 });
      const now = new Date('9999-01-01T00:00:00Z');
      // Now, and as known halfway through the load (a past knownAt), at a date inside the writes' valid time.
      const midway = events[Math.floor(events.length / 2)]!.recordedAt;
      const points = [
        { asOf: now, knownAt: now },
        { asOf: new Date('2025-03-01T00:00:00Z'), knownAt: now },
        { asOf: now, knownAt: midway },
        { asOf: new Date('2025-03-01T00:00:00Z'), knownAt: midway },
      ];
      expect(await snapshotReadModel(shared, points)).toEqual(await snapshotReadModel(rebuilt, points));
    } finally {
      await shared.close();
      await log.close();
    }
    const api3 = await startRole('serve');
    const answers = await Promise.all([api1, api2, api3].map((api) => graphql(api.url, QUESTION, {}, EDITOR_KEY)));
    expect(answers[0]!.errors).toBeUndefined();
    expect(answers[1]!.data).toEqual(answers[0]!.data);
    expect(answers[2]!.data).toEqual(answers[0]!.data);
  }, 180_000);
});
