import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandBus } from '../../src/application/commands/index.js';
import { READ_MODEL_VERSION, readModelKeys } from '../../src/projections/shared/read-model-keys.js';
import { startSharedProjection, type SharedProjection } from '../../src/projections/shared/shared-projection.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { runTimelineCli } from '../support/cli-in-process.js';
import { deletePrefix, prefixKeys, scanKeys } from '../support/shared-read-models.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/** `timeline read-models` against the real Redis, on versions that real projectors built. */

const REDIS_URL = SHARED_REDIS_URL;
const prefix = `test-cli-${randomUUID()}`;
/** The version built first and then left, and the one built beside it, whose projector goes on leading. */
const OLD = READ_MODEL_VERSION;
const NEW = READ_MODEL_VERSION + 1;
let dir: string;
let store: EventStore;
let redis: Redis;
let newLeader: SharedProjection;

const run = (args: readonly string[], env: NodeJS.ProcessEnv = { REDIS_URL, TIMELINE_REDIS_PREFIX: prefix }) =>
  runTimelineCli(['read-models', ...args], { env });

const project = (version: number) =>
  startSharedProjection({
    store,
    redisUrl: REDIS_URL,
    keys: readModelKeys(prefix, version),
    cacheBytes: 8 * 1024 * 1024,
    elect: true,
    leaseTtlMs: 5_000,
    pollMs: 20,
    logger: pino({ level: 'silent' }),
  });

const caughtUp = async (projection: SharedProjection, version: number) => {
  for (let tries = 0; tries < 1_000; tries++) {
    if (
      projection.leading &&
      (await projection.isCaughtUp()) &&
      Number(await redis.get(readModelKeys(prefix).current)) === version
    ) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the v${version} projector did not catch up`);
};

/** Both kinds of key of a version: its entities' records, and what lives under its hash tag. */
const versionKeys = async (version: number) => [
  ...(await scanKeys(redis, `${prefix}:rm:v${version}:*`)),
  ...(await scanKeys(redis, `{${prefix}:rm:v${version}}*`)),
];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'timeline-read-models-'));
  store = withEventCatalog(openSqliteEventStore({ file: path.join(dir, 'timeline.db') }));
  redis = new Redis(REDIS_URL);
  await loadSeed(createCommandBus({ store }));
  // The old version is built and its projector stopped; the new one is built beside it and its projector leads on.
  const oldLeader = project(OLD);
  await caughtUp(oldLeader, OLD);
  await oldLeader.stop();
  newLeader = project(NEW);
  await caughtUp(newLeader, NEW);
});

afterAll(async () => {
  await newLeader.stop();
  await store.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('timeline read-models', () => {
  it('lists every version with its checkpoint, which one is current, and who leads it', async () => {
    const head = (await store.headPosition())!.commit.toString();
    const { code, stdout, stderr } = await run([]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^version\s+current\s+checkpoint\s+recorded at\s+leader$/);
    expect(lines[1]).toMatch(new RegExp(`^v${NEW}\\s+current\\s+${head}\\s+\\S+Z\\s+term 1$`));
    expect(lines[2]).toMatch(new RegExp(`^v${OLD}\\s+${head}\\s+\\S+Z\\s+none$`));
  });

  it('refuses to drop the current version, or one a projector leads, and drops an old one', async () => {
    const refused = await run(['--drop', String(NEW)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`will not drop: version ${NEW} is the current one`));

    const oldLease = `${readModelKeys(prefix, OLD).lease}:holder`;
    await redis.set(oldLease, 'someone:9', 'PX', 60_000);
    const led = await run(['--drop', String(OLD)]);
    expect(led.code).toBe(1);
    expect(led.stderr).toMatch(new RegExp(`a projector still leads version ${OLD}`));
    await redis.del(oldLease);

    const oldKeys = await versionKeys(OLD);
    const newKeys = await versionKeys(NEW);
    // Entities' records and the meta tag's alike.
    expect(oldKeys.filter((key) => key.startsWith(`${prefix}:rm:v${OLD}:`)).length).toBeGreaterThan(10);
    expect(oldKeys.filter((key) => key.startsWith(`{${prefix}:rm:v${OLD}}`)).length).toBeGreaterThan(3);
    const others = (await prefixKeys(redis, prefix)).filter((key) => !oldKeys.includes(key));

    const dropped = await run(['--drop', String(OLD)]);
    expect(dropped).toMatchObject({ code: 0, stderr: '' });
    expect(dropped.stdout).toBe(`dropped read-model version ${OLD} under "${prefix}"\n`);
    expect(await versionKeys(OLD)).toEqual([]);
    // Nothing else is touched: the new version, `current`, the new version's lease.
    expect(await versionKeys(NEW)).toEqual(newKeys);
    expect(await prefixKeys(redis, prefix)).toEqual(others);
    expect(await redis.get(readModelKeys(prefix).current)).toBe(String(NEW));
    const listed = await run([]);
    expect(listed.stdout).not.toMatch(new RegExp(`^v${OLD}\\b`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^v${NEW}\\s+current`, 'm'));
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
