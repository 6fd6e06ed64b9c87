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

/** The subscribers' state, with what only this module touches. */
interface Tally extends Subscribers {
  readonly deliveries: Deliveries;
  readonly warmSeen: Uint8Array;
  readonly clients: Client[];
  disposing: boolean;
}

// The cheapest handler that does the job: a timestamp, an id, a few array writes.
const onChange = (tally: Tally, s: number, change: ChangeData['timelineChanges'], arrival: number) => {
  const { deliveries } = tally;
  const id = change?.development?.id;
  if (id === undefined) {
    deliveries.unexpected += 1;
  } else if (id.startsWith(MEASURED_PREFIX)) {
    deliveries.record(s, Number(id.slice(MEASURED_PREFIX.length)), arrival, arrival, change?.cursor ?? '');
  } else if (id.startsWith(WARM_PREFIX)) {
    if (tally.warmSeen[s] === 0) {
      tally.warmSeen[s] = 1;
      tally.attached += 1;
    }
  } else {
    deliveries.unexpected += 1;
  }
};

// One subscriber also keeps the raw size of what it receives, the baseline's message size.
const sizeOf = (tally: Tally, message: Message) => {
  if (message.type !== 'next') return;
  const id = (message.payload.data as ChangeData | undefined)?.timelineChanges?.development?.id;
  if (!id?.startsWith(MEASURED_PREFIX)) return;
  tally.frames.count += 1;
  tally.frames.bytes += Buffer.byteLength(JSON.stringify(message));
  tally.frames.sample = message;
};

const failed = (tally: Tally, message: string) => {
  tally.errors += 1;
  firstFew(tally.errorMessages, message);
};

/** Resolves once the subscriber is connected, or has failed. */
const openSubscriber = (tally: Tally, wsUrl: string, s: number): Promise<void> =>
  new Promise((resolve) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      on: {
        connected: () => {
          tally.connected += 1;
          resolve();
        },
        closed: () => {
          if (!tally.disposing) tally.closedEarly += 1;
          resolve();
        },
        ...(s === 0 ? { message: (message: Message) => sizeOf(tally, message) } : {}),
      },
    });
    tally.clients.push(client);
    // lazy: the subscription opens the socket at once, with connection_init and then subscribe.
    client.subscribe<ChangeData>(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          const arrival = wallNow();
          if (result.errors) failed(tally, result.errors.map((error) => error.message).join('; '));
          onChange(tally, s, result.data?.timelineChanges, arrival);
        },
        error: (error) => {
          if (tally.disposing) return;
          failed(tally, error instanceof Error ? error.message : JSON.stringify(error));
          resolve();
        },
        complete: () => {
          if (!tally.disposing) tally.completed += 1;
        },
      },
    );
  });

const disposeAll = async (tally: Tally): Promise<void> => {
  tally.disposing = true;
  await Promise.race([
    Promise.all(tally.clients.map((client) => Promise.resolve(client.dispose()).catch(() => undefined))),
    sleep(10_000),
  ]);
};

export const createSubscribers = (wsUrl: string, deliveries: Deliveries): Subscribers => {
  const tally: Tally = {
    attached: 0,
    connected: 0,
    closedEarly: 0,
    completed: 0,
    errors: 0,
    errorMessages: [],
    frames: { count: 0, bytes: 0, sample: null },
    open: (s) => openSubscriber(tally, wsUrl, s),
    dispose: () => disposeAll(tally),
    deliveries,
    warmSeen: new Uint8Array(deliveries.subscribers),
    clients: [],
    disposing: false,
  };
  return tally;
};
