import { parseCommandArgs } from '../args.js';
import { openExistingStore, resolveDataDir } from '../data-dir.js';
import { EXIT_OK } from '../errors.js';
import { foldLog, formatPosition, type FoldResult } from '../fold-log.js';
import { writeFully, type CliIo } from '../io.js';
import { progressReporter, rate } from '../progress.js';
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

/** `timeline rebuild`: what the server does at start (fold the whole log into the read models), measured. */
export const rebuild = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values } = parseCommandArgs(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${REBUILD_USAGE}\n`);
    return EXIT_OK;
  }
  const dataDir = resolveDataDir(COMMAND, values['data-dir'], io.env);
  const { store, file } = openExistingStore(dataDir, {
    verifyReads: values.verify === true,
  });
  try {
    io.stderr.write(`${COMMAND}: reading ${file}\n`);
    const reporter = progressReporter(io.stderr, COMMAND);
    let result;
    try {
      result = await foldLog(store, (progress) => reporter.update(progress));
    } finally {
      // Also on a failure: the bar's redraw timer would keep the process alive.
      reporter.stop();
    }
    // Taken while the read model is still held, so that the figure includes it.
    const rss = process.memoryUsage.rss();
    io.stderr.write(`${summaryLine(result, rss)}\n`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
};
