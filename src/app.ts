import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { checkKeptEditorKey, ensureEditorKey } from './auth/api-keys.js';
import { createCommandBus } from './application/commands/index.js';
import type { Config } from './config/environment.js';
import type { AppServices } from './graphql/context.js';
import { startProjector, type Projector } from './projections/projector.js';
import { readModelKeys } from './projections/shared/read-model-keys.js';
import { startSharedProjection } from './projections/shared/shared-projection.js';
import { createCachedReader } from './read-store/cached-reader.js';
import { READ_MODELS_FILE } from './read-store/sqlite/read-models-file.js';
import { openSqliteReadStore } from './read-store/sqlite/sqlite-read-store.js';
import { startRedisAnnouncer } from './live/redis-announcer.js';
import { countingAppends } from './observability/counting-commands.js';
import { createTimelineMetrics } from './observability/metrics.js';
import { createRedisHealth } from './observability/redis-health.js';
import { loadSeed } from './seed/load-seed.js';
import { startHealthServer } from './server/health-server.js';
import { createInProcessRateLimiter } from './server/rate-limit/in-process-rate-limiter.js';
import { createRedisRateLimiter } from './server/rate-limit/redis-rate-limiter.js';
import { startHttpServer, type RunningHttpServer } from './server/http-server.js';
import type { EventStore } from './store/event-store.js';
import { openConfiguredStore } from './store/open-configured-store.js';

export interface RunningTimeline {
  /** The API (roles all and serve), or only the health endpoints (role project). */
  readonly http: RunningHttpServer;
  readonly services: AppServices;
  /** Set on the first start without configured editor keys: the key to show the operator once. */
  readonly generatedEditorKey?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The shared read models' version; tests of blue-green builds set it, everyone else runs the code's. */
  readonly readModelVersion?: number;
  /** Told when the projection stops for good (a projector that lost its lease): the process should exit. */
  readonly onFatal?: (error: Error) => void;
}

/**
 * The read models and their feed. Alone (no Redis), the process projects the log into read-models.db beside it.
 * With Redis, one elected projector writes the shared read models and every process reads them and follows their
 * checkpoint (see shared-projection.ts); role serve never stands for election. Either way the heap holds only a
 * cache of them, bounded by TIMELINE_CACHE_MB.
 */
const startReadModelFeed = async (
  config: Config,
  store: EventStore,
  logger: Logger,
  options: StartOptions,
): Promise<Projector & { readonly leading?: boolean; close?: () => Promise<void> }> => {
  if (config.redisUrl === null) {
    const readStore = openSqliteReadStore({ file: path.join(config.dataDir, READ_MODELS_FILE) });
    const reads = createCachedReader(readStore, config.cacheBytes);
    const projector = await startProjector({
      log: store,
      reads,
      writer: readStore,
      snapshotEvery: config.snapshotEvery,
    });
    return {
      ...projector,
      get checkpoint() {
        return projector.checkpoint;
      },
      get failure() {
        return projector.failure;
      },
      stop: async () => {
        await projector.stop();
        await readStore.close();
      },
    };
  }
  return startSharedProjection({
    store,
    cacheBytes: config.cacheBytes,
    snapshotEvery: config.snapshotEvery,
    redisUrl: config.redisUrl,
    keys: readModelKeys(config.redisPrefix, options.readModelVersion),
    elect: config.role !== 'serve',
    leaseTtlMs: config.leaseTtlMs,
    logger,
    onFailure: (error) => {
      logger.fatal({ err: error }, 'the read-model projection stopped');
      options.onFatal?.(error);
    },
  });
};

/**
 * Wires one process: the log (embedded SQLite by default, or KurrentDB), the read model and its feed, command
 * handlers, and GraphQL over http (roles all and serve) or only health endpoints (role project).
 */
export const startTimeline = async (
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningTimeline> => {
  mkdirSync(config.dataDir, { recursive: true });
  // A projector-only process takes no requests, so it needs no keys. A broken key file refuses the start before the
  // log is opened (leaving no new log), and a key is made only once the log has opened (leaving no new key).
  const serves = config.role !== 'project';
  if (serves) checkKeptEditorKey(config);
  const log = await openConfiguredStore(config, { verifyReads: config.verifyReads });
  const { keys, generated, rewrote } = serves
    ? ensureEditorKey(config)
    : { keys: null, generated: undefined, rewrote: undefined };
  if (rewrote) logger.warn({ file: rewrote }, 'the editor key file held the key itself; it now holds its hash');
  const announcer = config.redisUrl ? startRedisAnnouncer(config.redisUrl, log, logger) : null;
  const store = announcer?.store ?? log;
  // One registry per started timeline, not prom-client's global one: tests run several in one process.
  const metrics = createTimelineMetrics();
  const commands = countingAppends(createCommandBus({ store }), metrics);

  if (config.seed && serves && (await store.headPosition()) === null) {
    const seed = await loadSeed(commands);
    logger.info({ commands: seed.commands, events: seed.appended }, 'seed timeline loaded');
  }

  const started = Date.now();
  const projector = await startReadModelFeed(config, store, logger, options);
  // A process that projects catches up with the log before it serves (at once on a store already projected; a log
  // imported since takes its time). One that only serves is ready once the read models answer.
  if (config.role !== 'serve') await projector.catchUp(24 * 60 * 60 * 1000);
  logger.info(
    { checkpoint: projector.checkpoint?.commit.toString() ?? null, ms: Date.now() - started, role: config.role },
    'read models ready',
  );

  const services: AppServices = { store, projector, reads: projector.reads, commands };
  // Shared by the processes of a deployment when they share a Redis, so that a budget does not grow with them.
  const limiter = config.redisUrl
    ? createRedisRateLimiter(config.redisUrl, config.redisPrefix, logger)
    : createInProcessRateLimiter();
  const redisHealth = config.redisUrl ? createRedisHealth(config.redisUrl, logger) : null;
  const http =
    keys === null
      ? await startHealthServer(
          { ...services, ...(redisHealth ? { redis: redisHealth } : {}) },
          { port: config.port, host: config.host, logger, metrics },
        )
      : await startHttpServer({
          services,
          keys,
          live: { bufferLimit: config.subscriberBuffer },
          role: config.role,
          rateLimits: { settings: config.rateLimits, limiter },
          trustProxy: config.trustProxy,
          corsOrigins: config.corsOrigins,
          stackTraces: config.development,
          limits: config.operationLimits,
          timeoutMs: config.operationLimits.timeoutMs,
          maxBodyBytes: config.operationLimits.maxBodyBytes,
          introspection: config.introspection,
          knownQueriesLane: config.knownQueriesLane,
          compiledQueries: config.compiledQueries,
          port: config.port,
          host: config.host,
          logger,
          metrics,
          ...(redisHealth ? { redisHealth } : {}),
        });
  return {
    http,
    services,
    generatedEditorKey: generated?.secret,
    close: async () => {
      await http.close();
      await limiter.close();
      await redisHealth?.close();
      await projector.stop();
      await announcer?.close();
      await store.close();
    },
  };
};
