import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Collected<T> {
  readonly items: T[];
  readonly errors: unknown[];
  completed: boolean;
  /** Resolves once `predicate` holds over what arrived, or rejects after the timeout. */
  until(predicate: (items: T[]) => boolean, timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

/** A real graphql-ws client over a real socket, through `ws` as most Node programs that use graphql-ws do. */
export const wsClient = (httpUrl: string, key?: string): Client =>
  createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
  });

/** Subscribes and collects every `data` (and every error) that arrives. */
export const collect = <T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Collected<T> => {
  const collected: Collected<T> = {
    items: [],
    errors: [],
    completed: false,
    until: (predicate, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const look = () => {
          if (predicate(collected.items)) return resolve();
          if (Date.now() - started > timeoutMs) {
            return reject(
              new Error(`timed out with ${collected.items.length} items, errors ${JSON.stringify(collected.errors)}`),
            );
          }
          setTimeout(look, 5);
        };
        look();
      }),
    unsubscribe: () => undefined,
  };
  collected.unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) collected.errors.push(...result.errors);
        if (result.data) collected.items.push(result.data as T);
      },
      error: (error) => collected.errors.push(error),
      complete: () => (collected.completed = true),
    },
  );
  return collected;
};
