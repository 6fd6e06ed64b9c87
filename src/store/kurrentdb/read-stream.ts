import { FORWARDS, StreamNotFoundError, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { RecordedEvent } from '../../../events/envelope.js';
import type { ReadStreamOptions } from '../event-store.js';
import { bounded } from './bounded.js';
import { toRecordedEvent } from './event-data.js';

export type ReadStream = (streamId: string, options?: ReadStreamOptions) => Promise<RecordedEvent[]>;

export const createReadStream =
  (client: KurrentDBClient, timeoutMs: number): ReadStream =>
  async (streamId, { fromRevision = 0, maxCount } = {}) => {
    if (maxCount !== undefined && (!Number.isInteger(maxCount) || maxCount < 0)) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
    }
    if (maxCount === 0) return [];
    return bounded(`a read of ${streamId}`, timeoutMs, async (deadline) => {
      const events: RecordedEvent[] = [];
      try {
        for await (const resolved of client.readStream(streamId, {
          fromRevision: BigInt(fromRevision),
          direction: FORWARDS,
          ...(maxCount !== undefined && { maxCount }),
          deadline,
        })) {
          const event = toRecordedEvent(resolved);
          if (event) events.push(event);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
      return events;
    });
  };
