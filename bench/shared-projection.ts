/**
 * Shared read models bench: what projecting the log into the shared read models in Redis costs, and how fast a
 * follower catches up from them, each beside a baseline measured in the same run.
 *
 *   npx tsx bench/shared-projection.ts [--developments 100000] [--seed 1] [--data-dir DIR] [--redis-url URL] [--keep]
 *   npm run bench:shared -- --developments 5000          (smoke)
 *
 * 1. history: bench/history-generator.ts writes the history into a fresh temp data dir (--data-dir reuses one).
 * 2. baseline A: rebuildReadModel(store) in this process, no Redis: the fold alone.
 * 3. leader: startSharedProjection({ elect: true }) under a fresh prefix (bench-<uuid>), timed from start until the
 *    checkpoint in Redis is the log head (polled every 50 ms); the Redis memory the version takes (INFO used_memory
 *    before and after) and its keys (SCAN keys.pattern).
 * 4. follower: startSharedProjection({ elect: false }) on another store connection, timed from start until its model
 *    is at the head. It takes the leader's snapshots instead of building them; compared with baseline A.
 * 5. baseline B: the leader's latest:development hash (read back with HSCAN, not timed) written again with plain
 *    ioredis into a scratch key, in MULTIs of 500 HSETs awaited one after another, as the leader writes: the raw cost
 *    of the Redis writes, beside the leader's extra time over baseline A.
 *
 * Progress goes to stderr, the table to stdout. The projections are stopped, the stores closed, every key under the
 * prefix deleted and the temp dir removed (unless --keep) at the end, on error and on SIGINT/SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { comparePositions, type LogPosition } from '../events/index.js';
import { rebuildReadModel } from '../src/projections/rebuild.js';
import { readCheckpoint } from '../src/projections/shared/checkpoint-record.js';
import { readModelKeys } from '../src/projections/shared/read-model-keys.js';
import { encodeRecord } from '../src/read-store/record-codec.js';
import { startSharedProjection, type SharedProjection } from '../src/projections/shared/shared-projection.js';
import { createTimelineReadModel } from '../src/projections/timeline-read-model.js';
import { withEventCatalog } from '../src/store/catalog-store.js';
import type { EventStore } from '../src/store/event-store.js';
import { DATABASE_FILE, openSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { writeHistory } from './history-generator.js';

const RAW_BATCH = 500;
const POLL_MS = 50;
const CATCH_UP_TIMEOUT_MS = 10 * 60_000;
const MB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    developments: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    'data-dir': { type: 'string' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});
const developments = Number(values.developments);
const seed = Number(values.seed);
if (!Number.isSafeInteger(developments) || developments < 1) throw new Error('--developments: a positive integer');
if (!Number.isSafeInteger(seed) || seed < 0) throw new Error('--seed: a non-negative integer');
const redisUrl = values['redis-url'];

const started = performance.now();
const progress = (text: string): void =>
  console.error(`  [${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${text}`);
const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
const ratio = (value: number): string => `${value.toFixed(2)}x`;
const cpuSeconds = (since: NodeJS.CpuUsage): string => {
  const { user, system } = process.cpuUsage(since);
  return `${((user + system) / 1e6).toFixed(2)} s`;
};

// ---------------------------------------------------------------- cleanup, run once, last registered first

const cleanups: { name: string; run: () => unknown }[] = [];
const onCleanup = (name: string, run: () => unknown): void => void cleanups.push({ name, run });
let cleaning: Promise<void> | null = null;
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    for (const { name, run } of cleanups.splice(0).reverse()) {
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 15_000).unref());
      await Promise.race([run(), timeout]).catch((error: unknown) => console.error(`cleanup: ${name} failed:`, error));
    }
  })());
const tempDirs = new Set<string>();
process.on('exit', () => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- helpers

const openStore = (file: string): EventStore => {
  const store = withEventCatalog(openSqliteEventStore({ file }));
  onCleanup('close a store', () => store.close());
  return store;
};

/** Polls `condition` every 50 ms: the time from `since` until it holds; throws if the projection failed. */
const timeUntil = async (since: number, projection: SharedProjection, condition: () => boolean | Promise<boolean>) => {
  while (!(await condition())) {
    if (projection.failure) throw projection.failure;
    if (performance.now() - since > CATCH_UP_TIMEOUT_MS) throw new Error('timed out waiting for the projection');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return performance.now() - since;
};

const atHead = (position: LogPosition | null | undefined, head: LogPosition): boolean =>
  position != null && comparePositions(position, head) === 0;

const usedMemory = async (redis: Redis): Promise<number> =>
  Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? Number.NaN);

/** Every item a SCAN-like command returns, cursor after cursor. */
const scanAll = async (page: (cursor: string) => Promise<[string, string[]]>): Promise<string[]> => {
  const items: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await page(cursor);
    items.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return items;
};
const scanKeys = (redis: Redis, match: string) =>
  scanAll((cursor) => redis.scan(cursor, 'MATCH', match, 'COUNT', 1000));

const startProjection = (store: EventStore, elect: boolean, keys: ReturnType<typeof readModelKeys>) => {
  const projection: SharedProjection = startSharedProjection({
    store,
    model: createTimelineReadModel(),
    redisUrl,
    keys,
    elect,
    leaseTtlMs: 60_000,
    logger: pino({ level: 'silent' }),
  });
  onCleanup(`stop the ${elect ? 'leader' : 'follower'}`, () => projection.stop());
  return projection;
};

/** Baseline A; only its figures outlive it, not the model. */
const foldAlone = async (store: EventStore) => {
  let events = 0;
  const rebuildStarted = performance.now();
  const model = await rebuildReadModel(store, { onPage: (applied) => (events = applied) });
  const rebuildMs = performance.now() - rebuildStarted;
  const rssAfterRebuild = process.memoryUsage().rss;
  return { events, rebuildMs, rebuiltDevelopments: [...model.developmentIds()].length, rssAfterRebuild };
};

// ---------------------------------------------------------------- the run

const run = async (): Promise<void> => {
  const prefix = `bench-${randomUUID()}`;
  const keys = readModelKeys(prefix);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined); // Its commands fail and say why.
  onCleanup('disconnect redis', () => redis.disconnect());
  onCleanup(`delete the keys under ${prefix}`, async () => {
    const found = await scanKeys(redis, `*${prefix}*`);
    for (let i = 0; i < found.length; i += 1000) await redis.unlink(...found.slice(i, i + 1000));
    progress(`cleanup: unlinked ${int(found.length)} keys under ${prefix}`);
  });
  const redisVersion = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? '?';

  // 1. history
  const given = values['data-dir'] ? path.resolve(values['data-dir']) : null;
  const generated = !(given && existsSync(path.join(given, DATABASE_FILE)));
  const dataDir = given ?? mkdtempSync(path.join(tmpdir(), 'timeline-shared-bench-'));
  if (given === null && values.keep) progress(`history: the data dir stays after the run: ${dataDir}`);
  if (given === null && !values.keep) {
    tempDirs.add(dataDir);
    onCleanup('remove the temp dir', () => rmSync(dataDir, { recursive: true, force: true }));
  }
  if (!generated) {
    progress(`history: reusing ${dataDir}`);
  } else {
    const every = Math.max(1, Math.round(developments / 10));
    let reported = 0;
    progress(`history: generating ${int(developments)} developments (seed ${seed}) into ${dataDir}`);
    const written = await writeHistory({
      dataDir,
      developments,
      seed,
      onProgress: ({ developments: done, elapsedMs }) => {
        if (done === reported || (done - reported < every && done < developments)) return;
        reported = done;
        progress(`history: ${int(done)}/${int(developments)} developments, ${secs(elapsedMs)}`);
      },
    });
    progress(`history: ${int(written.eventsAppended)} events in ${secs(written.elapsedMs)}`);
  }
  const file = path.join(dataDir, DATABASE_FILE);
  const logBytes = [file, `${file}-wal`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);

  // 2. baseline A: the fold alone
  const baseStore = openStore(file);
  const head = await baseStore.headPosition();
  if (head === null) throw new Error(`${file} holds no events`);
  progress('baseline A: rebuildReadModel in this process');
  const { events, rebuildMs, rebuiltDevelopments, rssAfterRebuild } = await foldAlone(baseStore);
  progress(`baseline A: ${int(events)} events in ${secs(rebuildMs)}`);

  // 3. leader
  const memoryBefore = await usedMemory(redis);
  progress(`leader: projecting into Redis under ${prefix}`);
  const leaderCpu = process.cpuUsage();
  const leaderStarted = performance.now();
  const leader = startProjection(openStore(file), true, keys);
  const leaderMs = await timeUntil(leaderStarted, leader, async () =>
    atHead((await readCheckpoint(redis, keys))?.position, head),
  );
  const memoryAfter = await usedMemory(redis);
  const versionKeys = (await scanKeys(redis, keys.pattern)).length;
  const snapshots = (await readCheckpoint(redis, keys))?.snapshots ?? 0;
  progress(
    `leader: at the head in ${secs(leaderMs)} (this process's CPU meanwhile: ${cpuSeconds(leaderCpu)}); ` +
      `${int(versionKeys)} keys, ${int(snapshots)} snapshot records`,
  );

  // 4. follower
  progress('follower: catching up from the shared checkpoint');
  const followerCpu = process.cpuUsage();
  const followerStarted = performance.now();
  const follower = startProjection(openStore(file), false, keys);
  const followerMs = await timeUntil(followerStarted, follower, () => atHead(follower.model.checkpoint, head));
  const rssAfterFollower = process.memoryUsage().rss;
  progress(`follower: at the head in ${secs(followerMs)} (this process's CPU meanwhile: ${cpuSeconds(followerCpu)})`);

  // 5. baseline B: the same latest-development content, raw MULTI/HSET
  const flat = await scanAll((cursor) => redis.hscan(keys.latest('development'), cursor, 'COUNT', 1000));
  const entries = Array.from({ length: flat.length / 2 }, (_, i): [string, string] => [flat[2 * i]!, flat[2 * i + 1]!]);
  const scratchKey = `${prefix}:bench-scratch:latest-development`;
  progress(`baseline B: ${int(entries.length)} HSETs into ${scratchKey}, MULTIs of ${RAW_BATCH}`);
  const rawStarted = performance.now();
  for (let i = 0; i < entries.length; i += RAW_BATCH) {
    const multi = redis.multi();
    for (const [id, value] of entries.slice(i, i + RAW_BATCH)) multi.hset(scratchKey, id, value);
    const failed = (await multi.exec())?.find(([error]) => error !== null);
    if (failed) throw failed[0]!;
  }
  const rawMs = performance.now() - rawStarted;
  progress(`baseline B: ${secs(rawMs)}`);

  // Sanity, not timed: the follower holds what the leader wrote and what the rebuild folded.
  const written = new Map(entries);
  let differ = 0;
  for (const id of follower.model.developmentIds()) {
    const latest = follower.model.developmentVersions(id).at(-1);
    if (latest && written.get(id) !== encodeRecord(latest.state)) differ++;
  }
  const followerDevelopments = [...follower.model.developmentIds()].length;
  const rssAtEnd = process.memoryUsage().rss;

  const rebuildRate = events / (rebuildMs / 1000);
  const leaderRate = events / (leaderMs / 1000);
  const followerRate = events / (followerMs / 1000);
  const extraMs = leaderMs - rebuildMs;
  const baselineA = `in-process rebuild: ${int(rebuildRate)} events/s (${secs(rebuildMs)})`;
  const rows: [string, string, string, string][] = [
    ['figure', 'measured', 'baseline (same run)', 'ratio'],
    [
      'leader projection into Redis',
      `${int(leaderRate)} events/s (${secs(leaderMs)})`,
      baselineA,
      ratio(leaderRate / rebuildRate),
    ],
    [
      'follower catch-up',
      `${int(followerRate)} events/s (${secs(followerMs)})`,
      baselineA,
      ratio(followerRate / rebuildRate),
    ],
    [
      "leader's extra time over the rebuild",
      secs(extraMs),
      `raw MULTI/HSET of the ${int(entries.length)} latest developments: ${secs(rawMs)} (${int(entries.length / (rawMs / 1000))} HSET/s)`,
      ratio(extraMs / rawMs),
    ],
    [
      'Redis memory for the version',
      `${mb(memoryAfter - memoryBefore)} (used_memory delta), ${int(versionKeys)} keys`,
      `SQLite log on disk: ${mb(logBytes)}`,
      ratio((memoryAfter - memoryBefore) / logBytes),
    ],
    [
      'bench process RSS at the end',
      `${mb(rssAtEnd)} (leader and follower models alive)`,
      `after baseline A: ${mb(rssAfterRebuild)}; once the follower caught up: ${mb(rssAfterFollower)}`,
      ratio(rssAtEnd / rssAfterRebuild),
    ],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log('');
  console.log(
    `shared-projection bench: ${int(rebuiltDevelopments)} developments (${generated ? `seed ${seed}` : dataDir}), ` +
      `${int(events)} events; ` +
      `node ${process.version}, redis ${redisVersion}`,
  );
  console.log(
    `  snapshot records the leader built and the follower took: ${int(snapshots)}; ` +
      `developments: rebuild ${int(rebuiltDevelopments)}, follower ${int(followerDevelopments)}, ` +
      `leader's hash ${int(entries.length)}; follower's latest state differs from the leader's hash for ${int(differ)}`,
  );
  console.log('');
  rows.forEach((row, i) => {
    console.log(line(row));
    if (i === 0) console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  });
};

try {
  await run();
} catch (error) {
  console.error('bench failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
