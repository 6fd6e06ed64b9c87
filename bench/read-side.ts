/**
 * Read-side bench: the read models out of the heap, measured per history size, each figure beside a baseline
 * measured in the same run.
 *
 *   npx tsx bench/read-side.ts [--sizes 100000,1000000] [--queries 300] [--corrections 0.01] [--skew 1.1] [--stores sqlite]
 *   npm run bench:read-side -- --sizes 2000            (smoke: well under a minute)
 *
 * For each size (developments):
 * 1. history: bench/history-generator.ts writes it through the command handlers, in inOneCommit batches of
 *    --batch commands, into a temp data dir (--keep keeps it; --data-dir DIR reuses one and skips this, sizes
 *    ignored: the log is copied, DIR is not changed).
 * 2. rebuild: rebuildReadModels into a fresh read-models.db (SQLite), then into Redis (a unique prefix, the current read-model version),
 *    each in events/s beside the raw baseline (better-sqlite3 SELECT * FROM events with JSON.parse of data and
 *    metadata); Redis INFO used_memory before/after per event beside timeline.db's bytes per event. The Redis
 *    read models stay for step 4. With --read-models FILE (and --data-dir) the SQLite rebuild is not run: FILE,
 *    which `timeline rebuild` made of that log, is served instead.
 * 3. embedded: the server (role all) on the data dir with the rebuilt read-models.db in place: spawn to /readyz
 *    200; --queries as-of actor queries per draw (by activity, uniform, by activity at the last knownAt), one at a
 *    time after a warm-up, beside a raw SELECT of the same actor's version rows and bare graphql-js executing the
 *    same document over the same answer in memory (support/bare-graphql.ts: what an answer of that size costs at
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
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { READ_MODEL_VERSION } from '../src/projections/shared/read-model-keys.js';
import { openRedisReadStore } from '../src/read-store/redis/redis-read-store.js';
import { READ_MODELS_FILE } from '../src/read-store/sqlite/read-models-file.js';
import { openSqliteReadStore } from '../src/read-store/sqlite/sqlite-read-store.js';
import { DATABASE_FILE } from '../src/store/sqlite/sqlite-event-store.js';
import { createCast } from './history/cast.js';
import { DEFAULT_HISTORY, historyOptions, type HistoryOptions } from './history/history-options.js';
import { createRandom } from './history/random.js';
import { writeHistory } from './history/write-history.js';
import { DRAWS, planQueries } from './support/actor-queries.js';
import { codeFingerprint } from './support/code-fingerprint.js';
import { createCpuWatch } from './support/cpu-watch.js';
import {
  BenchVoid,
  installLifecycle,
  runBench,
  onCleanup,
  progress,
  removeTempDir,
  shutdown,
  trackTempDir,
} from './support/lifecycle.js';
import { eventsPerSecond, fileBytes, logFacts, rawRead, timedRebuild } from './support/log-baselines.js';
import type { LogFacts, Throughput } from './support/log-baselines.js';
import { choiceOption, integerListOption, integerOption, numberOption } from './support/options.js';
import { checkWithReference, embeddedPhase, measureFloor, redisPhase, type Run } from './support/read-side-servers.js';
import { detailLines, goalsTable, latencyTable, summaryTable } from './support/read-side-report.js';
import type { SizeFigures } from './support/read-side-report.js';
import { deletePrefixKeys, settleLazyFree, usedMemory } from './support/redis-admin.js';
import { checkServerEntry, ROOT, SERVER_NODE_FLAGS, type ServerEntry } from './support/server-child.js';
import { int, seconds } from './support/stats.js';

const WARM_UP_QUERIES = 30;
const REFERENCE_MAX_SIZE = 100_000;
const HISTORY_FILE = 'bench-history.json';

interface Options {
  readonly sizes: readonly number[];
  /** Per draw and server; null: 300, or a twentieth of the developments (at least 100) for small histories. */
  readonly queries: number | null;
  readonly corrections: number;
  readonly skew: number;
  readonly seed: number;
  readonly batch: number;
  readonly dataDir: string | null;
  /** A read-models.db that `timeline rebuild` made of the same log: served as it is, the SQLite rebuild not run. */
  readonly readModels: string | null;
  readonly keep: boolean;
  readonly timeoutMinutes: number;
  readonly serverEntry: ServerEntry;
  readonly redisUrl: string;
  readonly requestTimeoutMs: number;
  readonly readyTimeoutMs: number;
  readonly operationTimeoutMs: number | null;
  readonly cacheMb: number | null;
  /** Node's flags for the servers, instead of `npm start`'s (V8's heap sizes: memory against latency). */
  readonly serverNodeFlags: readonly string[] | null;
  /** all: the embedded store and Redis; sqlite: the embedded store only (no Redis rebuild, projector or serve). */
  readonly stores: 'all' | 'sqlite';
}

const USAGE = `usage: npx tsx bench/read-side.ts [--sizes 100000,1000000] [--queries 300] [--corrections ${DEFAULT_HISTORY.correctionFraction}]
       [--skew ${DEFAULT_HISTORY.zipfExponent}] [--seed 1] [--batch 1000] [--data-dir DIR] [--keep] [--timeout-minutes 60]
       [--server-entry sources|build] [--redis-url redis://127.0.0.1:6379] [--request-timeout-seconds 60]
       [--ready-timeout-minutes 30] [--operation-timeout-seconds N] [--cache-mb N] [--server-node-flags="..."]
       [--read-models FILE]
  --sizes        developments per history, one table row each
  --queries      as-of actor queries per draw and server (after ${WARM_UP_QUERIES} warm-up queries); default 300,
                 or a twentieth of the developments (at least 100) below 6,000 developments
  --corrections  share of developments followed by a correction (0 to 0.10)
  --skew         the Zipf exponent of activity over actors and topics
  --batch        commands per commit while writing the history
  --data-dir     reuse the history in DIR (sizes ignored; DIR is not changed)
  --read-models  with --data-dir: serve this read-models.db, made by \`timeline rebuild\` of that log (copied;
                 its checkpoint must be the log's last event), rather than rebuild one: for sizes whose rebuild
                 takes hours; the rebuild's figures then come from \`timeline rebuild\`'s own output
  --keep         keep the generated histories (their paths are printed)
  --operation-timeout-seconds  TIMELINE_OPERATION_TIMEOUT_MS for the servers (default: the server's own, 10 s)
  --cache-mb     TIMELINE_CACHE_MB for the servers (default: the server's own, 256): memory against latency
  --server-node-flags  Node's flags for the servers, instead of npm start's (package.json); with
                 --cache-mb, a process bounded in memory: --server-node-flags="--max-semi-space-size=16 --max-old-space-size=160"
  --stores       all (default) or sqlite: the embedded store only, with no Redis rebuild, projector or serve`;

/** Node's own flags only (`--name` or `--name=value`): anything else would be taken for the entry. */
const serverNodeFlagsOption = (value: string | undefined): readonly string[] | null => {
  if (value === undefined) return null;
  const flags = value.trim().split(/\s+/).filter(Boolean);
  const odd = flags.find((flag) => !/^--[a-z][a-z0-9-]*(=\S+)?$/.test(flag));
  if (odd !== undefined)
    throw new Error(`--server-node-flags takes Node flags like --max-old-space-size=160, got ${odd}`);
  return flags;
};

const readModelsOption = (file: string | undefined, dataDir: string | undefined): string | null => {
  if (file === undefined) return null;
  if (dataDir === undefined) throw new Error('--read-models needs --data-dir: the read models of that log');
  if (!existsSync(file)) throw new Error(`--read-models ${file} does not exist`);
  return path.resolve(file);
};

const readOptions = (): Options => {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      queries: { type: 'string' },
      corrections: { type: 'string' },
      skew: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      'data-dir': { type: 'string' },
      'read-models': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'timeout-minutes': { type: 'string' },
      'server-entry': { type: 'string' },
      'redis-url': { type: 'string' },
      'request-timeout-seconds': { type: 'string' },
      'ready-timeout-minutes': { type: 'string' },
      'operation-timeout-seconds': { type: 'string' },
      'cache-mb': { type: 'string' },
      'server-node-flags': { type: 'string' },
      stores: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const redisUrl = values['redis-url'] ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/\S+$/.test(redisUrl)) throw new Error(`--redis-url must be a redis:// URL, got ${redisUrl}`);
  return {
    sizes: integerListOption(values.sizes, 'sizes', [100_000, 1_000_000], 1, 50_000_000),
    queries: values.queries === undefined ? null : integerOption(values.queries, 'queries', 300, 1, 1_000_000),
    corrections: numberOption(values.corrections, 'corrections', DEFAULT_HISTORY.correctionFraction, 0, 0.1),
    skew: numberOption(values.skew, 'skew', DEFAULT_HISTORY.zipfExponent, 0.01, 5),
    seed: integerOption(values.seed, 'seed', 1, 0, 2 ** 32 - 1),
    batch: integerOption(values.batch, 'batch', 1_000, 1, 100_000),
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : null,
    readModels: readModelsOption(values['read-models'], values['data-dir']),
    keep: values.keep === true,
    timeoutMinutes: integerOption(values['timeout-minutes'], 'timeout-minutes', 60, 1, 24 * 60),
    serverEntry: choiceOption(values['server-entry'], 'server-entry', ['sources', 'build'] as const, 'sources'),
    redisUrl,
    requestTimeoutMs: integerOption(values['request-timeout-seconds'], 'request-timeout-seconds', 60, 1, 3600) * 1000,
    operationTimeoutMs:
      values['operation-timeout-seconds'] === undefined
        ? null
        : integerOption(values['operation-timeout-seconds'], 'operation-timeout-seconds', 10, 1, 600) * 1000,
    readyTimeoutMs: integerOption(values['ready-timeout-minutes'], 'ready-timeout-minutes', 30, 1, 24 * 60) * 60_000,
    cacheMb:
      values['cache-mb'] === undefined ? null : integerOption(values['cache-mb'], 'cache-mb', 256, 1, 1024 * 1024),
    serverNodeFlags: serverNodeFlagsOption(values['server-node-flags']),
    stores: choiceOption(values.stores, 'stores', ['all', 'sqlite'] as const, 'all'),
  };
};

// ---------------------------------------------------------------- phase 1: the history

interface History {
  readonly options: HistoryOptions;
  /** Where the log is (timeline.db); the servers run on it, with read-models.db put beside it. */
  readonly serverDir: string;
  readonly generated: SizeFigures['generated'];
}

const prepareHistory = async (size: number, options: Options, work: string): Promise<History> => {
  if (options.dataDir !== null) {
    const source = path.join(options.dataDir, DATABASE_FILE);
    if (!existsSync(source)) throw new Error(`--data-dir ${options.dataDir} holds no ${DATABASE_FILE}`);
    const kept = path.join(options.dataDir, HISTORY_FILE);
    const history = existsSync(kept)
      ? (JSON.parse(readFileSync(kept, 'utf8')) as HistoryOptions)
      : historyOptions({
          developments: logFacts(source).developments,
          seed: options.seed,
          zipfExponent: options.skew,
          correctionFraction: options.corrections,
        });
    const serverDir = path.join(work, 'server');
    mkdirSync(serverDir, { recursive: true });
    for (const suffix of ['', '-wal']) {
      if (existsSync(`${source}${suffix}`))
        copyFileSync(`${source}${suffix}`, path.join(serverDir, `${DATABASE_FILE}${suffix}`));
    }
    progress(
      `history: reusing ${source} (copied; ${existsSync(kept) ? `options from ${HISTORY_FILE}` : 'options from the command line'})`,
    );
    return { options: history, serverDir, generated: null };
  }
  const history = historyOptions({
    developments: size,
    seed: options.seed,
    zipfExponent: options.skew,
    correctionFraction: options.corrections,
  });
  const dataDir = options.keep
    ? mkdtempSync(path.join(tmpdir(), `read-side-history-${size}-`))
    : path.join(work, 'data');
  if (options.keep) progress(`history: kept after the run in ${dataDir}`);
  progress(
    `history: ${int(size)} developments (seed ${history.seed}, skew ${history.zipfExponent}, corrections ${history.correctionFraction}) through the command handlers`,
  );
  const every = Math.max(1, Math.round(size / 10));
  let reported = 0;
  const written = await writeHistory({
    ...history,
    dataDir,
    batchSize: options.batch,
    onProgress: ({ developments, elapsedMs }) => {
      if (developments - reported < every && developments < size) return;
      reported = developments;
      progress(`history: ${int(developments)}/${int(size)} developments, ${int(developments / (elapsedMs / 1000))}/s`);
    },
  });
  writeFileSync(path.join(dataDir, HISTORY_FILE), `${JSON.stringify(history, null, 2)}\n`);
  progress(`history: ${int(written.eventsAppended)} events in ${seconds(written.elapsedMs)}`);
  return {
    options: history,
    serverDir: dataDir,
    generated: { elapsedMs: written.elapsedMs, commands: written.commands },
  };
};

// ---------------------------------------------------------------- phase 2: rebuilds

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
const rebuildIntoSqlite = async (logFile: string, file: string, events: number): Promise<Throughput> => {
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

const rebuildIntoRedis = async (
  logFile: string,
  redis: Redis,
  options: Options,
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
  const target = openRedisReadStore({ url: options.redisUrl, prefix, version: READ_MODEL_VERSION });
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
const reuseReadModels = async (file: string, served: string, facts: LogFacts): Promise<void> => {
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

// ---------------------------------------------------------------- one size

const watch = createCpuWatch();

const benchSize = async (
  size: number,
  options: Options,
  redis: Redis,
  root: string,
  prefix: string,
): Promise<SizeFigures> => {
  const work = path.join(root, `size-${size}`);
  mkdirSync(work, { recursive: true });
  const history = await watch.phase('history', () => prepareHistory(size, options, work));
  const logFile = path.join(history.serverDir, DATABASE_FILE);
  const facts: LogFacts = logFacts(logFile);
  progress(
    `log: ${int(facts.events)} events, ${int(facts.developments)} developments, timeline.db ${int(facts.fileBytes)} bytes`,
  );

  progress('raw: SELECT * FROM events + JSON.parse(data, metadata)');
  const raw = await watch.phase('raw read', () => rawRead(logFile));
  progress(`raw: ${int(eventsPerSecond(raw))} events/s`);
  const servedFile = path.join(history.serverDir, READ_MODELS_FILE);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${servedFile}${suffix}`, { force: true });
  let sqliteRebuild: Throughput | null = null;
  if (options.readModels === null) {
    const rebuiltFile = path.join(work, 'rebuild', READ_MODELS_FILE);
    mkdirSync(path.dirname(rebuiltFile), { recursive: true });
    const rebuilt = await watch.phase('rebuild SQLite', () => rebuildIntoSqlite(logFile, rebuiltFile, facts.events));
    progress(`rebuild SQLite: ${int(rebuilt.events)} events, ${int(eventsPerSecond(rebuilt))} events/s`);
    if (rebuilt.events !== facts.events) {
      throw new BenchVoid(`the SQLite rebuild applied ${rebuilt.events} events of a log of ${facts.events}`);
    }
    copyFileSync(rebuiltFile, servedFile);
    removeTempDir(path.dirname(rebuiltFile));
    sqliteRebuild = rebuilt;
  } else {
    await reuseReadModels(options.readModels, servedFile, facts);
  }
  const readModelsBytes = fileBytes(servedFile);
  const redisRebuild =
    options.stores === 'all'
      ? await watch.phase('rebuild Redis', () =>
          rebuildIntoRedis(logFile, redis, options, `${prefix}-r${size}`, facts.events),
        )
      : null;
  if (redisRebuild) {
    const { rebuild, bytes } = redisRebuild;
    progress(`rebuild Redis: ${int(eventsPerSecond(rebuild))} events/s, used_memory +${int(bytes)} bytes`);
    if (rebuild.events !== facts.events) {
      throw new BenchVoid(`the Redis rebuild applied ${rebuild.events} events of a log of ${facts.events}`);
    }
  }

  const random = createRandom(options.seed ^ 0x5eed);
  const cast = createCast(history.options);
  const span = {
    validFromMs: Date.parse(history.options.from),
    validToMs: Date.parse(history.options.to),
    firstRecordedMs: facts.firstRecordedMs,
    lastRecordedMs: facts.lastRecordedMs,
  };
  const run: Run = {
    serverEntry: options.serverEntry,
    redisUrl: options.redisUrl,
    requestTimeoutMs: options.requestTimeoutMs,
    readyTimeoutMs: options.readyTimeoutMs,
    operationTimeoutMs: options.operationTimeoutMs,
    cacheMb: options.cacheMb,
    serverNodeFlags: options.serverNodeFlags,
    watch,
    secret: randomBytes(24).toString('base64url'),
    warmUp: planQueries(cast, span, Math.ceil(WARM_UP_QUERIES / DRAWS.length), createRandom(options.seed + 7)),
    queries: planQueries(
      cast,
      span,
      options.queries ?? Math.min(300, Math.max(100, Math.floor(facts.developments / 20))),
      random,
    ),
  };
  const embedded = await embeddedPhase(run, history.serverDir);
  const referenceChecked =
    facts.developments <= REFERENCE_MAX_SIZE
      ? await watch.phase('reference fold', () => checkWithReference(logFile, embedded.asked))
      : 0;
  const served = redisRebuild
    ? await redisPhase(run, redis, history.serverDir, `${prefix}-r${size}`, embedded.asked)
    : null;
  return {
    size: options.dataDir === null ? size : facts.developments,
    facts,
    historyNote:
      `seed ${history.options.seed}, skew ${history.options.zipfExponent}, corrections ` +
      `${history.options.correctionFraction}, ${history.options.actors} actors` +
      (options.dataDir === null ? '' : ` (reused ${options.dataDir})`),
    generated: history.generated,
    raw,
    sqliteRebuild,
    readModelsBytes,

    embedded: embedded.figures,
    referenceChecked,
    redis:
      redisRebuild && served
        ? {
            rebuild: redisRebuild.rebuild,
            bytes: redisRebuild.bytes,
            projectorReadyMs: served.projectorReadyMs,
            serve: served.figures,
            serveCompared: run.queries.length,
          }
        : null,
    phases: watch.take(),
  };
};

// ---------------------------------------------------------------- main

const main = async (): Promise<void> => {
  let options: Options;
  try {
    options = readOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
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
