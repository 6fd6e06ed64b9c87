import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandBus, type CommandBus } from '../../src/application/commands/index.js';
import { rebuildReadModel } from '../../src/projections/rebuild.js';
import { readModelKeys } from '../../src/projections/shared/read-model-keys.js';
import { ReadModelDivergedError } from '../../src/projections/shared/snapshot-records.js';
import { startSharedProjection, type SharedProjection } from '../../src/projections/shared/shared-projection.js';
import { createTimelineReadModel } from '../../src/projections/timeline-read-model.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { privateRedis, type PrivateRedis } from '../support/private-redis.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { development, EDITOR } from '../support/timeline-harness.js';

/**
 * Redis goes away under the shared read models: a Redis server of the test's own (redis-server from the machine, on
 * a free port), stopped and started again while a leader and a follower run.
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
    model: createTimelineReadModel({ snapshotEvery: 2 }),
    redisUrl: redis.url,
    keys,
    elect,
    leaseTtlMs: 1_000,
    pollMs: 20,
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

/** Our Redis, a leader, a follower, and the seed in the log, folded by both. */
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
    const served = follower.model.checkpoint;

    await stopRedis();
    await write(commands, 6, 12);
    // The leader cannot write what it applied: it stops, for a standby to take over from the shared checkpoint.
    await until(() => leader.failure !== null, 'the leader to stop');
    // The follower rides it out: no failure, still answering from what it holds, but not caught up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(follower.failure).toBeNull();
    expect(follower.model.checkpoint).toEqual(served);
    expect(follower.model.latestDevelopment('dev-5')).toBeDefined();
    expect(follower.model.latestDevelopment('dev-6')).toBeUndefined();
    expect(await follower.isCaughtUp().catch(() => false)).toBe(false);

    await startRedis(true);
    const next = start(true);
    await until(() => next.leading, 'a new leader');
    await follower.waitFor(await head(log));
    expect(follower.failure).toBeNull();
    expect(await follower.isCaughtUp()).toBe(true);
    const rebuilt = await rebuildReadModel(log);
    const at = [{ asOf: new Date(), knownAt: new Date() }];
    expect(snapshotReadModel(follower.model, at)).toEqual(snapshotReadModel(rebuilt, at));
  });

  it('a follower refuses to go on when Redis came back without what it held', async () => {
    const { follower } = await leaderAndFollower(false);

    await stopRedis();
    await startRedis(false);
    await until(() => follower.failure !== null, 'the follower to notice');
    expect(follower.failure).toBeInstanceOf(ReadModelDivergedError);
    expect(follower.failure!.message).toMatch(/went back .* Redis lost them/);
  });
});
