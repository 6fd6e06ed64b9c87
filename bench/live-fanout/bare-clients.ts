import WebSocket from 'ws';
import type { Deliveries } from './deliveries.js';
import { MEASURED_PREFIX, wallNow } from './settings.js';
import type { ChangeData } from './subscribers.js';

/** The baseline's N plain `ws` clients of the bare server, and what they saw. */

interface BareMessage {
  readonly payload?: {
    readonly data?: ChangeData;
    readonly extensions?: { readonly sentAt?: number };
  };
}

export interface BareClients {
  opened: number;
  closedEarly: number;
  malformed: number;
  /** Clients that have seen a warm-up broadcast. */
  warmCount: number;
  open(client: number): Promise<void>;
  /** Closes them all; closes from then on are not failures. */
  terminate(): void;
}

export const createBareClients = (wsUrl: string, deliveries: Deliveries): BareClients => {
  const sockets: WebSocket[] = [];
  const warmSeen = new Uint8Array(deliveries.subscribers);
  let stopping = false;
  const state: BareClients = {
    opened: 0,
    closedEarly: 0,
    malformed: 0,
    warmCount: 0,
    open: (s) => openOne(s),
    terminate: () => {
      stopping = true;
      for (const socket of sockets) socket.terminate();
    },
  };

  const onMessage = (s: number, data: WebSocket.RawData) => {
    const arrival = wallNow();
    const message = JSON.parse(data.toString()) as BareMessage;
    const id = message.payload?.data?.timelineChanges?.development?.id;
    const sentAt = message.payload?.extensions?.sentAt;
    if (id === undefined || sentAt === undefined) {
      state.malformed += 1;
    } else if (id.startsWith(MEASURED_PREFIX)) {
      const seq = Number(id.slice(MEASURED_PREFIX.length));
      deliveries.record(s, seq, arrival - sentAt, arrival, seq);
    } else if (warmSeen[s] === 0) {
      warmSeen[s] = 1;
      state.warmCount += 1;
    }
  };

  const openOne = (s: number): Promise<void> =>
    new Promise((resolve) => {
      const socket = new WebSocket(wsUrl);
      sockets.push(socket);
      socket.on('message', (data: WebSocket.RawData) => onMessage(s, data));
      socket.once('open', () => {
        state.opened += 1;
        resolve();
      });
      socket.once('close', () => {
        if (!stopping) state.closedEarly += 1;
        resolve();
      });
      socket.on('error', () => resolve());
    });

  return state;
};
