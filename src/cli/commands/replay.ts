import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { READ_MODELS_FILE } from '../../read-store/sqlite/read-models-file.js';
import { openSqliteReadStore } from '../../read-store/sqlite/sqlite-read-store.js';
import { parseCommandArgs, parseInstant, required } from '../args.js';
import { resolveLogLocation } from '../data-dir.js';
import { CliError, EXIT_OK, UsageError } from '../errors.js';
import { foldLog } from '../fold-log.js';
import { writeFully, type CliIo } from '../io.js';
import { openExistingLog } from '../open-log.js';
import { progressReporter } from '../progress.js';
import { resolveSnapshotEvery } from '../snapshot-every.js';
import { REPLAY_USAGE } from '../usage.js';
import { writeFileAtomic } from '../write-atomic.js';
import { worldStateAt } from '../world-state.js';

const COMMAND = 'replay';

const OPTIONS = {
  'as-of': { type: 'string' },
  'known-at': { type: 'string' },
  out: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const statOrNull = (file: string) => {
  try {
    return statSync(file);
  } catch {
    return null;
  }
};

/** The output file's directory must exist: found out before the fold, not after it. */
const checkOutput = (out: string): string => {
  if (out.trim() === '') throw new UsageError('--out must not be empty', COMMAND);
  const target = path.resolve(out);
  const directory = path.dirname(target);
  if (!statOrNull(directory)?.isDirectory())
    throw new CliError(`cannot write ${target}: ${directory} is not a directory`);
  if (statOrNull(target)?.isDirectory()) throw new CliError(`cannot write ${target}: it is a directory`);
  return target;
};

/** `timeline replay`: the world state at (asOf, knownAt), rebuilt from the log, as JSON. */
export const replay = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values } = parseCommandArgs(COMMAND, args, OPTIONS);
  if (values.help) {
    await writeFully(io.stdout, `${REPLAY_USAGE}\n`);
    return EXIT_OK;
  }
  const asOf = parseInstant(COMMAND, 'as-of', required(COMMAND, 'as-of', values['as-of']));
  const knownAt = values['known-at'] === undefined ? io.now() : parseInstant(COMMAND, 'known-at', values['known-at']);
  const out = values.out === undefined ? null : checkOutput(values.out);
  const location = resolveLogLocation(COMMAND, values['data-dir'], io.env);
  const { dataDir } = location;
  const snapshotEvery = resolveSnapshotEvery(io.env);

  const { store, name } = await openExistingLog(location);
  try {
    // The read models the server keeps in the data directory (beside the embedded log, or alone with the log on
    // KurrentDB), brought up to the log's head first (at once when a server keeps them current): the world state
    // is read from the same store every question reads.
    mkdirSync(dataDir, { recursive: true });
    const readStore = openSqliteReadStore({ file: path.join(dataDir, READ_MODELS_FILE) });
    let state;
    try {
      io.stderr.write(`${COMMAND}: reading the read models of ${name}\n`);
      const reporter = progressReporter(io.stderr, COMMAND);
      try {
        await foldLog(store, readStore, (progress) => reporter.update(progress), undefined, {
          afresh: false,
          snapshotEvery,
        });
      } finally {
        // Also on a failure: the bar's redraw timer would keep the process alive.
        reporter.stop();
      }
      state = await worldStateAt(readStore, { asOf, knownAt });
    } finally {
      await readStore.close();
    }
    const json = `${JSON.stringify(state, null, 2)}\n`;
    const counts =
      `${state.actors.length} actors, ${state.topics.length} topics, ${state.meetings.length} meetings ` +
      `as of ${state.asOf}, known at ${state.knownAt}, checkpoint ${state.checkpoint ?? 'none'}`;
    if (out === null) {
      await writeFully(io.stdout, json);
      io.stderr.write(`${COMMAND}: ${counts}\n`);
    } else {
      await writeFileAtomic(out, json);
      io.stderr.write(`${COMMAND}: wrote ${counts} to ${out}\n`);
    }
    return EXIT_OK;
  } finally {
    await store.close();
  }
};
