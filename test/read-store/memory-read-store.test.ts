import { createCachedReader, type CachedReader } from '../../src/read-store/cached-reader.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelBatch, ReadModelStore } from '../../src/read-store/read-model-store.js';
import { readModelStoreConformance } from './read-model-store.conformance.js';

// The plainest reading of the port, held to the same contract as the real adapters.
readModelStoreConformance('memory', async () => createMemoryReadStore());

/**
 * A memory store whose every read goes through a cache, asked twice (the second answer is the cache's), and whose
 * commits tell the cache in the way `afterCommit` does.
 */
const throughCache = (afterCommit: (cached: CachedReader, batch: ReadModelBatch) => Promise<void>): ReadModelStore => {
  const store = createMemoryReadStore();
  const cached = createCachedReader(store, 8 * 1024 * 1024);
  const twice =
    <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await read(...args);
      return read(...args);
    };
  return {
    ...store,
    checkpoint: twice(cached.checkpoint),
    versions: twice(cached.versions),
    entries: twice(cached.entries),
    snapshotMetas: twice(cached.snapshotMetas),
    snapshotState: twice(cached.snapshotState),
    subtopicIds: twice(cached.subtopicIds),
    commit: async (batch) => {
      await store.commit(batch);
      await afterCommit(cached, batch);
    },
    clear: async () => {
      await store.clear();
      cached.clear();
    },
  };
};

// The cache must answer as the store does: questions asked twice, pages about now cut from one kept page. It
// forgets all on each commit and learns the checkpoint at once.
readModelStoreConformance('memory, read through the cache', async () =>
  throughCache(async (cached) => {
    cached.clear();
    await cached.checkpoint();
  }),
);

// Told what each commit changed, as the projection tells it (snapshots and their states included), rather than
// forgetting all: what the cache keeps of a commit must be what the store then answers.
readModelStoreConformance('memory, read through a cache told what changed', async () =>
  throughCache(async (cached, batch) =>
    cached.forget({
      versions: batch.versions.map(({ kind, id }) => ({ kind, id })),
      indexes: batch.entries.map(({ index }) => index),
      snapshotActors: batch.snapshots.map((snapshot) => snapshot.actorId),
      snapshots: batch.snapshots,
      subtopicParents: batch.subtopics.map(({ parentId }) => parentId),
      checkpoint: batch.checkpoint,
    }),
  ),
);
