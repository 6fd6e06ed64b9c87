import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { withEventCatalog } from '../store/catalog-store.js';
import type { EventStore } from '../store/event-store.js';
import { UnusableEventLogError } from '../store/sqlite/open-database.js';
import { DATABASE_FILE, openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';
import { CliError } from './errors.js';

/**
 * The log an import writes to: the data directory's, made when missing (importing into an empty store is how a
 * timeline is moved or restored). A server started on it later does not load the seed: the log is not empty.
 */
export const openStoreForImport = (dataDir: string): { store: EventStore; file: string } => {
  const file = path.join(dataDir, DATABASE_FILE);
  try {
    mkdirSync(dataDir, { recursive: true });
    return { store: withEventCatalog(openSqliteEventStore({ file })), file };
  } catch (error) {
    // It names the file and what is wrong with it already.
    if (error instanceof UnusableEventLogError) throw new CliError(error.message, { cause: error });
    throw new CliError(`cannot open the event log ${file}: ${(error as Error).message}`, { cause: error });
  }
};
