import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import { createAppliedProgress } from './applied-progress.js';
import type { TimelineReadModel } from './timeline-read-model.js';

export { ProjectionTimeoutError } from './applied-progress.js';

export interface Projector {
  readonly model: TimelineReadModel;
  /** Resolves once the model has applied the event at `position` (at once for null or a position passed). */
  waitFor(position: LogPosition | null, timeoutMs?: number): Promise<void>;
  /** Resolves once the model has caught up with the log's head as it is now. */
  catchUp(timeoutMs?: number): Promise<void>;
  /** True when the model is as current as it can be: nothing in the log (or the shared checkpoint) is missing. */
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

/**
 * Keeps a read model current in one process: a catch-up subscription from the start of the log rebuilds it, then
 * feeds it every new event. Writers wait for their append's position so that a mutation's answer already shows
 * what it wrote.
 */
export const startProjector = (store: EventStore, model: TimelineReadModel): Projector => {
  const subscription = store.subscribeToAll({ after: model.checkpoint ?? 'start' });
  const progress = createAppliedProgress(model);

  const running = (async () => {
    try {
      for await (const event of subscription) {
        const applied = event as TimelineEvent;
        model.apply(applied);
        progress.applied(applied);
      }
    } catch (error) {
      progress.fail(error);
    }
  })();

  return {
    model,
    waitFor: progress.waitFor,
    catchUp: async (timeoutMs) => progress.waitFor(await store.headPosition(), timeoutMs),
    isCaughtUp: async () => {
      const head = await store.headPosition();
      return progress.failure === null && (head === null || !isAfter(head, model.checkpoint));
    },
    onApplied: progress.onApplied,
    get failure() {
      return progress.failure;
    },
    stop: async () => {
      await subscription.close();
      await running;
    },
  };
};
