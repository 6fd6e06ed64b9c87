import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCommandBus } from '../../src/application/commands/index.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { DATABASE_FILE, openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { emptyCounts, historyCommands, type HistoryCounts } from './history-commands.js';
import type { GeneratedCommand, HistoryOptions } from './history-options.js';

export interface WriteHistoryOptions extends Partial<HistoryOptions> {
  /** The data directory; the log goes to DIR/timeline.db. */
  readonly dataDir: string;
  /** Commands between two progress reports (and two turns of the event loop). */
  readonly batchSize?: number;
  /** Called after each batch. */
  readonly onProgress?: (progress: HistoryProgress) => void;
  /** Refuse to write into a log that has events already (default true). */
  readonly requireEmpty?: boolean;
}

interface HistoryProgress {
  readonly commands: number;
  readonly developments: number;
  readonly elapsedMs: number;
  readonly counts: HistoryCounts;
}

export interface HistoryWritten extends HistoryProgress {
  readonly file: string;
  readonly eventsAppended: number;
}

const COMMAND_META = { keyName: 'history-generator' } as const;

/**
 * Runs a history's commands through createCommandBus on the data directory's SQLite log, one after the other, in
 * batches of `batchSize` that commit together (inOneCommit), as a bulk import does.
 */
export const writeHistory = async ({
  dataDir,
  batchSize = 1_000,
  onProgress,
  requireEmpty = true,
  ...overrides
}: WriteHistoryOptions): Promise<HistoryWritten> => {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DATABASE_FILE);
  const store = withEventCatalog(openSqliteEventStore({ file }));
  try {
    if (requireEmpty && (await store.headPosition()) !== null) {
      throw new Error(`${file} holds events already: generate into an empty data directory`);
    }
    const bus = createCommandBus({ store });
    const counts = emptyCounts();
    let commands = 0;
    let eventsAppended = 0;
    const started = performance.now();
    const progress = (): HistoryProgress => ({
      commands,
      developments: counts.recordDevelopment,
      elapsedMs: performance.now() - started,
      counts: { ...counts },
    });
    const run = async ({ command, input }: GeneratedCommand): Promise<void> => {
      let result;
      try {
        result = await bus(command, input, COMMAND_META);
      } catch (error) {
        throw new Error(`command ${commands + 1} (${command} ${JSON.stringify(input).slice(0, 400)}) failed`, {
          cause: error,
        });
      }
      eventsAppended += result.appended;
      counts[command] += 1;
      commands += 1;
    };
    let batch: GeneratedCommand[] = [];
    const flush = async (): Promise<void> => {
      const pending = batch;
      batch = [];
      await bus.inOneCommit(async () => {
        for (const command of pending) await run(command);
      });
      onProgress?.(progress());
      // Let timers and signals through between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    for (const command of historyCommands(overrides)) {
      batch.push(command);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    const done = progress();
    onProgress?.(done);
    return { ...done, file, eventsAppended };
  } finally {
    await store.close();
  }
};
