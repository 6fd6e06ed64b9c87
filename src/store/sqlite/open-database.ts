import { accessSync, closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, whyNotOurs } from './migrate.js';

/** How long a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 5000;
/** Negative: KiB rather than pages. 64 MiB per connection. */
export const CACHE_SIZE_KIB = -65_536;

/**
 * The file where the log should be cannot be used as one: another application's database, something that is not
 * a database, a damaged copy, a directory SQLite cannot work in. Nothing in the file was changed.
 */
export class UnusableEventLogError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnusableEventLogError';
  }
}

const LEFT_ALONE =
  'nothing in it was changed. Move it away (a new log is made where there is none), or point TIMELINE_DATA_DIR ' +
  '(--data-dir) at the directory that holds the timeline';

/** Every SQLite database starts with these 16 bytes. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** The first bytes of the file, or null when there is no file or it is empty (a new log). */
const firstBytes = (file: string): Buffer | null => {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch {
    // Missing (a new log), or something SQLite will name better when it fails to open it.
    return null;
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile() || stats.size === 0) return null;
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return head.subarray(0, readSync(descriptor, head, 0, head.length, 0));
  } finally {
    closeSync(descriptor);
  }
};

const isWritable = (target: string): boolean => {
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** An error of SQLite's while opening, as a message naming the file and what the operator can do. */
const openFailure = (error: unknown, file: string): unknown => {
  if (!(error instanceof Database.SqliteError)) return error;
  const unusable = (message: string) => new UnusableEventLogError(message, { cause: error });
  const sqlite = `SQLite: ${error.message}`;
  const code = error.code;
  if (code.startsWith('SQLITE_NOTADB')) return unusable(`${file} is not an SQLite database (${sqlite}); ${LEFT_ALONE}`);
  if (code.startsWith('SQLITE_CORRUPT')) {
    return unusable(
      `${file} is damaged (${sqlite}), e.g. cut short by a copy that did not finish, and cannot be read as an ` +
        `event log; ${LEFT_ALONE}, or restore it from a backup`,
    );
  }
  if (!isWritable(path.dirname(file))) {
    const base = path.basename(file);
    if (firstBytes(file) === null) {
      return unusable(`cannot make the event log ${file}: its directory is read-only (${sqlite})`);
    }
    if (code.startsWith('SQLITE_CANTOPEN')) {
      return unusable(
        `cannot open the event log ${file}: its directory is read-only, and SQLite must create ${base}-wal and ` +
          `${base}-shm beside the log to read it (they are there only while a server has it open) (${sqlite}); ` +
          'make the data directory writable',
      );
    }
    if (code.startsWith('SQLITE_READONLY')) {
      return unusable(
        `cannot open the event log ${file}: it is read-only, and this version must first bring its schema up to ` +
          `date (${sqlite}); make the data directory writable`,
      );
    }
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return unusable(`the event log ${file} is locked by another process (${sqlite}); try again when it is done`);
  }
  return unusable(`cannot open the event log ${file} (${error.code}: ${error.message})`);
};

/**
 * Before anything is written to an existing file, make sure it is a log of ours (or an empty database): a pragma or
 * a migration would change another application's database, and a write to a damaged file can only make it worse.
 * A read-only connection: it neither rolls back another application's journal nor checkpoints its WAL into it.
 */
const checkIsOurs = (file: string): void => {
  const head = firstBytes(file);
  if (head === null) return;
  if (!head.equals(SQLITE_MAGIC)) {
    throw new UnusableEventLogError(
      `${file} is not an SQLite database (it does not start with "SQLite format 3"), so it is not an event log ` +
        `of this server; ${LEFT_ALONE}`,
    );
  }
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const why = whyNotOurs(db);
    if (why?.newer) {
      throw new UnusableEventLogError(
        `the event log ${file} was written by a newer version of this server: ${why.reason}; nothing in it was ` +
          'changed. Run that version on it',
      );
    }
    if (why) {
      throw new UnusableEventLogError(`${file} is not an event log of this server: ${why.reason}; ${LEFT_ALONE}`);
    }
  } finally {
    db.close();
  }
};

export const openDatabase = (file: string): Database.Database => {
  let db: Database.Database;
  try {
    checkIsOurs(file);
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw openFailure(error, file);
  }
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
    throw openFailure(error, file);
  }
};
