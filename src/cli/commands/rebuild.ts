import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { READ_MODELS_FILE } from '../../read-store/sqlite/read-models-file.js';
import { openSqliteReadStore } from '../../read-store/sqlite/sqlite-read-store.js';
import { parseCommandArgs } from '../args.js';
import { resolveLogLocation } from '../data-dir.js';
import { EXIT_OK } from '../errors.js';
import { foldLog, formatPosition, type FoldResult } from '../fold-log.js';
import { writeFully, type CliIo } from '../io.js';
import { openExistingLog } from '../open-log.js';
import { progressReporter, rate } from '../progress.js';
import { resolveSnapshotEvery } from '../snapshot-every.js';
import { REBUILD_USAGE } from '../usage.js';

const COMMAND = 'rebuild';

const OPTIONS = {
  'data-dir': { type: 'string' },
  verify: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const seconds = (ms: number): string => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

/** "rebuild: 1000000 events in 11.8 s (84700 events/s), checkpoint 1000000, rss 412 MB" */
export const summaryLine = (result: Pick<FoldResult, 'events' | 'elapsedMs' | 'checkpoint'>, rssBytes: number) =>
  `${COMMAND}: ${result.events} events in ${seconds(result.elapsedMs)} s ` +
  `(${rate(result.events, result.elapsedMs)} events/s), checkpoint ${formatPosition(result.checkpoint) ?? 'none'}, ` +
  `rss ${Math.round(rssBytes / (1024 * 1024))} MB`;

/** SQLite's own files beside a database. */
const removeDatabase = (file: string) => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
};

/**
 * `timeline rebuild`: folds the whole log afresh into the read models (read-models.db), measured. It builds a new
 * file beside the old one and puts it in its place when done, so a rebuild that fails leaves the old one standing.
 */
export const rebuild = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values } = parseCommandArgs(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${REBUILD_USAGE}\n`);
    return EXIT_OK;
  }
  const location = resolveLogLocation(COMMAND, values['data-dir'], io.env);
  const { dataDir } = location;
  const snapshotEvery = resolveSnapshotEvery(io.env);
  const { store, name } = await openExistingLog(location, { verifyReads: values.verify === true });
  try {
    // The read models live in the data directory whatever the log's store is, as the server keeps them (without
    // Redis); with the log on KurrentDB the directory may be new, and the server would make it too.
    mkdirSync(dataDir, { recursive: true });
    io.stderr.write(`${COMMAND}: reading ${name}\n`);
    const reporter = progressReporter(io.stderr, COMMAND);
    const target = path.join(dataDir, READ_MODELS_FILE);
    const building = `${target}.rebuilding`;
    removeDatabase(building);
    const readStore = openSqliteReadStore({ file: building, builtWhole: true });
    let folded;
    try {
      folded = await foldLog(store, readStore, (progress) => reporter.update(progress), undefined, { snapshotEvery });
    } catch (error) {
      // Also on a failure: the bar's redraw timer would keep the process alive.
      reporter.stop();
      await readStore.close();
      throw error;
    }
    reporter.stop();
    // Closing commits the last batches and builds the last index (sqlite/schema.ts): part of the rebuild's time.
    const closing = performance.now();
    await readStore.close();
    const result = { ...folded, elapsedMs: folded.elapsedMs + performance.now() - closing };
    const rss = process.memoryUsage.rss();
    removeDatabase(target);
    renameSync(building, target);
    io.stderr.write(`${COMMAND}: wrote ${target}\n`);
    io.stderr.write(`${summaryLine(result, rss)}\n`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
};
