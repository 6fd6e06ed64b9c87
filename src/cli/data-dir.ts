import { statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/environment.js';
import type { LogLocation } from '../store/open-configured-store.js';
import { CliError, UsageError } from './errors.js';

/**
 * Where the log is, as the server would find it: TIMELINE_STORE and KURRENTDB_URL, and the data directory from
 * --data-dir, else TIMELINE_DATA_DIR, else ./data (the read models live there whatever the log's store is). Only
 * those variables are passed on to loadConfig, so that a problem in another one (a key, a port) does not stop a
 * command that does not use it.
 */
export const resolveLogLocation = (
  command: string,
  option: string | undefined,
  env: NodeJS.ProcessEnv,
): LogLocation => {
  if (option?.trim() === '') throw new UsageError(`--data-dir must not be empty`, command);
  let config;
  try {
    config = loadConfig({
      TIMELINE_DATA_DIR: env.TIMELINE_DATA_DIR,
      TIMELINE_STORE: env.TIMELINE_STORE,
      KURRENTDB_URL: env.KURRENTDB_URL,
    });
  } catch (error) {
    throw new CliError((error as Error).message, { cause: error });
  }
  return { store: config.store, dataDir: option === undefined ? config.dataDir : path.resolve(option) };
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

/** The data directory must be there already: a mistyped --data-dir is an error, not a new empty directory. */
export const checkDataDir = (dataDir: string): void => {
  const dirKind = kindOf(dataDir);
  if (dirKind === 'missing') {
    throw new CliError(`the data directory ${dataDir} does not exist (set --data-dir or TIMELINE_DATA_DIR)`);
  }
  if (dirKind !== 'directory') throw new CliError(`${dataDir} is not a directory`);
};

/** The embedded log must be there already too: a command that reads it never makes an empty one. */
export const checkLogFile = (file: string): void => {
  const fileKind = kindOf(file);
  if (fileKind === 'missing') {
    throw new CliError(
      `${path.dirname(file)} holds no event log (${path.basename(file)} is missing); start the server once, or ` +
        `point --data-dir at the directory that has one`,
    );
  }
  if (fileKind !== 'file') throw new CliError(`${file} is not a file`);
};
