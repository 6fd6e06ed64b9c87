import 'reflect-metadata';
import { getHeapStatistics } from 'node:v8';
import { startTimeline, type RunningTimeline } from './app.js';
import { ConfigError, loadConfig } from './config/environment.js';
import { heapFitProblem } from './observability/heap-fit.js';
import { createLogger } from './observability/logger.js';

/**
 * Runs one process until a signal stops it: what `npm start`, `timeline serve` and `timeline project` share. A bad
 * configuration, and a projection that stops for good (a projector that lost its lease), end the process with 1, so
 * that a supervisor starts it again: a projector comes back as a standby.
 */
export const runTimeline = async (env: NodeJS.ProcessEnv): Promise<void> => {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const heapLimitBytes = getHeapStatistics().heap_size_limit;
  const heapProblem = heapFitProblem(config.cacheBytes, heapLimitBytes);
  if (heapProblem) logger.warn({ cacheBytes: config.cacheBytes, heapLimitBytes }, heapProblem);
  let timeline: RunningTimeline | undefined;
  let stopping = false;
  // A projection that stops for good may do so while the start is still under way (a shared read model of another
  // log is found at once): then there is nothing started to close yet, and the start's own failure is not waited for.
  const stopFatally = (error: Error) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`diplomatic-timeline stopped: ${error.message}\n`);
    // The close is best-effort: the lease is already given up, and the log holds every write.
    (timeline?.close() ?? Promise.resolve()).catch(() => undefined).finally(() => process.exit(1));
  };
  try {
    timeline = await startTimeline(config, logger, { onFatal: stopFatally });
  } catch (error) {
    if (stopping) return;
    // A data directory it cannot use (a foreign or damaged timeline.db, a bad editor.key, no way to write): the
    // message names the file and what is wrong, on one line; the log line has the stack.
    logger.fatal({ err: error }, 'diplomatic-timeline did not start');
    process.stderr.write(
      `diplomatic-timeline did not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  if (stopping) {
    await timeline.close().catch(() => undefined);
    return;
  }
  const running = timeline;
  if (running.generatedEditorKey) {
    // Shown once, on the start that made it: the data directory keeps only its hash, and the logs never see it.
    process.stdout.write(
      `\nNo TIMELINE_EDITOR_KEYS configured: made an editor key (shown this once; ${config.dataDir}/editor.key ` +
        `keeps only its hash)\n  Authorization: Bearer ${running.generatedEditorKey}\n\n`,
    );
  }
  logger.info(
    {
      url: running.http.url,
      dataDir: config.dataDir,
      role: config.role,
      cacheBytes: config.cacheBytes,
      heapLimitBytes,
    },
    config.role === 'project' ? 'diplomatic-timeline is projecting' : 'diplomatic-timeline is serving',
  );

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        logger.info({ signal }, 'shut down: requests drained, sockets, read models, Redis and the log closed');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
};
