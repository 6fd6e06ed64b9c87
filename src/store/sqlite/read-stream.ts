import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../../events/envelope.js';
import type { ReadStreamOptions } from '../event-store.js';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.js';

export type ReadStream = (streamId: string, options?: ReadStreamOptions) => Promise<RecordedEvent[]>;

export const createReadStream = (db: Database.Database): ReadStream => {
  // LIMIT -1 is SQLite for "no limit".
  const select = db.prepare<[string, number, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
  );
  return async (streamId, { fromRevision = 0, maxCount } = {}) => {
    if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
    }
    return select.all(streamId, fromRevision, maxCount ?? -1).map(toRecordedEvent);
  };
};
