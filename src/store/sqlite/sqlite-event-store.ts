import type { EventStore } from '../event-store.js';
import { createAppendToStream } from './append.js';
import { createChangeNotifier } from './change-notifier.js';
import { createReadHeadPosition } from './head-position.js';
import { openDatabase } from './open-database.js';
import { createReadAll, createReadAllPage } from './read-all.js';
import { createReadStream } from './read-stream.js';
import { createSubscriptions } from './subscribe-to-all.js';

/** The log's file name in a data directory. */
export const DATABASE_FILE = 'timeline.db';

/**
 * The embedded event store: one SQLite file, shared safely by several processes. Each operation lives in its own
 * module and prepares its statements once, here.
 */
export const openSqliteEventStore = ({ file }: { file: string }): EventStore => {
  const db = openDatabase(file);
  const notifier = createChangeNotifier(db);
  const readPage = createReadAllPage(db);
  const readHead = createReadHeadPosition(db);
  const subscriptions = createSubscriptions({ readPage, readHead, notifier });
  let closed = false;

  return {
    appendToStream: createAppendToStream(db, notifier.notifyCommitted),
    readStream: createReadStream(db),
    readAll: createReadAll(readPage),
    subscribeToAll: subscriptions.subscribeToAll,
    headPosition: async () => readHead(),
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
