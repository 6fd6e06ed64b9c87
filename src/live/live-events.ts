import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { Projector } from '../projections/projector.js';
import type { EventStore } from '../store/event-store.js';
import type { EntityHistory } from '../time-travel/entity-history.js';
import { createBoundedQueue } from './bounded-queue.js';

export type StreamPhase = 'REPLAY' | 'LIVE';

export interface LiveEvent {
  readonly event: TimelineEvent;
  readonly phase: StreamPhase;
}

/** Ends a subscription whose reader fell further behind than its buffer allows. */
export const TOO_SLOW = Symbol('subscriber too slow');

export interface LiveSources {
  readonly store: EventStore;
  readonly projector: Projector;
  readonly history: EntityHistory;
}

export interface LiveEventsOptions {
  /** 'live': only what is applied from now on; null: the whole log first; a position: the log after it first. */
  readonly after: LogPosition | null | 'live';
  /** Cheap pre-selection of the events worth buffering for this subscriber (its exact test comes later). */
  readonly select: (event: TimelineEvent) => boolean;
  readonly bufferLimit: number;
  readonly replayPageSize?: number;
  /** Aborted when the subscriber leaves: it ends a wait for the next live event at once. */
  readonly signal?: AbortSignal;
}

/**
 * An async generator that waits on something cannot be stopped from outside: its return() queues behind the wait.
 * This wrapper aborts the signal the generator listens to before asking it to return, so a subscriber that leaves
 * a quiet feed is let go at once rather than at the next event that would have reached it.
 */
export const stoppable = <T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> => {
  const controller = new AbortController();
  const inner = start(controller.signal);
  const outer: AsyncGenerator<T> = {
    next: (...args) => inner.next(...args),
    return: (value) => {
      controller.abort();
      return inner.return(value);
    },
    throw: (error) => {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => outer,
  };
  return outer;
};

/**
 * The events of the log after a point, replayed from the store (phase REPLAY) and then pushed by the projector as
 * it applies them (phase LIVE), in log order, each once.
 *
 * The replay reads the store up to the read model's checkpoint, never past it, so that every event it yields can be
 * served "as of now" from the read model. When it reaches the checkpoint it attaches to the projector in the same
 * synchronous step: the projector applies nothing in between, so what it pushes next is exactly what follows.
 * Positions already yielded are skipped, which also covers a client cursor that runs ahead of this process.
 */
export async function* liveEvents(
  { store, projector, history }: LiveSources,
  options: LiveEventsOptions,
): AsyncGenerator<LiveEvent | typeof TOO_SLOW> {
  let last: LogPosition | null = options.after === 'live' ? history.checkpoint : options.after;
  const queue = createBoundedQueue<TimelineEvent>(options.bufferLimit);
  let detach: (() => void) | undefined;
  const reachedCheckpoint = () => history.checkpoint === null || (last !== null && !isAfter(history.checkpoint, last));
  const stop = () => queue.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      if (options.after === 'live' || reachedCheckpoint()) {
        detach = projector.onApplied((event) => {
          if (options.select(event) && !queue.push(event)) detach?.();
        });
        break;
      }
      const page = await store.readAll({ after: last, maxCount: options.replayPageSize ?? 256 });
      for (const event of page) {
        if (history.checkpoint === null || isAfter(event.position, history.checkpoint)) break;
        last = event.position;
        const replayed = event as TimelineEvent;
        if (options.select(replayed)) yield { event: replayed, phase: 'REPLAY' };
      }
      if (page.length === 0 && !reachedCheckpoint()) {
        // The read model holds an event the store does not show: they are not the same log.
        throw new Error('the read model is ahead of the event store');
      }
    }
    for (;;) {
      const next = await queue.take();
      if (next === 'closed') return;
      if (next === 'overflow') {
        yield TOO_SLOW;
        return;
      }
      if (!isAfter(next.position, last)) continue;
      last = next.position;
      yield { event: next, phase: 'LIVE' };
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    detach?.();
    queue.close();
  }
}
