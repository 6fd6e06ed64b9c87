import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { TimelineReadModel } from './timeline-read-model.js';

export class ProjectionTimeoutError extends Error {
  constructor(position: LogPosition, timeoutMs: number) {
    super(`the read model did not reach position ${position.commit} within ${timeoutMs} ms`);
    this.name = 'ProjectionTimeoutError';
  }
}

interface Waiter {
  readonly position: LogPosition;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * What every way of feeding a read model shares: writers waiting for their append's position, listeners told of
 * each event right after the model applied it, and the error that stopped the feed.
 */
export interface AppliedProgress {
  waitFor(position: LogPosition | null, timeoutMs?: number): Promise<void>;
  onApplied(listener: (event: TimelineEvent) => void): () => void;
  /** To call right after the model applied `event`. */
  applied(event: TimelineEvent): void;
  fail(error: unknown): void;
  readonly failure: Error | null;
}

export const createAppliedProgress = (model: TimelineReadModel): AppliedProgress => {
  let waiters: Waiter[] = [];
  let failure: Error | null = null;
  const listeners = new Set<(event: TimelineEvent) => void>();

  const settle = () => {
    if (waiters.length === 0) return;
    const reached = (waiter: Waiter) => !isAfter(waiter.position, model.checkpoint);
    for (const waiter of waiters.filter(reached)) waiter.resolve();
    waiters = waiters.filter((waiter) => !reached(waiter));
  };

  return {
    waitFor: (position, timeoutMs = 10_000) => {
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
    },
    onApplied: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    applied: (event) => {
      settle();
      for (const listener of listeners) listener(event);
    },
    fail: (error) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
      for (const waiter of waiters) waiter.reject(failure);
      waiters = [];
    },
    get failure() {
      return failure;
    },
  };
};
