import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensureEditorKey } from './auth/api-keys.js';
import { createCommandBus } from './application/commands/index.js';
import type { Config } from './config/environment.js';
import type { AppServices } from './graphql/context.js';
import { startProjector } from './projections/projector.js';
import { createTimelineReadModel } from './projections/timeline-read-model.js';
import { startRedisAnnouncer } from './live/redis-announcer.js';
import { loadSeed } from './seed/load-seed.js';
import { startHttpServer, type RunningHttpServer } from './server/http-server.js';
import { withEventCatalog } from './store/catalog-store.js';
import type { EventStore } from './store/event-store.js';
import { openKurrentDbEventStore } from './store/kurrentdb/kurrentdb-event-store.js';
import { DATABASE_FILE, openSqliteEventStore } from './store/sqlite/sqlite-event-store.js';

export interface RunningTimeline {
  readonly http: RunningHttpServer;
  readonly services: AppServices;
  /** Set on the first start without configured editor keys: the key to show the operator once. */
  readonly generatedEditorKey?: string;
  close(): Promise<void>;
}

const openLog = (config: Config): EventStore =>
  config.store.kind === 'kurrentdb'
    ? openKurrentDbEventStore({ url: config.store.url })
    : openSqliteEventStore({ file: path.join(config.dataDir, DATABASE_FILE) });

/** Wires one server: the log (embedded SQLite by default, or KurrentDB), in-memory read models, command handlers, GraphQL over http. */
export const startTimeline = async (config: Config, logger: Logger): Promise<RunningTimeline> => {
  mkdirSync(config.dataDir, { recursive: true });
  const log = withEventCatalog(openLog(config), { verifyReads: config.verifyReads });
  const announcer = config.redisUrl ? startRedisAnnouncer(config.redisUrl, log, logger) : null;
  const store = announcer?.store ?? log;
  const commands = createCommandBus({ store });
  const { keys, generated } = ensureEditorKey(config);

  if (config.seed && (await store.headPosition()) === null) {
    const seed = await loadSeed(commands);
    logger.info({ commands: seed.commands, events: seed.appended }, 'seed timeline loaded');
  }

  const model = createTimelineReadModel();
  const projector = startProjector(store, model);
  const started = Date.now();
  // A million developments take minutes to fold on a small machine: start when done, however long that is.
  await projector.catchUp(24 * 60 * 60 * 1000);
  logger.info(
    { checkpoint: model.checkpoint?.commit.toString() ?? null, ms: Date.now() - started },
    'read models rebuilt',
  );

  const services: AppServices = { store, projector, history: model, commands };
  const http = await startHttpServer({
    services,
    keys,
    live: { bufferLimit: config.subscriberBuffer },
    port: config.port,
    host: config.host,
    logger,
  });
  return {
    http,
    services,
    generatedEditorKey: generated?.secret,
    close: async () => {
      await http.close();
      await projector.stop();
      await announcer?.close();
      await store.close();
    },
  };
};
