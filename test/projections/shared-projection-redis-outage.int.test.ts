import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandBus, type CommandBus } from '../../src/application/commands/index.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { readModelKeys } from '../../src/projections/shared/read-model-keys.js';
import {
  ReadModelDivergedError,
  startSharedProjection,
  type SharedProjection,
} from '../../src/projections/shared/shared-projection.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import { readStoreKeys } from '../../src/read-store/redis/redis-read-keys.js';
import { encodeCheckpoint } from '../../src/read-store/redis/redis-records.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { actorAt } from '../../src/time-travel/actor-at.js';
import { privateRedis, type PrivateRedis } from '../support/private-redis.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { development, EDITOR, latestDevelopment } from '../support/timeline-harness.js';

/**
 * Redis goes away under the shared read models: a Redis server of the test's own (redis-server from the machine, on
 * a free port), stopped and started again while a leader and a follower run. The follower holds no model: what it
 * has is its cache, and what it does not have it cannot read until Redis is back.
 */

const logger = pino({ level: 'silent' });
let dir: string;
let redis: PrivateRedis;
const opened: EventStore[] = [];
const running: SharedProjection[] = [];

const until = async (condition: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const startRedis = (persist: boolean) => redis.start({ persist });
const stopRedis = () => redis.stop();

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'timeline-outage-'));
  redis = await privateRedis();
});

afterEach(async () => {
  for (const projection of running.splice(0)) await projection.stop();
  for (const store of opened.splice(0)) await store.close();
  await redis.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const openLog = (): EventStore => {
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(dir, 'timeline.db') }));
  opened.push(store);
  return store;
};

const keys = readModelKeys(`test-${randomUUID()}`);

const start = (elect: boolean): SharedProjection => {
  const projection = startSharedProjection({
    store: openLog(),
    redisUrl: redis.url,
    keys,
    cacheBytes: 8 * 1024 * 1024,
    elect,
    leaseTtlMs: 1_000,
    pollMs: 20,
    snapshotEvery: 2,
    logger,
  });
  running.push(projection);
  return projection;
};

const write = async (commands: CommandBus, from: number, to: number) => {
  for (let n = from; n < to; n++) {
    const occurredAt = new Date(Date.UTC(2024, 0, 1 + ((n * 29) % 200))).toISOString();
    await commands(
      'recordDevelopment',
      development({
        id: `dev-${n}`,
        occurredAt,
        topicIds: ['ukraine-war'],
        participants: [
          { actorId: 'russia', role: 'SOURCE' },
          { actorId: 'ukraine', role: 'TARGET' },
        ],
      }),
      EDITOR,
    );
  }
};

const head = async (store: EventStore) => (await store.headPosition())!;

/** Our Redis, a leader, a follower, and the seed in the log, projected by the one and followed by the other. */
const leaderAndFollower = async (persist: boolean) => {
  await startRedis(persist);
  const log = openLog();
  const commands = createCommandBus({ store: log });
  const leader = start(true);
  await until(() => leader.leading, 'the leader');
  const follower = start(false);
  await loadSeed(commands);
  await follower.waitFor(await head(log));
  return { log, commands, leader, follower };
};

describe('shared read models when Redis goes away', () => {
  it('a follower keeps serving what it has and resumes; the leader stops, and a new one goes on from the checkpoint', async () => {
    const { log, commands, leader, follower } = await leaderAndFollower(true);
    await write(commands, 0, 6);
    await follower.waitFor(await head(log));
    const served = follower.checkpoint;
    const now: TimePoint = { asOf: new Date('2030-01-01T00:00:00Z'), knownAt: new Date('2030-01-01T00:00:00Z') };
    // Read once while Redis is there: the follower's cache holds these answers from then on.
    const dev5 = await latestDevelopment(follower, 'dev-5');
    const russia = await actorAt(follower.reads, 'russia', now);
    expect(dev5?.title).toBeDefined();
    expect(russia).not.toBeNull();

    await stopRedis();
    await write(commands, 6, 12);
    // The leader cannot write what it projected: it stops, for a standby to take over from the shared checkpoint.
    await until(() => leader.failure !== null, 'the leader to stop');
    expect(leader.leading).toBe(false);
    // The follower rides it out: no failure, its checkpoint where it was, and what it has cached still answered.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(follower.failure).toBeNull();
    expect(follower.checkpoint).toEqual(served);
    expect(await latestDevelopment(follower, 'dev-5')).toEqual(dev5);
    expect(await actorAt(follower.reads, 'russia', now)).toEqual(russia);
    // What it has not cached it cannot read: the read fails as a request would, and the process goes on.
    await expect(follower.reads.versions('development', ['dev-6'])).rejects.toBeInstanceOf(Error);
    await expect(follower.reads.ids('actor')).rejects.toBeInstanceOf(Error);
    expect(await follower.isCaughtUp().catch(() => false)).toBe(false);
    expect(follower.failure).toBeNull();

    await startRedis(true);
    const next = start(true);
    await until(() => next.leading, 'a new leader');
    await follower.waitFor(await head(log), 15_000);
    await next.waitFor(await head(log), 15_000);
    expect(follower.failure).toBeNull();
    expect(next.failure).toBeNull();
    await until(() => follower.isCaughtUp(), 'the follower to be caught up');
    expect((await latestDevelopment(follower, 'dev-11'))?.id).toBe('dev-11');

    const rebuilt = createMemoryReadStore();
    await rebuildReadModels(log, rebuilt);
    const at = [now, { asOf: new Date('2024-03-01T00:00:00Z'), knownAt: now.knownAt }];
    expect(await snapshotReadModel(follower.reads, at)).toEqual(await snapshotReadModel(rebuilt, at));
    expect(await snapshotReadModel(next.reads, at)).toEqual(await snapshotReadModel(rebuilt, at));
  });

  it('a follower refuses to go on when Redis came back without what it held', async () => {
    const { follower } = await leaderAndFollower(false);
    expect(follower.checkpoint).not.toBeNull();

    await stopRedis();
    await startRedis(false);
    await until(() => follower.failure !== null, 'the follower to notice');
    expect(follower.failure).toBeInstanceOf(ReadModelDivergedError);
    expect(follower.failure!.message).toMatch(/the shared checkpoint is gone/);
    expect(await follower.isCaughtUp()).toBe(false);
  });

  it('a follower refuses to go on when Redis came back with less than it held (an older file, a lagging replica)', async () => {
    const { log, commands, follower } = await leaderAndFollower(true);
    await write(commands, 0, 4);
    await follower.waitFor(await head(log));
    const events = await log.readAll({ after: null, maxCount: 100_000 });
    const earlier = events[events.length - 3]!;

    await stopRedis();
    await startRedis(true);
    // What it came back with: the read models as they stood a few events ago.
    const raw = new Redis(redis.url);
    try {
      await raw.set(
        readStoreKeys(keys.prefix, keys.version).checkpoint,
        encodeCheckpoint({ position: earlier.position, recordedAtMs: earlier.recordedAt.getTime() }),
      );
    } finally {
      raw.disconnect();
    }
    await until(() => follower.failure !== null, 'the follower to notice');
    expect(follower.failure).toBeInstanceOf(ReadModelDivergedError);
    expect(follower.failure!.message).toMatch(/the shared checkpoint went back from \d+ to \d+/);
    expect(await follower.isCaughtUp()).toBe(false);
  });
});
