import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { requestLogger } from '../observability/request-log.js';
import type { EventStore } from '../store/event-store.js';
import { encodePosition } from '../store/position-cursor.js';

export const APPENDS_CHANNEL = 'diplomatic-timeline:appended';

export interface RedisAnnouncer {
  /** The store, announcing each append it makes to every process that listens. */
  readonly store: EventStore;
  close(): Promise<void>;
}

/**
 * Redis pub/sub as a doorbell between server processes that share a log: an append rings it, and every process
 * reads its log at once instead of at its next poll. The message is a hint and nothing more: what a subscriber
 * receives is always read from the log after its last position, so a lost message only costs a poll interval and a
 * duplicate only an empty read. Publishing and subscribing use separate connections, as Redis requires.
 */
export const startRedisAnnouncer = (url: string, store: EventStore, logger: Logger): RedisAnnouncer => {
  // A publish must never hold a write up: with Redis away it fails at once and the write stands.
  const publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url);
  for (const [role, connection] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    connection.on('error', (error: Error) => logger.warn({ err: error, role }, 'redis connection trouble'));
  }
  subscriber.on('message', (channel: string) => {
    if (channel === APPENDS_CHANNEL) store.appendedElsewhere?.();
  });
  // ioredis subscribes again by itself after a reconnect.
  subscriber
    .subscribe(APPENDS_CHANNEL)
    .catch((error: unknown) => logger.warn({ err: error }, 'redis subscribe failed'));

  const announcing: EventStore = {
    ...store,
    appendToStream: async (streamId, events, options) => {
      const result = await store.appendToStream(streamId, events, options);
      publisher
        .publish(APPENDS_CHANNEL, encodePosition(result.position))
        .catch((error: unknown) =>
          requestLogger(logger).debug({ err: error }, 'append not announced; other processes poll'),
        );
      return result;
    },
  };
  return {
    store: announcing,
    close: async () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
};
