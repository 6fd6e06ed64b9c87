import { createCachedReader } from '../../src/read-store/cached-reader.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelStore } from '../../src/read-store/read-model-store.js';
import { readModelStoreConformance } from './read-model-store.conformance.js';

// The plainest reading of the port, held to the same contract as the real adapters.
readModelStoreConformance('memory', async () => createMemoryReadStore());

// Every read through the cache, which must answer as the store does: questions asked twice, pages about now cut
// from one kept page. It forgets all on each commit and learns the checkpoint at once, as a projector's cache does.
readModelStoreConformance('memory, read through the cache', async () => {
  const store = createMemoryReadStore();
  const cached = createCachedReader(store, 8 * 1024 * 1024);
  const twice =
    <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await read(...args);
      return read(...args);
    };
  const throughCache: ReadModelStore = {
    ...store,
    checkpoint: twice(cached.checkpoint),
    versions: twice(cached.versions),
    entries: twice(cached.entries),
    snapshotMetas: twice(cached.snapshotMetas),
    snapshotState: twice(cached.snapshotState),
    subtopicIds: twice(cached.subtopicIds),
    commit: async (batch) => {
      await store.commit(batch);
      cached.clear();
      await cached.checkpoint();
    },
    clear: async () => {
      await store.clear();
      cached.clear();
    },
  };
  return throughCache;
});

// The same, but told what each commit changed, as the projection tells it (snapshots and their states included),
// rather than forgetting all: what the cache keeps of a commit must be what the store then answers.
readModelStoreConformance('memory, read through a cache told what changed', async () => {
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
      cached.forget({
        versions: batch.versions.map(({ kind, id }) => ({ kind, id })),
        indexes: batch.entries.map(({ index }) => index),
        snapshotActors: batch.snapshots.map((snapshot) => snapshot.actorId),
        snapshots: batch.snapshots,
        subtopicParents: batch.subtopics.map(({ parentId }) => parentId),
        checkpoint: batch.checkpoint,
      });
    },
    clear: async () => {
      await store.clear();
      cached.clear();
    },
  } satisfies ReadModelStore;
});
