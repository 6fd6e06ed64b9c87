import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { DevelopmentChange } from './project-batch.js';

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

/** Told each event once the read models hold it; a development event comes with its versions around it. */
export type AppliedListener = (event: TimelineEvent, change: DevelopmentChange | undefined) => void;

/**
 * What every way of feeding a read model shares: writers waiting for their append's position, listeners told of
 * each event right after the model applied it, and the error that stopped the feed.
 */
export interface AppliedProgress {
  waitFor(position: LogPosition | null, timeoutMs?: number): Promise<void>;
  onApplied(listener: AppliedListener): () => void;
  /** To call right after the read models took `event` (a development's change with it). */
  applied(event: TimelineEvent, change?: DevelopmentChange): void;
  /** To call when the checkpoint moved without events to hand on (a process starting on read models already there). */
  reached(): void;
  /** Whether any listener would miss events that were not handed on. */
  readonly listening: boolean;
  fail(error: unknown): void;
  readonly failure: Error | null;
}

export const createAppliedProgress = (checkpoint: () => LogPosition | null): AppliedProgress => {
  let waiters: Waiter[] = [];
  let failure: Error | null = null;
  const listeners = new Set<AppliedListener>();

  const settle = () => {
    if (waiters.length === 0) return;
    const reached = (waiter: Waiter) => !isAfter(waiter.position, checkpoint());
    for (const waiter of waiters.filter(reached)) waiter.resolve();
    waiters = waiters.filter((waiter) => !reached(waiter));
  };

  return {
    waitFor: (position, timeoutMs = 10_000) => {
      if (failure) return Promise.reject(failure);
      if (position === null || !isAfter(position, checkpoint())) return Promise.resolve();
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
    applied: (event, change) => {
      settle();
      for (const listener of listeners) listener(event, change);
    },
    reached: settle,
    fail: (error) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
      for (const waiter of waiters) waiter.reject(failure);
      waiters = [];
    },
    get failure() {
      return failure;
    },
    get listening() {
      return listeners.size > 0;
    },
  };
};
