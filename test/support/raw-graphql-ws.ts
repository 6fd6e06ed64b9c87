import type { Socket } from 'node:net';
import WebSocket from 'ws';

/**
 * A hand-made graphql-transport-ws client over a raw `ws` socket: it shows every message the server sends as it
 * came (an `error` message is not a close), and it can stop reading from the kernel to play a stuck subscriber.
 */

export interface RawMessage {
  readonly type: string;
  readonly id?: string;
  readonly payload?: unknown;
}

export interface RawGraphQLWs {
  readonly socket: WebSocket;
  /** Every message received, in order, after connection_ack. */
  readonly messages: RawMessage[];
  /** Set once the socket closed. */
  readonly closed: () => { code: number; reason: string } | null;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  complete(id: string): void;
  /** Resolves once `predicate` holds over the messages received so far; rejects after the timeout. */
  until(predicate: (messages: RawMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Stops reading from the TCP socket: what the server sends backs up in the kernel and then in the server. */
  stopReading(): void;
  resumeReading(): void;
  close(): Promise<void>;
}

const PROTOCOL = 'graphql-transport-ws';

export const openRawGraphQLWs = async (
  httpUrl: string,
  connectionParams: Record<string, unknown> = {},
): Promise<RawGraphQLWs> => {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), PROTOCOL);
  const messages: RawMessage[] = [];
  let closed: { code: number; reason: string } | null = null;
  let acked: () => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const ack = new Promise<void>((resolve, reject) => {
    acked = resolve;
    failed = reject;
  });
  socket.on('message', (raw: WebSocket.RawData) => {
    const message = JSON.parse(raw.toString()) as RawMessage;
    if (message.type === 'connection_ack') return acked();
    if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
    messages.push(message);
  });
  socket.on('close', (code: number, reason: Buffer) => {
    closed = { code, reason: reason.toString() };
    failed(new Error(`socket closed before connection_ack: ${code} ${reason.toString()}`));
  });
  socket.on('error', (error: Error) => failed(error));
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
  await ack;

  // ws resumes the TCP socket itself once its frame parser drains; a stuck reader must stay stuck.
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  let stuck = false;
  tcp.on('resume', () => {
    if (stuck) tcp.pause();
  });

  const client: RawGraphQLWs = {
    socket,
    messages,
    closed: () => closed,
    subscribe: (id, query, variables = {}) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    complete: (id) => socket.send(JSON.stringify({ id, type: 'complete' })),
    until: (predicate, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const look = () => {
          if (predicate(messages)) return resolve();
          if (Date.now() - started > timeoutMs) {
            return reject(
              new Error(
                `timed out with ${messages.length} messages (last: ${JSON.stringify(messages.at(-1))?.slice(0, 500)})`,
              ),
            );
          }
          setTimeout(look, 5);
        };
        look();
      }),
    stopReading: () => {
      stuck = true;
      tcp.pause();
    },
    resumeReading: () => {
      stuck = false;
      tcp.resume();
    },
    close: async () => {
      if (closed) return;
      const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.close(1000, 'test done');
      await done;
    },
  };
  return client;
};
