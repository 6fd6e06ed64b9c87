import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import type { TimelineReadModel } from './timeline-read-model.js';

export interface Projector {
  readonly model: TimelineReadModel;
  /** Resolves once the model has applied the event at `position` (at once for null or a position passed). */
  waitFor(position: LogPosition | null, timeoutMs?: number): Promise<void>;
  /** Resolves once the model has caught up with the log's head as it is now. */
  catchUp(timeoutMs?: number): Promise<void>;
  /** True when nothing in the log is missing from the model. */
  isCaughtUp(): Promise<boolean>;
  /**
   * Calls `listener` with every event right after the model applied it, synchronously, so that a listener that
   * reads model.checkpoint and then registers misses nothing and sees nothing twice. Returns the unsubscribe.
   */
  onApplied(listener: (event: TimelineEvent) => void): () => void;
  /** The error that stopped the projection, if any. */
  readonly failure: Error | null;
  stop(): Promise<void>;
}

interface Waiter {
  readonly position: LogPosition;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class ProjectionTimeoutError extends Error {
  constructor(position: LogPosition, timeoutMs: number) {
    super(`the read model did not reach position ${position.commit} within ${timeoutMs} ms`);
    this.name = 'ProjectionTimeoutError';
  }
}

/**
 * Keeps a read model current: a catch-up subscription from the start of the log rebuilds it, then feeds it every
 * new event. Writers wait for their append's position so that a mutation's answer already shows what it wrote.
 */
export const startProjector = (store: EventStore, model: TimelineReadModel): Projector => {
  const subscription = store.subscribeToAll({ after: model.checkpoint ?? 'start' });
  let waiters: Waiter[] = [];
  let failure: Error | null = null;
  const listeners = new Set<(event: TimelineEvent) => void>();

  const settle = () => {
    if (waiters.length === 0) return;
    const reached = (waiter: Waiter) => !isAfter(waiter.position, model.checkpoint);
    for (const waiter of waiters.filter(reached)) waiter.resolve();
    waiters = waiters.filter((waiter) => !reached(waiter));
  };

  const running = (async () => {
    try {
      for await (const event of subscription) {
        const applied = event as TimelineEvent;
        model.apply(applied);
        settle();
        for (const listener of listeners) listener(applied);
      }
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      for (const waiter of waiters) waiter.reject(failure);
      waiters = [];
    }
  })();

  const waitFor = (position: LogPosition | null, timeoutMs = 10_000): Promise<void> => {
    if (failure) return Promise.reject(failure);
    if (position === null || !isAfter(position, model.checkpoint)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((waiter) => waiter.resolve !== done);
        reject(new ProjectionTimeoutError(position, timeoutMs));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiters.push({
        position,
        resolve: done,
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  };

  return {
    model,
    waitFor,
    catchUp: async (timeoutMs) => waitFor(await store.headPosition(), timeoutMs),
    isCaughtUp: async () => {
      const head = await store.headPosition();
      return failure === null && (head === null || !isAfter(head, model.checkpoint));
    },
    onApplied: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get failure() {
      return failure;
    },
    stop: async () => {
      await subscription.close();
      await running;
    },
  };
};
