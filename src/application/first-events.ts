import type { RecordedEvent } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import type { OtherStreams } from './decider.js';

/**
 * The first event of a stream never changes once it is in the log, so the reference checks of every command
 * (does this actor exist, when does this topic open) read each actor's and topic's first event once per process.
 * Only what was read from the log is kept; a bulk write whose commit fails forgets everything (see inOneCommit),
 * since what it read inside may have rolled back with it.
 */
export interface FirstEventCache {
  read(store: EventStore, streamId: string): Promise<RecordedEvent | undefined>;
  forgetAll(): void;
}

/** Enough for every actor of a large GDELT import; past it the cache starts over rather than grow without bound. */
const MAX_ENTRIES = 200_000;

export const createFirstEventCache = (maxEntries = MAX_ENTRIES): FirstEventCache => {
  const firstEvents = new Map<string, RecordedEvent>();
  return {
    read: async (store, streamId) => {
      const cached = firstEvents.get(streamId);
      if (cached !== undefined) return cached;
      const [first] = await store.readStream(streamId, { maxCount: 1 });
      if (first !== undefined) {
        if (firstEvents.size >= maxEntries) firstEvents.clear();
        firstEvents.set(streamId, first);
      }
      return first;
    },
    forgetAll: () => firstEvents.clear(),
  };
};

/** The first event of each of these streams, through the cache: what a decider looks at besides its own stream. */
export const readFirstEvents = async (
  cache: FirstEventCache,
  store: EventStore,
  streams: readonly string[],
): Promise<OtherStreams> => {
  const others = new Map<string, RecordedEvent | null>();
  for (const stream of streams) {
    if (!others.has(stream)) others.set(stream, (await cache.read(store, stream)) ?? null);
  }
  return others;
};
