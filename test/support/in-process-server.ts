import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { startTimeline, type RunningTimeline } from '../../src/app.js';
import { loadConfig } from '../../src/config/environment.js';

export const EDITOR_KEY = 'editor-key-for-tests-0123456789';
export const READER_KEY = 'reader-key-for-tests-0123456789';

export interface InProcessServer {
  readonly url: string;
  readonly timeline: RunningTimeline;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** The whole server on a random port and a fresh data directory, in this process; `logger` to read its logs. */
export const startInProcessServer = async (
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<InProcessServer> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'timeline-live-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    TIMELINE_DATA_DIR: dataDir,
    TIMELINE_SEED: 'false',
    TIMELINE_EDITOR_KEYS: `tests:${EDITOR_KEY}`,
    // Tests of other things send far more than a client's budget from one address; the rate tests set their own.
    TIMELINE_RATE_LIMIT: '0',
    TIMELINE_ANONYMOUS_RATE_LIMIT: '0',
    ...env,
  });
  const timeline = await startTimeline(config, logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  return {
    url: timeline.http.url,
    timeline,
    dataDir,
    close: async () => {
      await timeline.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
