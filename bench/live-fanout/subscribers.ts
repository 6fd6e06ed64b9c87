import { createClient, type Client, type Message } from 'graphql-ws';
import WebSocket from 'ws';
import { sleep } from '../support/waiting.js';
import type { Deliveries } from './deliveries.js';
import { firstFew } from './error-notes.js';
import { MEASURED_PREFIX, WARM_PREFIX, wallNow } from './settings.js';
import { SUBSCRIPTION } from './timeline-api.js';

/** The timeline's N graphql-ws subscribers to `timelineChanges`, and what they saw. */

export interface ChangeData {
  readonly timelineChanges?: {
    readonly cursor?: string;
    readonly development?: { readonly id?: string } | null;
  } | null;
}

export interface Subscribers {
  /** Subscribers that have seen a warm-up change: their subscription is in place. */
  attached: number;
  connected: number;
  closedEarly: number;
  completed: number;
  errors: number;
  readonly errorMessages: string[];
  /** What subscriber 0 received raw: the size of the measured `next` frames, and the last one. */
  readonly frames: { count: number; bytes: number; sample: Message | null };
  open(subscriber: number): Promise<void>;
  /** Closes them all; closes from then on are not failures. */
  dispose(): Promise<void>;
}

export const createSubscribers = (wsUrl: string, deliveries: Deliveries): Subscribers => {
  const warmSeen = new Uint8Array(deliveries.subscribers);
  const clients: Client[] = [];
  let disposing = false;
  const state: Subscribers = {
    attached: 0,
    connected: 0,
    closedEarly: 0,
    completed: 0,
    errors: 0,
    errorMessages: [],
    frames: { count: 0, bytes: 0, sample: null },
    open: (s) => openOne(s),
    dispose: async () => {
      disposing = true;
      await Promise.race([
        Promise.all(clients.map((client) => Promise.resolve(client.dispose()).catch(() => undefined))),
        sleep(10_000),
      ]);
    },
  };

  // The cheapest handler that does the job: a timestamp, an id, a few array writes.
  const onChange = (s: number, change: ChangeData['timelineChanges'], arrival: number) => {
    const id = change?.development?.id;
    if (id === undefined) {
      deliveries.unexpected += 1;
    } else if (id.startsWith(MEASURED_PREFIX)) {
      deliveries.record(s, Number(id.slice(MEASURED_PREFIX.length)), arrival, arrival, change?.cursor ?? '');
    } else if (id.startsWith(WARM_PREFIX)) {
      if (warmSeen[s] === 0) {
        warmSeen[s] = 1;
        state.attached += 1;
      }
    } else {
      deliveries.unexpected += 1;
    }
  };

  // One subscriber also keeps the raw size of what it receives, the baseline's message size.
  const sizeOf = (message: Message) => {
    if (message.type !== 'next') return;
    const id = (message.payload.data as ChangeData | undefined)?.timelineChanges?.development?.id;
    if (!id?.startsWith(MEASURED_PREFIX)) return;
    state.frames.count += 1;
    state.frames.bytes += Buffer.byteLength(JSON.stringify(message));
    state.frames.sample = message;
  };

  const failed = (message: string) => {
    state.errors += 1;
    firstFew(state.errorMessages, message);
  };

  const openOne = (s: number): Promise<void> =>
    new Promise((resolve) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 0,
        on: {
          connected: () => {
            state.connected += 1;
            resolve();
          },
          closed: () => {
            if (!disposing) state.closedEarly += 1;
            resolve();
          },
          ...(s === 0 ? { message: sizeOf } : {}),
        },
      });
      clients.push(client);
      // lazy: the subscription opens the socket at once, with connection_init and then subscribe.
      client.subscribe<ChangeData>(
        { query: SUBSCRIPTION },
        {
          next: (result) => {
            const arrival = wallNow();
            if (result.errors) failed(result.errors.map((error) => error.message).join('; '));
            onChange(s, result.data?.timelineChanges, arrival);
          },
          error: (error) => {
            if (disposing) return;
            failed(error instanceof Error ? error.message : JSON.stringify(error));
            resolve();
          },
          complete: () => {
            if (!disposing) state.completed += 1;
          },
        },
      );
    });

  return state;
};
