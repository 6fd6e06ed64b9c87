/**
 * Read-side bench: the read models out of the heap, measured per history size, each figure beside a baseline
 * measured in the same run.
 *
 *   npx tsx bench/read-side.ts [--sizes 100000,1000000] [--queries 300] [--corrections 0.01] [--skew 1.1]
 *                              [--stores sqlite]
 *   npm run bench:read-side -- --sizes 2000            (smoke: well under a minute)
 *
 * For each size (developments):
 * 1. history: the history generator (bench/history/) writes it through the command handlers, in inOneCommit batches of
 *    --batch commands, into a temp data dir (--keep keeps it; --data-dir DIR reuses one and skips this, sizes
 *    ignored: the log is copied, DIR is not changed).
 * 2. rebuild: rebuildReadModels into a fresh read-models.db (SQLite), then into Redis (a unique prefix, the current
 *    read-model version), each in events/s beside the raw baseline (better-sqlite3 SELECT * FROM events with JSON.parse of data and
 *    metadata); Redis INFO used_memory before/after per event beside timeline.db's bytes per event. The Redis
 *    read models stay for step 4. With --read-models FILE (and --data-dir) the SQLite rebuild is not run: FILE,
 *    which `timeline rebuild` made of that log, is served instead.
 * 3. embedded: the server (role all) on the data dir with the rebuilt read-models.db in place: spawn to /readyz
 *    200; --queries as-of actor queries per draw (by activity, uniform, by activity at the last knownAt), one at a
 *    time after a warm-up, beside a raw SELECT of the same actor's version rows and bare graphql-js executing the
 *    same document over the same answer in memory (read-side/bare-graphql.ts: what an answer of that size costs at
 *    least); VmRSS/VmHWM after. Up to 100,000 developments the first 20 answers of each draw are compared with the
 *    reference fold.
 * 4. Redis, on the read models step 2 wrote (a projected store, as a deployment's serve processes find it): a
 *    projector (role project) until its /readyz says it caught up, then a serve process: start-to-ready, the same
 *    queries (answers compared with the embedded server's) beside a raw GET of the actor's versions key, VmRSS
 *    after. Both stopped, the prefix's keys deleted (SCAN + UNLINK).
 * Baselines of start and memory: a bare node process (same loader) answering HTTP.
 *
 * Any error (non-200, GraphQL errors, a timeout, a wrong answer) stops the run: "bench void: <what>", exit 1.
 * Children are stopped (SIGTERM, then SIGKILL), Redis keys and temp dirs removed on exit, error, signal or the
 * watchdog (--timeout-minutes).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { benchSize } from './read-side/one-size.js';
import { readOptions, USAGE, WARM_UP_QUERIES } from './read-side/options.js';
import { detailLines, goalsTable, latencyTable, summaryTable, type SizeFigures } from './read-side/report.js';
import { measureFloor } from './read-side/servers.js';
import { codeFingerprint } from './support/code-fingerprint.js';
import {
  BenchVoid,
  installLifecycle,
  onCleanup,
  progress,
  runBench,
  shutdown,
  trackTempDir,
} from './support/lifecycle.js';
import { checkServerEntry, ROOT, SERVER_NODE_FLAGS } from './support/server-child.js';
import { int, seconds } from './support/stats.js';
import { optionsOrExit } from './support/options.js';

const main = async (): Promise<void> => {
  const options = optionsOrExit(readOptions, USAGE);
  installLifecycle({
    ms: options.timeoutMinutes * 60_000,
    why: `${options.timeoutMinutes} minutes (--timeout-minutes)`,
  });
  checkServerEntry(options.serverEntry);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5_000, lazyConnect: true });
  redis.on('error', () => undefined);
  onCleanup('close the Redis connection', async () => redis.disconnect());
  if (options.stores === 'all') {
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new BenchVoid(`Redis at ${options.redisUrl} does not answer: ${(error as Error).message}`);
    }
  }
  const root = mkdtempSync(path.join(tmpdir(), 'read-side-bench-'));
  trackTempDir(root);
  const prefix = `bench-rs-${randomBytes(6).toString('hex')}`;
  const codeAtStart = codeFingerprint(ROOT);
  progress(`code under test: ${codeAtStart}; temp dir ${root}; Redis prefixes ${prefix}-*`);
  const floor = await measureFloor(options.serverEntry);
  progress(`bare node: ready in ${seconds(floor.readyMs)}, RSS ${int(floor.resident.rss / 1024 / 1024)} MB`);

  const sizes = options.dataDir === null ? options.sizes : [0];
  const figures: SizeFigures[] = [];
  for (const size of sizes) {
    progress(`=== size ${options.dataDir === null ? int(size) : options.dataDir}`);
    figures.push(await benchSize(size, options, redis, root, prefix));
    for (const line of detailLines(figures.at(-1)!)) progress(line);
  }
  const codeAtEnd = codeFingerprint(ROOT);

  console.log(
    `read-side bench: node ${process.version}, ${availableParallelism()} cores, ${int(totalmem() / 1024 ** 3)} GiB; ` +
      `server node ${(options.serverNodeFlags ?? SERVER_NODE_FLAGS).join(' ')} ` +
      `${options.serverEntry === 'sources' ? '--import tsx src/main.ts' : 'dist/src/main.js'}, ` +
      `TIMELINE_CACHE_MB ${options.cacheMb ?? 'default'}, operation timeout ${options.operationTimeoutMs === null ? 'default' : seconds(options.operationTimeoutMs)}; ${options.stores === 'all' ? `Redis ${options.redisUrl}` : 'the embedded store only (--stores sqlite)'}; queries one at a time after ${WARM_UP_QUERIES} warm-up (n per draw below)`,
  );
  console.log(
    `code under test: ${codeAtStart}${codeAtEnd === codeAtStart ? ' (unchanged during the run)' : `; CHANGED during the run, now ${codeAtEnd}`}`,
  );
  console.log('');
  console.log(summaryTable(figures, floor));
  console.log('');
  console.log(goalsTable(figures));
  console.log('');
  console.log(latencyTable(figures));
  console.log('');
  for (const entry of figures) for (const line of detailLines(entry)) console.log(`- ${line}`);
  await shutdown(0);
};

runBench(main);
