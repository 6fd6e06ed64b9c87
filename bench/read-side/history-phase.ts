import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DATABASE_FILE } from '../../src/store/sqlite/sqlite-event-store.js';
import { historyOptions, type HistoryOptions } from '../history/history-options.js';
import { writeHistory } from '../history/write-history.js';
import { progress } from '../support/lifecycle.js';
import { int, seconds } from '../support/stats.js';
import { logFacts } from './log-baselines.js';
import type { Options } from './options.js';
import type { SizeFigures } from './report.js';

/** Phase 1 of the read-side bench: the history, generated through the command handlers, or reused (--data-dir). */

/** The generator's options, kept beside a generated log so that a reuse of it plans the same queries. */
const HISTORY_FILE = 'bench-history.json';

export interface History {
  readonly options: HistoryOptions;
  /** Where the log is (timeline.db); the servers run on it, with read-models.db put beside it. */
  readonly serverDir: string;
  readonly generated: SizeFigures['generated'];
}

export const prepareHistory = async (size: number, options: Options, work: string): Promise<History> => {
  if (options.dataDir !== null) {
    const source = path.join(options.dataDir, DATABASE_FILE);
    if (!existsSync(source)) throw new Error(`--data-dir ${options.dataDir} holds no ${DATABASE_FILE}`);
    const kept = path.join(options.dataDir, HISTORY_FILE);
    const history = existsSync(kept)
      ? (JSON.parse(readFileSync(kept, 'utf8')) as HistoryOptions)
      : historyOptions({
          developments: logFacts(source).developments,
          seed: options.seed,
          zipfExponent: options.skew,
          correctionFraction: options.corrections,
        });
    const serverDir = path.join(work, 'server');
    mkdirSync(serverDir, { recursive: true });
    for (const suffix of ['', '-wal']) {
      if (existsSync(`${source}${suffix}`))
        copyFileSync(`${source}${suffix}`, path.join(serverDir, `${DATABASE_FILE}${suffix}`));
    }
    progress(
      `history: reusing ${source} (copied; ${existsSync(kept) ? `options from ${HISTORY_FILE}` : 'options from the command line'})`,
    );
    return { options: history, serverDir, generated: null };
  }
  const history = historyOptions({
    developments: size,
    seed: options.seed,
    zipfExponent: options.skew,
    correctionFraction: options.corrections,
  });
  const dataDir = options.keep
    ? mkdtempSync(path.join(tmpdir(), `read-side-history-${size}-`))
    : path.join(work, 'data');
  if (options.keep) progress(`history: kept after the run in ${dataDir}`);
  progress(
    `history: ${int(size)} developments (seed ${history.seed}, skew ${history.zipfExponent}, corrections ${history.correctionFraction}) through the command handlers`,
  );
  const every = Math.max(1, Math.round(size / 10));
  let reported = 0;
  const written = await writeHistory({
    ...history,
    dataDir,
    batchSize: options.batch,
    onProgress: ({ developments, elapsedMs }) => {
      if (developments - reported < every && developments < size) return;
      reported = developments;
      progress(`history: ${int(developments)}/${int(size)} developments, ${int(developments / (elapsedMs / 1000))}/s`);
    },
  });
  writeFileSync(path.join(dataDir, HISTORY_FILE), `${JSON.stringify(history, null, 2)}\n`);
  progress(`history: ${int(written.eventsAppended)} events in ${seconds(written.elapsedMs)}`);
  return {
    options: history,
    serverDir: dataDir,
    generated: { elapsedMs: written.elapsedMs, commands: written.commands },
  };
};
