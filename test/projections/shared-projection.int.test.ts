import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandBus, type CommandBus } from '../../src/application/commands/index.js';
import { rebuildReadModel } from '../../src/projections/rebuild.js';
import { startLeaderLease } from '../../src/projections/leader-lease.js';
import { encodeCheckpoint, readCheckpoint } from '../../src/projections/shared/checkpoint-record.js';
import { readModelKeys, type ReadModelKeys } from '../../src/projections/shared/read-model-keys.js';
import { ReadModelDivergedError } from '../../src/projections/shared/snapshot-records.js';
import {
  LeadershipLostError,
  startSharedProjection,
  type SharedProjection,
} from '../../src/projections/shared/shared-projection.js';
import { createTimelineReadModel, type TimelineReadModel } from '../../src/projections/timeline-read-model.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { deleteKeys, expectedSharedContent, readSharedContent } from '../support/shared-read-models.js';
import { development, EDITOR } from '../support/timeline-harness.js';

/**
 * The shared read models on the real Redis, with every process's log a connection of its own to one SQLite file:
 * a leader writes them, followers hold the leader's model, a standby takes over, a deposed leader writes nothing.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SNAPSHOT_EVERY = 2;
const logger = pino({ level: 'silent' });

let dir: string;
let prefix: string;
let redis: Redis;
const opened: EventStore[] = [];
const running: SharedProjection[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'timeline-shared-'));
  prefix = `test-${randomUUID()}`;
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  for (const projection of running.splice(0)) await projection.stop();
  for (const store of opened.splice(0)) await store.close();
  await deleteKeys(redis, `*${prefix}*`);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** A connection of its own to the shared log file, as another process would have. */
const openLog = (): EventStore => {
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(dir, 'timeline.db') }));
  opened.push(store);
  return store;
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
    model: createTimelineReadModel({ snapshotEvery: SNAPSHOT_EVERY }),
    redisUrl: REDIS_URL,
    keys,
    elect,
    leaseTtlMs: ttl,
    pollMs: 20,
    batchSize: 7,
    logger,
  });
  running.push(projection);
  return projection;
};

const until = async (condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Developments that move actors back and forth in time, so that snapshots are built, closed and built again. */
const writeDevelopments = async (commands: CommandBus, from: number, to: number): Promise<void> => {
  for (let n = from; n < to; n++) {
    const day = new Date(Date.UTC(2024, 0, 1 + ((n * 37) % 300))).toISOString();
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
    if (n % 5 === 4) {
      await commands(
        'correctDevelopment',
        { id: `dev-${n - 2}`, expectedRevision: 0, reason: 'date', patch: { occurredAt: '2023-06-01T00:00:00.000Z' } },
        EDITOR,
      );
    }
  }
};

const seeded = async (store: EventStore): Promise<CommandBus> => {
  const commands = createCommandBus({ store });
  await loadSeed(commands);
  return commands;
};

const points = () => {
  const now = new Date();
  return [
    { asOf: now, knownAt: now },
    { asOf: new Date('2024-03-01T00:00:00Z'), knownAt: now },
    { asOf: new Date('2025-10-15T00:00:00Z'), knownAt: now },
  ];
};

const snapshotsOf = (model: TimelineReadModel) =>
  [...model.actorIds()].sort().map((id) => [id, model.actorSnapshots(id)]);

/** The model a process holds equals the log folded from scratch, snapshots and all. */
const expectEqualsRebuild = async (model: TimelineReadModel, store: EventStore) => {
  const rebuilt = await rebuildReadModel(store);
  const reference = createTimelineReadModel({ snapshotEvery: SNAPSHOT_EVERY });
  for (const event of (await store.readAll({ after: null, maxCount: 100_000 })) as never[]) reference.apply(event);
  const at = points();
  expect(snapshotReadModel(model, at)).toEqual(snapshotReadModel(rebuilt, at));
  expect(snapshotsOf(model)).toEqual(snapshotsOf(reference));
};

const head = async (store: EventStore) => (await store.headPosition())!;

describe('shared read models in Redis', () => {
  it('a leader writes them, a follower holds its model, and both equal a rebuild from scratch', async () => {
    const log = openLog();
    const leader = start(true);
    await until(() => leader.leading, 'the leader');
    const follower = start(false);
    const commands = await seeded(log);
    await writeDevelopments(commands, 0, 30);
    await follower.waitFor(await head(log));

    expect(follower.leading).toBe(false);
    await expectEqualsRebuild(follower.model, log);
    await expectEqualsRebuild(leader.model, log);
    expect(follower.model.actorSnapshots('russia').length).toBeGreaterThanOrEqual(3);
    const keys = readModelKeys(prefix);
    expect(await readSharedContent(redis, keys)).toEqual(
      await expectedSharedContent(log, keys, { snapshotEvery: SNAPSHOT_EVERY }),
    );
    expect((await readCheckpoint(redis, keys))?.position).toEqual(await head(log));
    expect(await redis.get(keys.current)).toBe('1');
  });

  it("a follower that starts late catches up from the checkpoint and the log, with the leader's snapshots", async () => {
    const log = openLog();
    const leader = start(true);
    await until(() => leader.leading, 'the leader');
    await writeDevelopments(await seeded(log), 0, 20);
    await leader.waitFor(await head(log));
    await until(
      async () => (await readCheckpoint(redis, readModelKeys(prefix)))?.position.commit === (await head(log)).commit,
      'the checkpoint',
    );

    const late = start(false);
    await late.catchUp(10_000);
    await expectEqualsRebuild(late.model, log);
  });

  it('a standby takes over when the leader goes, resumes from the checkpoint, and nothing is lost', async () => {
    const log = openLog();
    const first = start(true);
    await until(() => first.leading, 'the first leader');
    const standby = start(true);
    const follower = start(false);
    const commands = await seeded(log);
    await writeDevelopments(commands, 0, 12);
    await standby.waitFor(await head(log));
    expect(standby.leading).toBe(false);

    await first.stop();
    await until(() => standby.leading, 'the standby to lead');
    await writeDevelopments(commands, 12, 24);
    await follower.waitFor(await head(log));

    await expectEqualsRebuild(follower.model, log);
    await expectEqualsRebuild(standby.model, log);
    const keys = readModelKeys(prefix);
    expect(await readSharedContent(redis, keys)).toEqual(
      await expectedSharedContent(log, keys, { snapshotEvery: SNAPSHOT_EVERY }),
    );
  });

  it('a leader that lost its lease writes nothing more and stops', async () => {
    const log = openLog();
    const keys = readModelKeys(prefix);
    const leader = start(true, { ttl: 60_000 });
    await until(() => leader.leading, 'the leader');
    const commands = await seeded(log);
    await leader.waitFor(await head(log));
    await until(
      async () => (await readCheckpoint(redis, keys))?.position.commit === (await head(log)).commit,
      'the checkpoint',
    );
    const before = await redis.get(keys.checkpoint);

    // Another process takes the lease, as it would after this one was paused past its TTL.
    await redis.del(`${keys.lease}:holder`);
    const usurper = startLeaderLease(redis, { key: keys.lease, ttlMs: 60_000 });
    await usurper.acquired();
    await writeDevelopments(commands, 0, 3);

    await until(() => leader.failure !== null, 'the deposed leader to stop');
    expect(leader.failure).toBeInstanceOf(LeadershipLostError);
    expect(leader.leading).toBe(false);
    expect(await redis.get(keys.checkpoint)).toBe(before);
    await usurper.release();
  });

  it('refuses shared read models that run past the end of its log: they were built from another one', async () => {
    const keys = readModelKeys(prefix);
    openLog();
    await redis.set(
      keys.checkpoint,
      encodeCheckpoint({ position: { commit: 999n, prepare: 999n }, recordedAtMs: 0, token: 1, snapshots: 0 }),
    );
    const follower = start(false);
    await until(() => follower.failure !== null, 'the follower to refuse');
    expect(follower.failure).toBeInstanceOf(ReadModelDivergedError);
    expect(follower.failure!.message).toMatch(/past the end of the event log/);
    expect(await follower.isCaughtUp()).toBe(false);
  });

  it('a new read-model version is built beside the old one, which goes on serving, then becomes current', async () => {
    const log = openLog();
    const v1 = readModelKeys(prefix, 1);
    const v2 = readModelKeys(prefix, 2);
    const oldLeader = start(true, { keys: v1 });
    await until(() => oldLeader.leading, 'the v1 leader');
    const oldFollower = start(false, { keys: v1 });
    const commands = await seeded(log);
    await writeDevelopments(commands, 0, 10);
    await oldFollower.waitFor(await head(log));
    expect(await redis.get(v1.current)).toBe('1');

    // API processes of the new version take no traffic until it is built and current.
    const newFollower = start(false, { keys: v2 });
    expect(await newFollower.isCaughtUp()).toBe(false);
    const newLeader = start(true, { keys: v2 });
    await until(() => newLeader.leading, 'the v2 leader');
    await newLeader.waitFor(await head(log));
    await until(async () => (await redis.get(v2.current)) === '2', 'v2 to become current');

    // Both versions go on: the old one keeps serving until its processes are gone, the new one is current.
    await writeDevelopments(commands, 10, 14);
    await oldFollower.waitFor(await head(log));
    await expectEqualsRebuild(oldFollower.model, log);
    await newFollower.waitFor(await head(log));
    expect(await newFollower.isCaughtUp()).toBe(true);
    expect(await oldFollower.isCaughtUp()).toBe(true);
    await redis.set(v1.current, '1');
    expect(await newFollower.isCaughtUp()).toBe(false);
    await redis.set(v1.current, '2');
    await expectEqualsRebuild(newFollower.model, log);
    expect(await readSharedContent(redis, v1)).toEqual(
      await expectedSharedContent(log, v1, { snapshotEvery: SNAPSHOT_EVERY }),
    );
    expect(await readSharedContent(redis, v2)).toEqual(
      await expectedSharedContent(log, v2, { snapshotEvery: SNAPSHOT_EVERY }),
    );
    // An old projector that still runs cannot take `current` back.
    await oldLeader.stop();
    const oldAgain = start(true, { keys: v1 });
    await until(() => oldAgain.leading, 'a v1 leader again');
    await writeDevelopments(commands, 14, 15);
    await oldAgain.waitFor(await head(log));
    expect(await redis.get(v1.current)).toBe('2');
  });
});
