import { isAfter, isDevelopmentEvent, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { DevelopmentState } from '../domain/development.js';
import type { DevelopmentChange } from '../projections/project-batch.js';
import type { Projector } from '../projections/projector.js';
import type { StoredVersion } from '../read-store/read-model-store.js';
import type { EventStore } from '../store/event-store.js';
import { developmentVersions, versionsAround } from '../time-travel/known-state.js';
import { createBoundedQueue } from './bounded-queue.js';

export type StreamPhase = 'REPLAY' | 'LIVE';

export interface LiveEvent {
  readonly event: TimelineEvent;
  /** For a development event: the development just before and just after it. */
  readonly change: DevelopmentChange | undefined;
  readonly phase: StreamPhase;
}

/** Ends a subscription whose reader fell further behind than its buffer allows. */
export const TOO_SLOW = Symbol('subscriber too slow');

export interface LiveSources {
  readonly store: EventStore;
  readonly projector: Projector;
}

/** Cheap pre-selection of the events worth buffering for a subscriber: judged on the event and its versions. */
export type SelectEvent = (event: TimelineEvent, change: DevelopmentChange | undefined) => boolean;

export interface LiveEventsOptions {
  /** 'live': only what is applied from now on; null: the whole log first; a position: the log after it first. */
  readonly after: LogPosition | null | 'live';
  readonly select: SelectEvent;
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
    [Symbol.asyncDispose]: async () => {
      await outer.return(undefined);
    },
  };
  return outer;
};

/** The changes of a page of replayed events, from the read models: one read of the versions for the page. */
const changesOf = async (
  projector: Projector,
  events: readonly TimelineEvent[],
): Promise<Map<TimelineEvent, DevelopmentChange>> => {
  const developmentEvents = events.filter(isDevelopmentEvent);
  const versions = await developmentVersions(
    projector.reads,
    developmentEvents.map((event) => event.data.id),
  );
  const changes = new Map<TimelineEvent, DevelopmentChange>();
  for (const event of developmentEvents) {
    const list = versions.get(event.data.id) as StoredVersion<DevelopmentState>[] | undefined;
    const [before, after] = versionsAround(list, event.position);
    if (after) changes.set(event, { before, after });
  }
  return changes;
};

/**
 * The events of the log after a point, replayed from the store (phase REPLAY) and then pushed by the projector as
 * the read models take them (phase LIVE), in log order, each once.
 *
 * The replay reads the store up to the read models' checkpoint, never past it, so that every event it yields can
 * be served "as of now". When it reaches the checkpoint it attaches to the projector in the same synchronous step:
 * nothing is applied in between, so what the projector pushes next is exactly what follows. Positions already
 * yielded are skipped, which also covers a client cursor that runs ahead of this process.
 */
export async function* liveEvents(
  { store, projector }: LiveSources,
  options: LiveEventsOptions,
): AsyncGenerator<LiveEvent | typeof TOO_SLOW> {
  let last: LogPosition | null = options.after === 'live' ? projector.checkpoint : options.after;
  const queue = createBoundedQueue<{ event: TimelineEvent; change: DevelopmentChange | undefined }>(
    options.bufferLimit,
  );
  let detach: (() => void) | undefined;
  const reachedCheckpoint = () =>
    projector.checkpoint === null || (last !== null && !isAfter(projector.checkpoint, last));
  const stop = () => queue.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      if (options.after === 'live' || reachedCheckpoint()) {
        detach = projector.onApplied((event, change) => {
          if (options.select(event, change) && !queue.push({ event, change })) detach?.();
        });
        break;
      }
      const checkpoint = projector.checkpoint;
      const page = (await store.readAll({ after: last, maxCount: options.replayPageSize ?? 256 })) as TimelineEvent[];
      const taken = page.filter((event) => checkpoint !== null && !isAfter(event.position, checkpoint));
      const changes = await changesOf(projector, taken);
      for (const event of taken) {
        last = event.position;
        const change = changes.get(event);
        if (options.select(event, change)) yield { event, change, phase: 'REPLAY' };
      }
      if (page.length === 0 && !reachedCheckpoint()) {
        // The read models hold an event the store does not show: they are not the same log.
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
      if (!isAfter(next.event.position, last)) continue;
      last = next.event.position;
      yield { ...next, phase: 'LIVE' };
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    detach?.();
    queue.close();
  }
}
