import { statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/environment.js';
import { withEventCatalog } from '../store/catalog-store.js';
import type { EventStore } from '../store/event-store.js';
import { UnusableEventLogError } from '../store/sqlite/open-database.js';
import { DATABASE_FILE, openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';
import { CliError, UsageError } from './errors.js';

/**
 * The data directory: --data-dir, else the server's own setting (TIMELINE_DATA_DIR, else ./data) read by loadConfig.
 * Only that variable is passed on, so that a problem in another one (a key, a port) does not stop a command that
 * does not use it.
 */
export const resolveDataDir = (command: string, option: string | undefined, env: NodeJS.ProcessEnv): string => {
  if (option !== undefined) {
    if (option.trim() === '') throw new UsageError(`--data-dir must not be empty`, command);
    return path.resolve(option);
  }
  try {
    return loadConfig({ TIMELINE_DATA_DIR: env.TIMELINE_DATA_DIR }).dataDir;
  } catch (error) {
    throw new CliError((error as Error).message, { cause: error });
  }
};

const kindOf = (file: string): 'file' | 'directory' | 'other' | 'missing' => {
  try {
    const stats = statSync(file);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
};

/** The path of the event log in the data directory; an error when either is missing (nothing is ever created). */
const existingLogFile = (dataDir: string): string => {
  const dirKind = kindOf(dataDir);
  if (dirKind === 'missing') {
    throw new CliError(`the data directory ${dataDir} does not exist (set --data-dir or TIMELINE_DATA_DIR)`);
  }
  if (dirKind !== 'directory') throw new CliError(`${dataDir} is not a directory`);
  const file = path.join(dataDir, DATABASE_FILE);
  const fileKind = kindOf(file);
  if (fileKind === 'missing') {
    throw new CliError(
      `${dataDir} holds no event log (${DATABASE_FILE} is missing); start the server once, or point ` +
        `--data-dir at the directory that has one`,
    );
  }
  if (fileKind !== 'file') throw new CliError(`${file} is not a file`);
  return file;
};

/** The store as the server opens it: the SQLite log with the event catalog on top (decoding and upcasting). */
export const openExistingStore = (
  dataDir: string,
  { verifyReads = false }: { verifyReads?: boolean } = {},
): { store: EventStore; file: string } => {
  const file = existingLogFile(dataDir);
  try {
    return { store: withEventCatalog(openSqliteEventStore({ file }), { verifyReads }), file };
  } catch (error) {
    // It names the file and what is wrong with it already.
    if (error instanceof UnusableEventLogError) throw new CliError(error.message, { cause: error });
    throw new CliError(`cannot open the event log ${file}: ${(error as Error).message}`, { cause: error });
  }
};
