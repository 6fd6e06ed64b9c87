import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../event-store.js';

/** SQLite's primary code: SQLITE_IOERR_WRITE → SQLITE_IOERR. */
const primaryCode = (code: string): string => /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code;

/**
 * What a write to the log that SQLite refused means, as the StoreUnavailableError a caller gets (a GraphQL client
 * gets SERVICE_UNAVAILABLE with this message): the file, what is wrong with it, and whether anything was written.
 * `what` says which write it was ("append to actor-x", "batch"). Errors that are not about the file (a constraint,
 * a bug) come back as they are.
 */
export const writeFailure = (error: unknown, file: string, what: string): unknown => {
  if (!(error instanceof Database.SqliteError)) return error;
  const explain = (message: string) => new StoreUnavailableError(message, { cause: error });
  switch (primaryCode(error.code)) {
    case 'SQLITE_BUSY':
      return explain(`the event log is locked by another writer (${what})`);
    case 'SQLITE_FULL':
      return explain(
        `the event log ${file} is full: its disk has no space left, or the log reached its size limit; ` +
          `nothing was written (${what})`,
      );
    case 'SQLITE_READONLY':
      return explain(
        `the event log ${file} is read-only (a read-only file system, mount or file); nothing was written (${what})`,
      );
    case 'SQLITE_IOERR':
    case 'SQLITE_CANTOPEN':
      return explain(
        `the event log ${file} could not be written (${error.code}: ${error.message}); the write may not have gone ` +
          `through, and sending it again is safe (${what})`,
      );
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return explain(
        `the event log ${file} is damaged (${error.code}: ${error.message}); nothing was written (${what})`,
      );
    default:
      return error;
  }
};

/**
 * What a read of the log that SQLite could not do means: a damaged file (found by the start's fold, or by a query
 * of the raw log) or one it could not read, as a StoreUnavailableError naming the file. Anything else comes back as
 * it is.
 */
const readFailure = (error: unknown, file: string): unknown => {
  if (!(error instanceof Database.SqliteError)) return error;
  const explain = (message: string) => new StoreUnavailableError(message, { cause: error });
  switch (primaryCode(error.code)) {
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return explain(
        `the event log ${file} is damaged (SQLite: ${error.message}) and cannot be read whole; restore it from a backup`,
      );
    case 'SQLITE_IOERR':
    case 'SQLITE_CANTOPEN':
      return explain(`the event log ${file} could not be read (${error.code}: ${error.message})`);
    default:
      return error;
  }
};

/** `operation` (synchronous or not) with readFailure applied to what it throws. */
export const withReadFailures =
  <A extends unknown[], R>(file: string, operation: (...args: A) => R) =>
  (...args: A): R => {
    try {
      const result = operation(...args);
      if (!(result instanceof Promise)) return result;
      return result.catch((error: unknown) => {
        throw readFailure(error, file);
      }) as R;
    } catch (error) {
      throw readFailure(error, file);
    }
  };
