import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { LogPosition } from '../../../events/envelope.js';
import { StoreUnavailableError } from '../event-store.js';
import type { ReadHeadPosition } from './head-position.js';
import { writeFailure } from './sqlite-errors.js';

/**
 * Many appends in one SQLite transaction: one commit (one WAL frame set) for a whole batch of commands instead of
 * one per command. Each append inside still runs in its own savepoint (better-sqlite3 nests transaction functions
 * that way), so one refused append leaves the others standing.
 *
 * The batch's transaction lives across awaits, on the connection everything else in this process uses. So that no
 * one else sees rows that may yet roll back, or slips an append into a transaction it does not own, every store
 * operation that does not belong to the batch (told apart by AsyncLocalStorage) waits until the batch has ended.
 */
export interface WriteBatches {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** True while a batch is open and the caller does not belong to it: the caller must wait (see `idle`). */
  mustWait(): boolean;
  /** Resolves when no batch is open. */
  idle(): Promise<void>;
  /** Inside a batch, commit notifications wait for the batch's commit: they are collected here instead. */
  deferCommitNotice(notify: () => void): boolean;
  /** The head of the log when the open batch began: what a subscription "from the end" starts after meanwhile. */
  headBeforeBatch(): LogPosition | null;
  /**
   * Throws StoreUnavailableError when the caller's batch has lost its transaction: SQLite rolls the whole of it back
   * on some errors (a full disk, an I/O error) even inside a savepoint, and an append after that would commit on
   * its own, outside the batch.
   */
  checkIntact(): void;
}

interface OpenBatch {
  readonly token: symbol;
  readonly ended: Promise<void>;
  readonly headBefore: LogPosition | null;
  notify: (() => void) | null;
}

export const createWriteBatches = (db: Database.Database, readHead: ReadHeadPosition): WriteBatches => {
  const context = new AsyncLocalStorage<symbol>();
  let open: OpenBatch | null = null;

  const mustWait = () => open !== null && context.getStore() !== open.token;

  const idle = async (): Promise<void> => {
    while (mustWait()) await open!.ended;
  };

  const checkIntact = (): void => {
    if (open === null || context.getStore() !== open.token || db.inTransaction) return;
    throw new StoreUnavailableError(
      `the event log ${db.name} rolled back this batch after an error (a full disk, an I/O error): nothing of it ` +
        'was written',
    );
  };

  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    if (open !== null && context.getStore() === open.token) return work();
    await idle();
    try {
      // IMMEDIATE takes the write lock now, so that no other process can make the batch's checks stale.
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw writeFailure(error, db.name, 'batch');
    }
    // Nothing awaited since idle() resolved: no one else can have opened a batch, and the head is read under the lock.
    let end!: () => void;
    const batch: OpenBatch = {
      token: Symbol('write batch'),
      ended: new Promise<void>((resolve) => (end = resolve)),
      headBefore: readHead(),
      notify: null,
    };
    open = batch;
    try {
      const result = await context.run(batch.token, async () => {
        const done = await work();
        checkIntact();
        return done;
      });
      try {
        db.exec('COMMIT');
      } catch (error) {
        // A full disk may show only now, when the batch's pages go to the WAL: the whole batch rolls back below.
        throw writeFailure(error, db.name, 'batch');
      }
      batch.notify?.();
      return result;
    } finally {
      // Work that threw, or a commit that failed: nothing of the batch stays.
      if (db.inTransaction) db.exec('ROLLBACK');
      open = null;
      end();
    }
  };

  return {
    run,
    mustWait,
    idle,
    deferCommitNotice: (notify) => {
      if (open === null || context.getStore() !== open.token) return false;
      open.notify = notify;
      return true;
    },
    headBeforeBatch: () => open?.headBefore ?? null,
    checkIntact,
  };
};
