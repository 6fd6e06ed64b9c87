import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { READ_MODELS_FILE } from '../../src/read-store/sqlite/read-models-file.js';
import { DATABASE_FILE } from '../../src/store/sqlite/sqlite-event-store.js';
import { createCast } from '../history/cast.js';
import { createRandom } from '../history/random.js';
import { createCpuWatch } from '../support/cpu-watch.js';
import { BenchVoid, progress, removeTempDir } from '../support/lifecycle.js';
import { int } from '../support/stats.js';
import { DRAWS, planQueries } from './actor-queries.js';
import { prepareHistory, type History } from './history-phase.js';
import { eventsPerSecond, fileBytes, logFacts, rawRead, type LogFacts, type Throughput } from './log-baselines.js';
import { REFERENCE_MAX_SIZE, WARM_UP_QUERIES, type Options } from './options.js';
import { rebuildIntoRedis, rebuildIntoSqlite, reuseReadModels } from './rebuilds.js';
import type { SizeFigures } from './report.js';
import { checkWithReference, embeddedPhase, redisPhase, type Run } from './servers.js';

/** One history size of the read-side bench, through its phases: history, rebuilds, embedded server, Redis. */

const watch = createCpuWatch();

/** The SQLite read models the embedded server serves (rebuilt, or --read-models), and their size. */
const sqliteReadModels = async (
  options: Options,
  logFile: string,
  facts: LogFacts,
  work: string,
  serverDir: string,
) => {
  const servedFile = path.join(serverDir, READ_MODELS_FILE);
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
  return { sqliteRebuild, readModelsBytes: fileBytes(servedFile) };
};

/** The Redis read models (--stores all), left for the Redis phase to serve. */
const redisReadModels = async (options: Options, redis: Redis, logFile: string, facts: LogFacts, prefix: string) => {
  if (options.stores !== 'all') return null;
  const rebuilt = await watch.phase('rebuild Redis', () =>
    rebuildIntoRedis(logFile, redis, options.redisUrl, prefix, facts.events),
  );
  progress(
    `rebuild Redis: ${int(eventsPerSecond(rebuilt.rebuild))} events/s, used_memory +${int(rebuilt.bytes)} bytes`,
  );
  if (rebuilt.rebuild.events !== facts.events) {
    throw new BenchVoid(`the Redis rebuild applied ${rebuilt.rebuild.events} events of a log of ${facts.events}`);
  }
  return rebuilt;
};

/** What the servers are asked, and how they run: the queries are drawn from the history's cast. */
const planRun = (options: Options, history: History, facts: LogFacts): Run => {
  const random = createRandom(options.seed ^ 0x5eed);
  const cast = createCast(history.options);
  const span = {
    validFromMs: Date.parse(history.options.from),
    validToMs: Date.parse(history.options.to),
    firstRecordedMs: facts.firstRecordedMs,
    lastRecordedMs: facts.lastRecordedMs,
  };
  return {
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
};

const historyNote = (options: Options, history: History): string =>
  `seed ${history.options.seed}, skew ${history.options.zipfExponent}, corrections ` +
  `${history.options.correctionFraction}, ${history.options.actors} actors` +
  (options.dataDir === null ? '' : ` (reused ${options.dataDir})`);

export const benchSize = async (
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
  const sqlite = await sqliteReadModels(options, logFile, facts, work, history.serverDir);
  const redisRebuild = await redisReadModels(options, redis, logFile, facts, `${prefix}-r${size}`);

  const run = planRun(options, history, facts);
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
    historyNote: historyNote(options, history),
    generated: history.generated,
    raw,
    ...sqlite,
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
