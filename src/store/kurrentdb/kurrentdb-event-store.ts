import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { EventStore } from '../event-store.js';
import { createAppendToStream } from './append.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './bounded.js';
import { createReadAll, createReadHead, createReadLastRecordedAt } from './read-all.js';
import { createReadStream } from './read-stream.js';
import { createSubscribeToAll } from './subscribe-to-all.js';

export interface KurrentDbStoreOptions {
  /** A KurrentDB connection string, e.g. kurrentdb://localhost:2113?tls=false */
  readonly url: string;
  /** Our bound on every call (see bounded.ts). */
  readonly callTimeoutMs?: number;
}

/**
 * The production event store: streams as docs/architecture.md ("Streams and events") names them, log positions
 * (commit, prepare) from $all as the contract's cursors, system events left out by a server-side filter. One
 * operation per module.
 */
export const openKurrentDbEventStore = ({
  url,
  callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS,
}: KurrentDbStoreOptions): EventStore => {
  const client = KurrentDBClient.connectionString(url);
  const readStream = createReadStream(client, callTimeoutMs);
  const subscriptions = new Set<{ close(): Promise<void> }>();
  const subscribe = createSubscribeToAll(client);
  const lastRecordedAt = createReadLastRecordedAt(client, callTimeoutMs);
  return {
    appendToStream: createAppendToStream(client, readStream, lastRecordedAt, callTimeoutMs),
    readStream,
    readAll: createReadAll(client, callTimeoutMs),
    headPosition: createReadHead(client, callTimeoutMs),
    lastRecordedAt,
    subscribeToAll: (options) => {
      const subscription = subscribe(options);
      subscriptions.add(subscription);
      return {
        [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
        close: async () => {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },
    close: async () => {
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await client.dispose();
    },
  };
};
