import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../events/index.js';
import { createCommandBus, type CommandBus } from '../../src/application/commands/index.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { startLeaderLease } from '../../src/projections/leader-lease.js';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { readModelKeys, READ_MODEL_VERSION, type ReadModelKeys } from '../../src/projections/shared/read-model-keys.js';
import {
  LeadershipLostError,
  ReadModelDivergedError,
  startSharedProjection,
  type SharedProjection,
} from '../../src/projections/shared/shared-projection.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelReader } from '../../src/read-store/read-model-store.js';
import { readStoreKeys } from '../../src/read-store/redis/redis-read-keys.js';
import {
  FencedOutError,
  openRedisReadStore,
  type RedisReadStore,
} from '../../src/read-store/redis/redis-read-store.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { deletePrefix, scanKeys } from '../support/shared-read-models.js';
import { development, EDITOR } from '../support/timeline-harness.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/**
 * The shared read models on the real Redis, with every process's log a connection of its own to one SQLite file:
 * an elected leader projects the log into the Redis read store, followers hold no model and answer from the store
 * through their cache, a standby takes over, a deposed leader writes nothing. Whatever wrote them, the answers are
 * those of the log folded from scratch into a fresh in-memory store.
 */

const REDIS_URL = SHARED_REDIS_URL;
/** Small, so that the leader builds snapshots in Redis (and corrections close them) within a few dozen writes. */
const SNAPSHOT_EVERY = 3;
const logger = pino({ level: 'silent' });

let dir: string;
let prefix: string;
let redis: Redis;
const opened: EventStore[] = [];
const readers: RedisReadStore[] = [];
const running: SharedProjection[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'timeline-shared-'));
  prefix = `test-${randomUUID()}`;
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  for (const projection of running.splice(0)) await projection.stop();
  for (const reader of readers.splice(0)) await reader.close();
  for (const store of opened.splice(0)) await store.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** A connection of its own to the shared log file, as another process would have. */
const openLog = (): EventStore => {
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(dir, 'timeline.db') }));
  opened.push(store);
  return store;
};

/** A reader of a version's read models in Redis with no cache, as a process started now would open it. */
const openReader = (version = READ_MODEL_VERSION): RedisReadStore => {
  const reader = openRedisReadStore({ url: REDIS_URL, prefix, version });
  readers.push(reader);
  return reader;
};

const start = (
  elect: boolean,
  {
    keys = readModelKeys(prefix),
    store = openLog(),
    ttl = 1_000,
  }: { keys?: ReadModelKeys; store?: EventStore; ttl?: number } = {},
): SharedProjection => {
  const projection = startSharedProjection({
    store,
    redisUrl: REDIS_URL,
    keys,
    cacheBytes: 8 * 1024 * 1024,
    elect,
    leaseTtlMs: ttl,
    pollMs: 20,
    batchSize: 7,
    snapshotEvery: SNAPSHOT_EVERY,
    logger,
  });
  running.push(projection);
  return projection;
};

const until = async (condition: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const DAY_MS = 86_400_000;

/**
 * Developments that move actors back and forth in valid time: every fifth write corrects an earlier development
 * back to 2023, every seventh moves another one forward to 2025, so that snapshots are built, closed and built again.
 */
const writeDevelopments = async (commands: CommandBus, from: number, to: number): Promise<void> => {
  const revisions = new Map<string, number>();
  const correct = async (id: string, occurredAt: string) => {
    const result = await commands(
      'correctDevelopment',
      { id, expectedRevision: revisions.get(id) ?? 0, reason: 'date', patch: { occurredAt } },
      EDITOR,
    );
    revisions.set(id, (revisions.get(id) ?? 0) + result.appended);
  };
  for (let n = from; n < to; n++) {
    const day = new Date(Date.UTC(2024, 0, 1) + ((n * 37) % 300) * DAY_MS).toISOString();
    await commands(
      'recordDevelopment',
      development({
        id: `dev-${n}`,
        title: `Development ${n}`,
        occurredAt: day,
        participants: [
          { actorId: 'russia', role: 'SOURCE' },
          { actorId: n % 2 === 0 ? 'usa' : 'ukraine', role: 'TARGET' },
        ],
        topicIds: ['ukraine-war'],
        tone: (n % 7) - 3,
      }),
      EDITOR,
    );
    revisions.set(`dev-${n}`, 0);
    if (n % 5 === 4) await correct(`dev-${n - 2}`, new Date(Date.UTC(2023, 5, 1) + n * DAY_MS).toISOString());
    if (n % 7 === 6 && n - 5 >= from) {
      await correct(`dev-${n - 5}`, new Date(Date.UTC(2025, 8, 1) + n * DAY_MS).toISOString());
    }
  }
};

const seeded = async (store: EventStore): Promise<CommandBus> => {
  const commands = createCommandBus({ store });
  await loadSeed(commands);
  return commands;
};

const readLog = async (store: EventStore): Promise<TimelineEvent[]> =>
  (await store.readAll({ after: null, maxCount: 100_000 })) as TimelineEvent[];

/**
 * Time points on both axes: now, dates inside the developments' valid time, and knownAt at events part of the way
 * through the log (what the read models answered then, corrections not yet made).
 */
const pointsOf = async (store: EventStore): Promise<TimePoint[]> => {
  const events = await readLog(store);
  const now = new Date('9999-01-01T00:00:00Z');
  const pastKnownAt = [0.4, 0.7, 0.9].map((share) => events[Math.floor(events.length * share)]!.recordedAt);
  return [
    { asOf: now, knownAt: now },
    { asOf: new Date('2024-03-01T00:00:00Z'), knownAt: now },
    { asOf: new Date('2025-10-15T00:00:00Z'), knownAt: now },
    ...pastKnownAt.flatMap((knownAt) => [
      { asOf: now, knownAt },
      { asOf: new Date('2024-06-01T00:00:00Z'), knownAt },
    ]),
  ];
};

/** The log folded from scratch into a fresh in-memory store. */
const rebuilt = async (store: EventStore): Promise<ReadModelReader> => {
  const memory = createMemoryReadStore();
  await rebuildReadModels(store, memory);
  return memory;
};

/** What a reader answers equals what the log folded from scratch answers, at every point. */
const expectAnswersOfRebuild = async (reads: ReadModelReader, store: EventStore): Promise<void> => {
  const points = await pointsOf(store);
  expect(await snapshotReadModel(reads, points)).toEqual(await snapshotReadModel(await rebuilt(store), points));
};

const head = async (store: EventStore) => (await store.headPosition())!;

/** The log as it is, counting the events read from it. */
const countingReads = (store: EventStore): { store: EventStore; eventsRead: () => number } => {
  let read = 0;
  const counted: EventStore = Object.create(store) as EventStore;
  Object.assign(counted, {
    readAll: async (...args: Parameters<EventStore['readAll']>) => {
      const page = await store.readAll(...args);
      read += page.length;
      return page;
    },
  });
  return { store: counted, eventsRead: () => read };
};

/** Resolves once the shared checkpoint of a version is the log's head. */
const checkpointAtHead = async (store: EventStore, version = READ_MODEL_VERSION) => {
  const reader = openReader(version);
  await until(
    async () => (await reader.checkpoint())?.position.commit === (await head(store)).commit,
    `the v${version} checkpoint to reach the head`,
  );
};

describe('shared read models in Redis', () => {
  it('a leader writes them, a follower answers from them, and both answer what a rebuild from scratch does', async () => {
    const log = openLog();
    const leader = start(true);
    await until(() => leader.leading, 'the leader');
    const follower = start(false);
    const commands = await seeded(log);
    await writeDevelopments(commands, 0, 30);
    await follower.waitFor(await head(log));
    await leader.waitFor(await head(log));

    expect(follower.leading).toBe(false);
    expect(follower.checkpoint).toEqual(await head(log));
    await expectAnswersOfRebuild(follower.reads, log);
    await expectAnswersOfRebuild(leader.reads, log);
    // And a process that opens the store now, with nothing cached.
    await expectAnswersOfRebuild(openReader(), log);

    // The leader built snapshots in Redis, and listed what the corrections changed behind them.
    const metas = await follower.reads.snapshotMetas('russia');
    expect(metas.length).toBeGreaterThanOrEqual(3);
    expect(await openReader().countEntries({ kind: 'changes', id: 'russia' })).toBeGreaterThan(0);
    expect(await openReader().snapshotState(metas[0]!)).toBeDefined();

    expect((await openReader().checkpoint())?.position).toEqual(await head(log));
    const keys = readModelKeys(prefix);
    await until(
      async () => (await redis.get(keys.current)) === String(READ_MODEL_VERSION),
      'the version to be current',
    );
    expect(await follower.isCaughtUp()).toBe(true);
    expect(await leader.isCaughtUp()).toBe(true);
  });

  it('a follower that starts late takes the checkpoint as it stands, reading none of the log, and answers as a rebuild does', async () => {
    const log = openLog();
    const leader = start(true);
    await until(() => leader.leading, 'the leader');
    await writeDevelopments(await seeded(log), 0, 20);
    await leader.waitFor(await head(log));
    await checkpointAtHead(log);

    // It takes the checkpoint as it stands: it reads no event of the log to get there.
    const counted = countingReads(openLog());
    const late = start(false, { store: counted.store });
    await late.catchUp(15_000);
    expect(late.checkpoint).toEqual(await head(log));
    expect(await late.isCaughtUp()).toBe(true);
    expect(counted.eventsRead()).toBe(0);
    await expectAnswersOfRebuild(late.reads, log);

    // One with a live subscriber already there hands it the events it caught up over, read from the log.
    const listened = start(false);
    const events: string[] = [];
    listened.onApplied((event) => events.push(event.position.commit.toString()));
    await listened.catchUp(15_000);
    expect(events).toEqual((await readLog(log)).map((event) => event.position.commit.toString()));
  });

  it('a standby takes over when the leader goes, resumes from the checkpoint, and nothing is lost', async () => {
    const log = openLog();
    const first = start(true);
    await until(() => first.leading, 'the first leader');
    const standby = start(true);
    const follower = start(false);
    const seen: string[] = [];
    follower.onApplied((event) => seen.push(event.position.commit.toString()));
    const commands = await seeded(log);
    await writeDevelopments(commands, 0, 12);
    await standby.waitFor(await head(log));
    expect(standby.leading).toBe(false);

    await first.stop();
    await until(() => standby.leading, 'the standby to lead');
    await writeDevelopments(commands, 12, 24);
    await follower.waitFor(await head(log));
    await standby.waitFor(await head(log));

    // Every event reached the follower's live subscriber exactly once, in log order, across the failover.
    expect(seen).toEqual((await readLog(log)).map((event) => event.position.commit.toString()));
    expect(follower.failure).toBeNull();
    expect(standby.failure).toBeNull();
    await expectAnswersOfRebuild(follower.reads, log);
    await expectAnswersOfRebuild(standby.reads, log);
    await expectAnswersOfRebuild(openReader(), log);
  });

  it('a leader that lost its lease writes nothing more and stops: the checkpoint it could not write stays', async () => {
    const log = openLog();
    const keys = readModelKeys(prefix);
    const storeKeys = readStoreKeys(prefix, READ_MODEL_VERSION);
    const leader = start(true, { ttl: 60_000 });
    await until(() => leader.leading, 'the leader');
    const commands = await seeded(log);
    await leader.waitFor(await head(log));
    await checkpointAtHead(log);
    const before = await redis.get(storeKeys.checkpoint);
    const recordsBefore = await scanKeys(redis, `${storeKeys.base}:*`);

    // Another process takes the lease, as it would after this one was paused past its TTL.
    await redis.del(`${keys.lease}:holder`);
    const usurper = startLeaderLease(redis, { key: keys.lease, ttlMs: 60_000 });
    try {
      await usurper.acquired();
      await writeDevelopments(commands, 0, 3);

      await until(() => leader.failure !== null, 'the deposed leader to stop');
      expect(leader.failure).toBeInstanceOf(LeadershipLostError);
      // The store refused the batch's commit: the lease is another term's.
      expect(leader.failure!.cause).toBeInstanceOf(FencedOutError);
      expect(leader.leading).toBe(false);
      expect(await redis.get(storeKeys.checkpoint)).toBe(before);
      // Refused before its records were written: nothing of the batch is there, visible or not.
      expect(await scanKeys(redis, `${storeKeys.base}:*`)).toEqual(recordsBefore);
      expect(await scanKeys(redis, `${storeKeys.base}:{d:dev-*`)).toEqual([]);
      await expect(leader.waitFor(await head(log), 1_000)).rejects.toBeInstanceOf(LeadershipLostError);
      expect(await leader.isCaughtUp()).toBe(false);
    } finally {
      await usurper.release();
    }
  });

  it('refuses shared read models that run past the end of its log: they were built from another one', async () => {
    const log = openLog();
    await seeded(log);
    // Read models of another, longer log under the same prefix.
    await openReader().commit({
      versions: [],
      entries: [],
      snapshots: [],
      subtopics: [],
      clock: [],
      checkpoint: { position: { commit: 999_999n, prepare: 999_999n }, recordedAtMs: 0 },
    });
    const follower = start(false);
    await until(() => follower.failure !== null, 'the follower to refuse');
    expect(follower.failure).toBeInstanceOf(ReadModelDivergedError);
    expect(follower.failure!.message).toMatch(/past the end of the event log/);
    expect(await follower.isCaughtUp()).toBe(false);
    await expect(follower.catchUp(1_000)).rejects.toBeInstanceOf(ReadModelDivergedError);
  });

  it('a new read-model version is built beside the old one, which goes on serving, then becomes current', async () => {
    const log = openLog();
    const OLD = READ_MODEL_VERSION;
    const NEW = READ_MODEL_VERSION + 1;
    const oldKeys = readModelKeys(prefix, OLD);
    const newKeys = readModelKeys(prefix, NEW);
    expect(newKeys.current).toBe(oldKeys.current);
    const oldLeader = start(true, { keys: oldKeys });
    await until(() => oldLeader.leading, `the v${OLD} leader`);
    const oldFollower = start(false, { keys: oldKeys });
    const commands = await seeded(log);
    await writeDevelopments(commands, 0, 10);
    await oldFollower.waitFor(await head(log));
    await until(async () => (await redis.get(oldKeys.current)) === String(OLD), `v${OLD} to be current`);

    // API processes of the new version take no traffic until it is built and current.
    const newFollower = start(false, { keys: newKeys });
    expect(await newFollower.isCaughtUp()).toBe(false);
    const newLeader = start(true, { keys: newKeys });
    await until(() => newLeader.leading, `the v${NEW} leader`);
    await newLeader.waitFor(await head(log));
    await until(async () => (await redis.get(newKeys.current)) === String(NEW), `v${NEW} to become current`);

    // Both versions go on: the old one keeps serving until its processes are gone, the new one is current.
    await writeDevelopments(commands, 10, 14);
    await oldFollower.waitFor(await head(log));
    await newFollower.waitFor(await head(log));
    await expectAnswersOfRebuild(oldFollower.reads, log);
    await expectAnswersOfRebuild(newFollower.reads, log);
    expect(await newFollower.isCaughtUp()).toBe(true);
    expect(await oldFollower.isCaughtUp()).toBe(true);
    await redis.set(oldKeys.current, String(OLD));
    expect(await newFollower.isCaughtUp()).toBe(false);
    await redis.set(oldKeys.current, String(NEW));
    expect(await newFollower.isCaughtUp()).toBe(true);

    // Each version is whole in its own keys: a process opening either now answers what a rebuild does.
    await checkpointAtHead(log, OLD);
    await checkpointAtHead(log, NEW);
    await expectAnswersOfRebuild(openReader(OLD), log);
    await expectAnswersOfRebuild(openReader(NEW), log);
    expect((await scanKeys(redis, `${readStoreKeys(prefix, NEW).base}:*`)).length).toBeGreaterThan(10);

    // An old projector that still runs cannot take `current` back.
    await oldLeader.stop();
    const oldAgain = start(true, { keys: oldKeys });
    await until(() => oldAgain.leading, `a v${OLD} leader again`);
    await writeDevelopments(commands, 14, 15);
    await oldAgain.waitFor(await head(log));
    await until(() => oldAgain.isCaughtUp(), `the v${OLD} leader to catch up`);
    // It has had its idle turn (where a caught-up leader advances `current`) and more.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await redis.get(oldKeys.current)).toBe(String(NEW));
  });
});
