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
  let timeline: RunningTimeline;
  try {
    timeline = await startTimeline(config, logger, {
      onFatal: () => {
        // The close is best-effort: the lease is already given up, and the log holds every write.
        timeline.close().finally(() => process.exit(1));
      },
    });
  } catch (error) {
    // A data directory it cannot use (a foreign or damaged timeline.db, a bad editor.key, no way to write): the
    // message names the file and what is wrong, on one line; the log line has the stack.
    logger.fatal({ err: error }, 'diplomatic-timeline did not start');
    process.stderr.write(
      `diplomatic-timeline did not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  if (timeline.generatedEditorKey) {
    // Shown once, on the start that made it: the data directory keeps only its hash, and the logs never see it.
    process.stdout.write(
      `\nNo TIMELINE_EDITOR_KEYS configured: made an editor key (shown this once; ${config.dataDir}/editor.key ` +
        `keeps only its hash)\n  Authorization: Bearer ${timeline.generatedEditorKey}\n\n`,
    );
  }
  logger.info(
    {
      url: timeline.http.url,
      dataDir: config.dataDir,
      role: config.role,
      cacheBytes: config.cacheBytes,
      heapLimitBytes,
    },
    config.role === 'project' ? 'diplomatic-timeline is projecting' : 'diplomatic-timeline is serving',
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    timeline.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
};
