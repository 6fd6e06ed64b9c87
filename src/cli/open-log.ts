import { mkdirSync } from 'node:fs';
import type { EventStore } from '../store/event-store.js';
import { describeLog, openConfiguredStore, sqliteLogFile, type LogLocation } from '../store/open-configured-store.js';
import { UnusableEventLogError } from '../store/sqlite/open-database.js';
import { checkDataDir, checkLogFile } from './data-dir.js';
import { CliError } from './errors.js';

export interface OpenedLog {
  readonly store: EventStore;
  /** What the log is, for messages: its file, or the KurrentDB it is on. */
  readonly name: string;
}

const open = async (location: LogLocation, verifyReads: boolean): Promise<EventStore> => {
  try {
    return await openConfiguredStore(location, { verifyReads });
  } catch (error) {
    // It names the file and what is wrong with it already.
    if (error instanceof UnusableEventLogError) throw new CliError(error.message, { cause: error });
    throw new CliError(`cannot open ${describeLog(location)}: ${(error as Error).message}`, { cause: error });
  }
};

/**
 * Opening a KurrentDB store makes no call, and the first call of a command may be far into its work (after reading
 * the input files of an import): one call at once, bounded like every other, so that a server that is down or
 * hangs is named as such before anything else, with no half-done work behind it.
 */
const answering = async (store: EventStore, location: LogLocation): Promise<EventStore> => {
  try {
    await store.headPosition();
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new CliError(`cannot reach ${describeLog(location)}: ${(error as Error).message}`, { cause: error });
  }
};

/**
 * The log a command reads, where the configuration puts it, as the server opens it. The embedded log must exist
 * (nothing is ever created); a KurrentDB log must answer.
 */
export const openExistingLog = async (
  location: LogLocation,
  { verifyReads = false }: { verifyReads?: boolean } = {},
): Promise<OpenedLog> => {
  if (location.store.kind === 'sqlite') {
    checkDataDir(location.dataDir);
    checkLogFile(sqliteLogFile(location.dataDir));
    return { store: await open(location, verifyReads), name: describeLog(location) };
  }
  return { store: await answering(await open(location, verifyReads), location), name: describeLog(location) };
};

/**
 * The log an import writes to. The embedded one is made when missing, with its data directory (importing into an
 * empty store is how a timeline is moved or restored); a server started on it later does not load the seed: the
 * log is not empty. A KurrentDB log must answer.
 */
export const openLogForImport = async (location: LogLocation): Promise<OpenedLog> => {
  if (location.store.kind === 'sqlite') {
    try {
      mkdirSync(location.dataDir, { recursive: true });
    } catch (error) {
      throw new CliError(`cannot make the data directory ${location.dataDir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { store: await open(location, false), name: describeLog(location) };
  }
  return { store: await answering(await open(location, false), location), name: describeLog(location) };
};
