import type Database from 'better-sqlite3';
import type { LogPosition, RecordedEvent } from '../../../events/envelope.js';
import type { ReadAllOptions } from '../event-store.js';
import { EVENT_COLUMNS, type EventRow, positionNumber, toRecordedEvent } from './event-row.js';

/** One page of the log after a position, read synchronously: the subscription relies on nothing running meanwhile. */
export type ReadAllPage = (after: LogPosition | null | undefined, maxCount: number) => RecordedEvent[];

export const createReadAllPage = (db: Database.Database): ReadAllPage => {
  const select = db.prepare<[bigint, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
  );
  return (after, maxCount) => {
    if (!Number.isInteger(maxCount) || maxCount < 0) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
    }
    return select.all(positionNumber(after), maxCount).map(toRecordedEvent);
  };
};

export const createReadAll =
  (readPage: ReadAllPage) =>
  async ({ after, maxCount }: ReadAllOptions): Promise<RecordedEvent[]> =>
    readPage(after, maxCount);
