import 'reflect-metadata';
import { pino } from 'pino';
import { startTimeline } from './app.js';
import { ConfigError, loadConfig } from './config/environment.js';

const main = async (): Promise<void> => {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel });
  const timeline = await startTimeline(config, logger);
  if (timeline.generatedEditorKey) {
    // Shown once, on the start that made it; it stays in the data directory, never in the logs.
    process.stdout.write(
      `\nNo TIMELINE_EDITOR_KEYS configured: made an editor key and kept it in ${config.dataDir}/editor.key\n` +
        `  Authorization: Bearer ${timeline.generatedEditorKey}\n\n`,
    );
  }
  logger.info({ url: timeline.http.url, dataDir: config.dataDir }, 'diplomatic-timeline is serving');

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

await main();
