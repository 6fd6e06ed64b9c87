import { BACKWARDS, END, excludeSystemEvents, FORWARDS, START, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import { comparePositions, type LogPosition, type RecordedEvent } from '../../../events/envelope.js';
import type { ReadAllOptions } from '../event-store.js';
import { bounded } from './bounded.js';
import { toRecordedEvent } from './event-data.js';

export type ReadAll = (options: ReadAllOptions) => Promise<RecordedEvent[]>;

/** One page of $all after a position, without system events (the server filters them out). */
export const createReadAll =
  (client: KurrentDBClient, timeoutMs: number): ReadAll =>
  async ({ after, maxCount }) => {
    if (!Number.isInteger(maxCount) || maxCount < 0) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
    }
    if (maxCount === 0) return [];
    return bounded('a read of $all', timeoutMs, async (deadline) => {
      const events: RecordedEvent[] = [];
      // fromPosition is inclusive: read one more and drop the event at `after` itself.
      for await (const resolved of client.readAll({
        fromPosition: after ?? START,
        direction: FORWARDS,
        maxCount: maxCount + (after ? 1 : 0),
        filter: excludeSystemEvents(),
        deadline,
      })) {
        const event = toRecordedEvent(resolved);
        if (event && (!after || comparePositions(event.position, after) > 0)) events.push(event);
        if (events.length === maxCount) break;
      }
      return events;
    });
  };

/** The last event of the log that is not a system event. */
const createReadLast = (client: KurrentDBClient, timeoutMs: number) => async (): Promise<RecordedEvent | null> =>
  bounded('a read of the head of $all', timeoutMs, async (deadline) => {
    for await (const resolved of client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
      filter: excludeSystemEvents(),
      deadline,
    })) {
      const event = toRecordedEvent(resolved);
      if (event) return event;
    }
    return null;
  });

export type ReadHead = () => Promise<LogPosition | null>;

export const createReadHead = (client: KurrentDBClient, timeoutMs: number): ReadHead => {
  const readLast = createReadLast(client, timeoutMs);
  return async () => (await readLast())?.position ?? null;
};

export type ReadLastRecordedAt = () => Promise<Date | null>;

export const createReadLastRecordedAt = (client: KurrentDBClient, timeoutMs: number): ReadLastRecordedAt => {
  const readLast = createReadLast(client, timeoutMs);
  return async () => (await readLast())?.recordedAt ?? null;
};
