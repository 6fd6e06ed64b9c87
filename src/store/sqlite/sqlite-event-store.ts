import type { NewEvent } from '../../../events/envelope.js';
import type { AppendOptions, EventStore } from '../event-store.js';
import { createAppendToStream } from './append.js';
import { createChangeNotifier } from './change-notifier.js';
import { createReadHeadPosition } from './head-position.js';
import { createReadLastRecordedAt } from './last-recorded-at.js';
import { openDatabase } from './open-database.js';
import { createReadAll, createReadAllPage } from './read-all.js';
import { createReadStream } from './read-stream.js';
import { withReadFailures } from './sqlite-errors.js';
import { createSubscriptions } from './subscribe-to-all.js';
import { createWriteBatches } from './write-batch.js';

/** The log's file name in a data directory. */
export const DATABASE_FILE = 'timeline.db';

/**
 * The embedded event store: one SQLite file, shared safely by several processes. Each operation lives in its own
 * module and prepares its statements once, here. Every operation first waits for an open write batch of someone
 * else to end (see write-batch.ts).
 */
export const openSqliteEventStore = ({ file }: { file: string }): EventStore => {
  const db = openDatabase(file);
  const notifier = createChangeNotifier(db);
  // A damaged file shows when it is read (the start's fold reads it all): the error names the file.
  const readPage = withReadFailures(file, createReadAllPage(db));
  const readHead = withReadFailures(file, createReadHeadPosition(db));
  const batches = createWriteBatches(db, readHead);
  const subscriptions = createSubscriptions({
    readPage,
    readHead: () => (batches.mustWait() ? batches.headBeforeBatch() : readHead()),
    notifier,
    beforeRead: () => batches.idle(),
  });
  const append = createAppendToStream(db, () => {
    if (!batches.deferCommitNotice(notifier.notifyCommitted)) notifier.notifyCommitted();
  });
  /** An operation that first waits for someone else's open batch to end. */
  const afterBatches =
    <A extends unknown[], R>(operation: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> => {
      await batches.idle();
      return operation(...args);
    };
  let closed = false;

  return {
    appendToStream: afterBatches((streamId: string, events: readonly NewEvent[], options?: AppendOptions) => {
      batches.checkIntact();
      return append(streamId, events, options);
    }),
    readStream: afterBatches(withReadFailures(file, createReadStream(db))),
    readAll: afterBatches(createReadAll(readPage)),
    subscribeToAll: subscriptions.subscribeToAll,
    headPosition: afterBatches(readHead),
    lastRecordedAt: afterBatches(withReadFailures(file, createReadLastRecordedAt(db))),
    inOneCommit: (work) => batches.run(work),
    appendedElsewhere: () => {
      if (!closed) notifier.checkNow();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await subscriptions.closeAll();
      notifier.close();
      db.close();
    },
  };
};
