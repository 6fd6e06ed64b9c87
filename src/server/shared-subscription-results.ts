import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { TimelineError } from '../application/errors.js';

/** What makes two ticks of two subscribers the same tick: e.g. the cursor of a change. */
export type TickKey = (payload: unknown) => string | null;

interface Shared {
  readonly result: Promise<ExecutionResult> | ExecutionResult;
  readonly at: number;
}

/**
 * A tick the server failed to serve (its read models away longer than the resolver waits, a bug): an error that is
 * not a refusal of the client's. Going on after it would skip a change the client never saw, so the feed ends with
 * it, and the client resumes from the last cursor it got, as after SUBSCRIBER_TOO_SLOW.
 */
const failedOnServer = (result: ExecutionResult): boolean =>
  result.errors?.some((error) => !(error.originalError instanceof TimelineError)) ?? false;

/**
 * A thousand dashboards subscribed with the same query get the same change: the selection set is executed once per
 * change and query, and the result shared, rather than once per subscriber. Results are kept for `ttlMs`, long
 * enough for every subscriber that keeps up to take its copy; one that comes later executes afresh. Ticks without
 * a key (the error that closes a slow subscriber) are executed for each subscriber.
 */
export const sharingSubscribe = (tickKey: TickKey, ttlMs = 2_000, maxEntries = 10_000) => {
  const cache = new Map<string, Shared>();
  const evict = (now: number) => {
    for (const [key, shared] of cache) {
      if (now - shared.at <= ttlMs && cache.size <= maxEntries) break;
      cache.delete(key);
    }
  };

  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const operation = print(args.document) + JSON.stringify(args.variableValues ?? {}) + (args.operationName ?? '');
    const iterator = source[Symbol.asyncIterator]();

    const resultOf = (payload: unknown): Promise<ExecutionResult> | ExecutionResult => {
      const tick = tickKey(payload);
      const run = () => execute({ ...args, rootValue: payload }) as Promise<ExecutionResult> | ExecutionResult;
      if (tick === null) return run();
      const key = `${operation}\u0000${tick}`;
      const now = Date.now();
      const shared = cache.get(key);
      if (shared && now - shared.at <= ttlMs) return shared.result;
      const result = run();
      cache.set(key, { result, at: now });
      evict(now);
      return result;
    };

    let ended = false;
    const results: AsyncGenerator<ExecutionResult> = {
      next: async () => {
        if (ended) return { done: true, value: undefined };
        const next = await iterator.next();
        if (next.done) return { done: true, value: undefined };
        const value = await resultOf(next.value);
        if (failedOnServer(value)) {
          ended = true;
          await iterator.return?.();
        }
        return { done: false, value };
      },
      // Leaving must reach the source at once: it may be waiting for a live event that never comes.
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      throw: async (error) => {
        await iterator.return?.();
        throw error;
      },
      [Symbol.asyncIterator]: () => results,
      [Symbol.asyncDispose]: async () => {
        await results.return(undefined);
      },
    };
    return results;
  };
};
