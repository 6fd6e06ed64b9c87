import { copyFileSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { READ_MODEL_VERSION } from '../../src/projections/shared/read-model-keys.js';
import { openRedisReadStore } from '../../src/read-store/redis/redis-read-store.js';
import { openSqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store.js';
import { BenchVoid, onCleanup, progress } from '../support/lifecycle.js';
import { deletePrefixKeys, settleLazyFree, usedMemory } from '../support/redis-admin.js';
import { int } from '../support/stats.js';
import { timedRebuild, type LogFacts, type Throughput } from './log-baselines.js';

/** Phase 2 of the read-side bench: the read models rebuilt from the log, into SQLite and into Redis, timed. */

/** Progress every tenth of the log, with the rate so far: a run stopped midway still tells how fast it went. */
const pageReporter = (label: string, total: number) => {
  const every = Math.max(1, Math.round(total / 10));
  const started = performance.now();
  let next = every;
  return (applied: number) => {
    if (applied < next) return;
    next += every;
    const rate = applied / ((performance.now() - started) / 1000);
    progress(`${label}: ${int(applied)}/${int(total)} events, ${int(rate)} events/s so far`);
  };
};

/** As `timeline rebuild` does it: into a file nobody reads until it is done, its batches committed in groups. */
export const rebuildIntoSqlite = async (logFile: string, file: string, events: number): Promise<Throughput> => {
  const target = openSqliteReadStore({ file, builtWhole: true });
  let rebuild: Throughput;
  try {
    rebuild = await timedRebuild(logFile, target, pageReporter('rebuild SQLite', events));
  } catch (error) {
    await target.close();
    throw error;
  }
  // The last group is committed on close: its time is the rebuild's.
  const closing = performance.now();
  await target.close();
  return { ...rebuild, elapsedMs: rebuild.elapsedMs + performance.now() - closing };
};

export const rebuildIntoRedis = async (
  logFile: string,
  redis: Redis,
  redisUrl: string,
  prefix: string,
  events: number,
): Promise<{ rebuild: Throughput; bytes: number }> => {
  // On a shutdown meanwhile, the rebuild stops at its next page before the keys go, so that none is written after.
  let stopping = false;
  let running: Promise<Throughput> | null = null;
  const removeCleanup = onCleanup(`delete the Redis keys of ${prefix}`, async () => {
    stopping = true;
    await running?.catch(() => undefined);
    await deletePrefixKeys(redis, prefix);
  });
  const report = pageReporter('rebuild Redis', events);
  // Kept for the Redis phase, which serves them and deletes them; deleted here only when the rebuild failed.
  let kept = false;
  await settleLazyFree(redis);
  const target = openRedisReadStore({ url: redisUrl, prefix, version: READ_MODEL_VERSION });
  try {
    await target.checkpoint();
    const before = await usedMemory(redis);
    let rebuild: Throughput;
    try {
      running = timedRebuild(logFile, target, (applied) => {
        if (stopping) throw new Error('the bench is stopping');
        report(applied);
      });
      rebuild = await running;
    } catch (error) {
      throw new BenchVoid(`rebuildReadModels into Redis failed: ${(error as Error).stack ?? String(error)}`, {
        cause: error,
      });
    }
    const bytes = (await usedMemory(redis)) - before;
    kept = true;
    return { rebuild, bytes };
  } finally {
    await target.close();
    if (!stopping && !kept) {
      const removed = await deletePrefixKeys(redis, prefix);
      removeCleanup();
      await settleLazyFree(redis);
      progress(`rebuild Redis: deleted ${int(removed)} keys of ${prefix}`);
    }
  }
};

/** Read models made elsewhere, copied beside the log: served only if their checkpoint is the log's last event. */
export const reuseReadModels = async (file: string, served: string, facts: LogFacts): Promise<void> => {
  progress(`read models: copying ${file}; the SQLite rebuild is not run`);
  for (const suffix of ['', '-wal'])
    if (existsSync(`${file}${suffix}`)) copyFileSync(`${file}${suffix}`, `${served}${suffix}`);
  const store = openSqliteReadStore({ file: served });
  try {
    const checkpoint = await store.checkpoint();
    if (checkpoint?.recordedAtMs !== facts.lastRecordedMs) {
      throw new BenchVoid(
        `--read-models ${file} stops at ${checkpoint ? new Date(checkpoint.recordedAtMs).toISOString() : 'nothing'}, ` +
          `the log at ${new Date(facts.lastRecordedMs).toISOString()}: rebuild it from this log`,
      );
    }
  } finally {
    await store.close();
  }
};
