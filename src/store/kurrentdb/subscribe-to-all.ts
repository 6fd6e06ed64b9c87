import { END, excludeSystemEvents, START, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { RecordedEvent } from '../../../events/envelope.js';
import { StoreUnavailableError, type LogSubscription, type SubscribeOptions } from '../event-store.js';
import { toRecordedEvent } from './event-data.js';

/**
 * A catch-up subscription to $all without system events: the server replays from the start position (exclusive)
 * and goes on live in the same stream, so there is no hand-over of our own where an event could slip.
 */
export const createSubscribeToAll =
  (client: KurrentDBClient) =>
  ({ after }: SubscribeOptions): LogSubscription => {
    const subscription = client.subscribeToAll({
      fromPosition: after === 'start' ? START : after === 'end' ? END : after,
      filter: excludeSystemEvents(),
    });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await subscription.unsubscribe();
    };
    async function* events(): AsyncGenerator<RecordedEvent> {
      try {
        for await (const resolved of subscription) {
          const event = toRecordedEvent(resolved);
          if (event) yield event;
        }
      } catch (error) {
        if (closed) return;
        throw new StoreUnavailableError(`the subscription to KurrentDB broke: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        await close();
      }
    }
    const iterator = events();
    return { [Symbol.asyncIterator]: () => iterator, close };
  };
