import type { Logger } from 'pino';
import { createLogger } from '../../src/observability/logger.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly requestId?: string;
  readonly [field: string]: unknown;
}

export interface CapturedLogs {
  /** The server's logger, as the process would make it (same redaction), writing here. */
  readonly logger: Logger;
  /** Every line written so far, raw, as it would reach stdout. */
  readonly raw: string[];
  readonly lines: () => LogLine[];
  /** Resolves once a line satisfying `predicate` was written (from `from` on), or rejects after the timeout. */
  until(predicate: (line: LogLine) => boolean, from?: number, timeoutMs?: number): Promise<LogLine>;
}

/** A logger at debug level whose output is kept in memory, for tests that read what the server logs. */
export const captureLogs = (): CapturedLogs => {
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  return {
    logger: createLogger('debug', { write: (chunk: string) => void raw.push(...chunk.split('\n').filter(Boolean)) }),
    raw,
    lines,
    until: async (predicate, from = 0, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines().slice(from).find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
};
