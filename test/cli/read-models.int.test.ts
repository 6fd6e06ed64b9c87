import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandBus } from '../../src/application/commands/index.js';
import { readModelKeys } from '../../src/projections/shared/read-model-keys.js';
import { startSharedProjection, type SharedProjection } from '../../src/projections/shared/shared-projection.js';
import { createTimelineReadModel } from '../../src/projections/timeline-read-model.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { runTimelineCli } from '../support/cli-in-process.js';
import { deleteKeys, scanKeys } from '../support/shared-read-models.js';

/** `timeline read-models` against the real Redis, on versions that real projectors built. */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-cli-${randomUUID()}`;
let dir: string;
let store: EventStore;
let redis: Redis;
let v2Leader: SharedProjection;

const run = (args: readonly string[], env: NodeJS.ProcessEnv = { REDIS_URL, TIMELINE_REDIS_PREFIX: prefix }) =>
  runTimelineCli(['read-models', ...args], { env });

const project = (version: number) =>
  startSharedProjection({
    store,
    model: createTimelineReadModel(),
    redisUrl: REDIS_URL,
    keys: readModelKeys(prefix, version),
    elect: true,
    leaseTtlMs: 5_000,
    pollMs: 20,
    logger: pino({ level: 'silent' }),
  });

const caughtUp = async (projection: SharedProjection) => {
  for (let tries = 0; tries < 500 && !(projection.leading && (await projection.isCaughtUp())); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'timeline-read-models-'));
  store = withEventCatalog(openSqliteEventStore({ file: path.join(dir, 'timeline.db') }));
  redis = new Redis(REDIS_URL);
  await loadSeed(createCommandBus({ store }));
  // Version 1 is built and its projector stopped; version 2 is built beside it and its projector goes on leading.
  const v1Leader = project(1);
  await caughtUp(v1Leader);
  await v1Leader.stop();
  v2Leader = project(2);
  await caughtUp(v2Leader);
});

afterAll(async () => {
  await v2Leader.stop();
  await store.close();
  await deleteKeys(redis, `*${prefix}*`);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('timeline read-models', () => {
  it('lists every version with its checkpoint, which one is current, and who leads it', async () => {
    const head = (await store.headPosition())!.commit.toString();
    const { code, stdout } = await run([]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^version\s+current\s+checkpoint\s+recorded at\s+snapshots\s+leader$/);
    expect(lines[1]).toMatch(new RegExp(`^v2\\s+current\\s+${head}\\s+\\S+Z\\s+\\d+\\s+term 1$`));
    expect(lines[2]).toMatch(new RegExp(`^v1\\s+${head}\\s+\\S+Z\\s+\\d+\\s+none$`));
  });

  it('refuses to drop the current version, or one a projector leads, and drops an old one', async () => {
    const refused = await run(['--drop', '2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/will not drop: version 2 is the current one/);

    await redis.set(`${readModelKeys(prefix, 1).lease}:holder`, 'someone:9', 'PX', 60_000);
    const led = await run(['--drop', '1']);
    expect(led.code).toBe(1);
    expect(led.stderr).toMatch(/a projector still leads version 1/);
    await redis.del(`${readModelKeys(prefix, 1).lease}:holder`);

    const v1Keys = await scanKeys(redis, readModelKeys(prefix, 1).pattern);
    const v2Keys = await scanKeys(redis, readModelKeys(prefix, 2).pattern);
    expect(v1Keys.length).toBeGreaterThan(10);
    const dropped = await run(['--drop', '1']);
    expect(dropped).toMatchObject({ code: 0, stderr: '' });
    expect(dropped.stdout).toBe(`dropped read-model version 1 under "${prefix}": ${v1Keys.length} keys\n`);
    expect(await scanKeys(redis, readModelKeys(prefix, 1).pattern)).toEqual([]);
    expect(await scanKeys(redis, readModelKeys(prefix, 2).pattern)).toEqual(v2Keys);
    expect((await run([])).stdout).not.toMatch(/^v1/m);
  });

  it('says what is wrong without REDIS_URL, with a bad --drop, and with a Redis that does not answer', async () => {
    expect(await run([], {})).toMatchObject({ code: 1, stderr: expect.stringMatching(/REDIS_URL is not set/) });
    expect(await run(['--drop', 'old'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--drop takes a version number/),
    });
    const closed = await run([], { REDIS_URL: 'redis://127.0.0.1:1', TIMELINE_REDIS_PREFIX: prefix });
    expect(closed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot reach Redis at redis:\/\/127.0.0.1:1/),
    });
  });
});
