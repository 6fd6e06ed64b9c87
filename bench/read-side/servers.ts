import path from 'node:path';
import type { Redis } from 'ioredis';
import { READ_MODEL_VERSION } from '../../src/projections/shared/read-model-keys.js';
import { READ_MODELS_FILE } from '../../src/read-store/sqlite/read-models-file.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { readWholeLog, referenceActor } from '../../test/support/reference-fold.js';
import type { AsOfQuery, Asked, Draw } from './actor-queries.js';
import { askAll, canonicalAnswer, describeQuery, differenceFromReference, DRAWS } from './actor-queries.js';
import type { CpuWatch } from '../support/cpu-watch.js';
import { BenchVoid, onCleanup, progress } from '../support/lifecycle.js';
import { bareGraphQLTimes } from './bare-graphql.js';
import { rawRedisPointReads, rawSqlitePointReads } from './log-baselines.js';
import { residentOf } from '../support/proc.js';
import type { DrawFigures, FloorFigures, ServerFigures } from './report.js';
import { deletePrefixKeys, settleLazyFree } from '../support/redis-admin.js';
import { startServerChild, type ServerEntry } from '../support/server-child.js';
import type { Options } from './options.js';
import { int, seconds, summarize } from '../support/stats.js';

/**
 * The server phases of the read-side bench: the embedded server (role all) and its reference check, the Redis
 * pair (a projector, then a serve process), and the bare node process whose start and memory are their floor.
 */

/** How many answers of each draw the reference fold checks (it folds the whole log per query). */
const REFERENCE_SAMPLE = 20;

/** How the servers run, as the command line said (operationTimeoutMs, cacheMb, serverNodeFlags: null, the default). */
type ServerOptions = Pick<
  Options,
  | 'serverEntry'
  | 'redisUrl'
  | 'requestTimeoutMs'
  | 'readyTimeoutMs'
  | 'operationTimeoutMs'
  | 'cacheMb'
  | 'serverNodeFlags'
>;

export interface Run extends ServerOptions {
  readonly watch: CpuWatch;
  readonly secret: string;
  readonly warmUp: readonly AsOfQuery[];
  readonly queries: readonly AsOfQuery[];
}

const drawFigures = (asked: readonly Asked[], rawMs: readonly number[]): Map<Draw, DrawFigures> => {
  const bareMs = bareGraphQLTimes(asked, asked.slice(0, 30));
  const figures = new Map<Draw, DrawFigures>();
  for (const draw of DRAWS) {
    const at = asked.flatMap((entry, index) => (entry.query.draw === draw ? [index] : []));
    if (at.length === 0) continue;
    figures.set(draw, {
      http: summarize(at.map((index) => asked[index]!.elapsedMs)),
      raw: summarize(at.map((index) => rawMs[index]!)),
      bare: summarize(at.map((index) => bareMs[index]!)),
      nulls: at.filter((index) => asked[index]!.answer === null).length,
      developmentCountP50: summarize(at.map((index) => asked[index]!.answer?.developmentCount ?? 0)).p50,
    });
  }
  return figures;
};

const keyEnv = (run: Run) => ({
  TIMELINE_SEED: 'false',
  TIMELINE_RATE_LIMIT: '0',
  TIMELINE_ANONYMOUS_RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
  TIMELINE_EDITOR_KEYS: `bench:${run.secret}`,
  ...(run.operationTimeoutMs === null ? {} : { TIMELINE_OPERATION_TIMEOUT_MS: String(run.operationTimeoutMs) }),
  ...(run.cacheMb === null ? {} : { TIMELINE_CACHE_MB: String(run.cacheMb) }),
});

export const embeddedPhase = async (
  run: Run,
  serverDir: string,
): Promise<{ figures: ServerFigures; asked: Asked[] }> => {
  progress('embedded: starting the server (role all) on the data dir with the rebuilt read models');
  const server = await run.watch.phase('embedded start', () =>
    startServerChild({
      name: 'embedded server',
      entry: run.serverEntry,
      ...(run.serverNodeFlags === null ? {} : { nodeFlags: run.serverNodeFlags }),
      env: { ...keyEnv(run), TIMELINE_DATA_DIR: serverDir },
      readyTimeoutMs: run.readyTimeoutMs,
    }),
  );
  let asked: Asked[];
  let afterStart;
  let afterQueries;
  try {
    afterStart = residentOf(server.pid);
    progress(`embedded: ready in ${seconds(server.readyMs)}; querying`);
    asked = await run.watch.phase('embedded queries', () =>
      askAll('embedded', server.graphqlUrl, run.secret, run.warmUp, run.queries, run.requestTimeoutMs, progress),
    );
    afterQueries = residentOf(server.pid);
  } finally {
    await server.stop();
  }
  const file = path.join(serverDir, READ_MODELS_FILE);
  const rawMs = rawSqlitePointReads(
    file,
    run.queries.map((query) => query.id),
    run.warmUp.map((query) => query.id),
  );
  return { figures: { readyMs: server.readyMs, afterStart, afterQueries, draws: drawFigures(asked, rawMs) }, asked };
};

/** The first answers of each draw against the reference fold over the whole log; a difference voids the run. */
export const checkWithReference = async (logFile: string, asked: readonly Asked[]): Promise<number> => {
  progress(`reference: reading the whole log, then folding it for the first ${REFERENCE_SAMPLE} answers of each draw`);
  const store = withEventCatalog(openSqliteEventStore({ file: logFile }));
  let log;
  try {
    log = await readWholeLog(store, 1_000);
  } finally {
    await store.close();
  }
  let checked = 0;
  for (const draw of DRAWS) {
    for (const entry of asked.filter((item) => item.query.draw === draw).slice(0, REFERENCE_SAMPLE)) {
      const { id, asOf, knownAt } = entry.query;
      const difference = differenceFromReference(entry.answer, referenceActor(log, id, { asOf, knownAt }));
      if (difference)
        throw new BenchVoid(
          `embedded answer differs from the reference fold: ${describeQuery(entry.query)}: ${difference}`,
        );
      checked++;
      if (checked % 10 === 0) progress(`reference: ${checked}/${DRAWS.length * REFERENCE_SAMPLE} answers equal`);
    }
  }
  progress(`reference: ${checked} answers equal the reference fold's (${int(log.length)} events folded per answer)`);
  return checked;
};

export const redisPhase = async (
  run: Run,
  redis: Redis,
  serverDir: string,
  prefix: string,
  embedded: readonly Asked[],
): Promise<{ figures: ServerFigures; projectorReadyMs: number }> => {
  const removeCleanup = onCleanup(`delete the Redis keys of ${prefix}`, async () => {
    await deletePrefixKeys(redis, prefix);
  });
  const shared = { REDIS_URL: run.redisUrl, TIMELINE_REDIS_PREFIX: prefix, TIMELINE_DATA_DIR: serverDir };
  const started: { stop(): Promise<void> }[] = [];
  try {
    progress(`redis: starting a projector (role project, prefix ${prefix}) until it has caught up`);
    const projector = await run.watch.phase('projector catch-up', () =>
      startServerChild({
        name: 'projector (role project)',
        entry: run.serverEntry,
        ...(run.serverNodeFlags === null ? {} : { nodeFlags: run.serverNodeFlags }),
        env: { ...keyEnv(run), ...shared, TIMELINE_ROLE: 'project' },
        readyTimeoutMs: run.readyTimeoutMs,
      }),
    );
    started.push(projector);
    progress(`redis: the projector caught up in ${seconds(projector.readyMs)}; starting a serve process`);
    const serve = await run.watch.phase('serve start', () =>
      startServerChild({
        name: 'serve process (role serve)',
        entry: run.serverEntry,
        ...(run.serverNodeFlags === null ? {} : { nodeFlags: run.serverNodeFlags }),
        env: { ...keyEnv(run), ...shared, TIMELINE_ROLE: 'serve' },
        readyTimeoutMs: run.readyTimeoutMs,
      }),
    );
    started.push(serve);
    const afterStart = residentOf(serve.pid);
    progress(`redis: serve ready in ${seconds(serve.readyMs)}; querying`);
    const asked = await run.watch.phase('serve queries', () =>
      askAll('serve', serve.graphqlUrl, run.secret, run.warmUp, run.queries, run.requestTimeoutMs, progress),
    );
    const afterQueries = residentOf(serve.pid);
    asked.forEach((entry, index) => {
      const expected = canonicalAnswer(embedded[index]!.answer);
      const served = canonicalAnswer(entry.answer);
      if (served !== expected) {
        throw new BenchVoid(
          `serve and embedded answers differ for ${describeQuery(entry.query)}: serve ${served} vs embedded ${expected}`,
        );
      }
    });
    const rawMs = await rawRedisPointReads(
      redis,
      prefix,
      READ_MODEL_VERSION,
      run.queries.map((query) => query.id),
      run.warmUp.map((query) => query.id),
    );
    return {
      figures: { readyMs: serve.readyMs, afterStart, afterQueries, draws: drawFigures(asked, rawMs) },
      projectorReadyMs: projector.readyMs,
    };
  } finally {
    for (const child of started.reverse()) await child.stop();
    const removed = await deletePrefixKeys(redis, prefix);
    removeCleanup();
    await settleLazyFree(redis);
    progress(`redis: processes stopped, deleted ${int(removed)} keys of ${prefix}`);
  }
};

/** A bare node process with the servers' loader, answering HTTP: the floor of start-to-ready and of RSS. */
export const measureFloor = async (serverEntry: ServerEntry): Promise<FloorFigures> => {
  const script =
    "import { createServer } from 'node:http'; createServer((q, s) => s.end('ok'))" +
    '.listen(Number(process.env.PORT), process.env.HOST);';
  const loader = serverEntry === 'sources' ? ['--import', 'tsx'] : [];
  const bare = await startServerChild({
    name: 'bare node',
    entry: serverEntry,
    args: [...loader, '--input-type=module', '--eval', script],
    env: {},
    readyTimeoutMs: 60_000,
  });
  try {
    return { readyMs: bare.readyMs, resident: residentOf(bare.pid) };
  } finally {
    await bare.stop();
  }
};
