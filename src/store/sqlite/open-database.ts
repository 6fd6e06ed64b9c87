import Database from 'better-sqlite3';
import { migrate } from './migrate.js';

/** How long a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 5000;
/** Negative: KiB rather than pages. 64 MiB per connection. */
export const CACHE_SIZE_KIB = -65_536;

export const openDatabase = (file: string): Database.Database => {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL lets readers (subscriptions, other processes) go on while one process appends.
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL can only lose the last commits on power loss, never corrupt the file.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // The indexes a command reads (event ids, streams) outgrow SQLite's default 2 MB cache past ~100k events.
    db.pragma(`cache_size = ${CACHE_SIZE_KIB}`);
    // Positions are 64-bit: read every integer as a bigint and narrow revisions and times where they are used.
    db.defaultSafeIntegers(true);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
};
