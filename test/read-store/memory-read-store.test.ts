import { describe, expect, it } from 'vitest';
import { createCachedReader, type CachedReader } from '../../src/read-store/cached-reader.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelBatch, ReadModelStore, StoredSnapshot } from '../../src/read-store/read-model-store.js';
import { at, emptyBatch, entry, readModelStoreConformance } from './read-model-store.conformance.js';

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

describe('a cache that keeps snapshot lists for a while (a follower of another writer)', () => {
  const snapshot = (built: number): StoredSnapshot => ({
    actorId: 'a',
    boundary: entry(`d${built}`, built * 100, built, built),
    builtAtMs: built * 1000,
    builtPosition: at(built),
    state: { n: built },
  });
  const metaOf = ({ state: _state, ...meta }: StoredSnapshot) => meta;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('serves a list past its time as it stands, and reads it again beside the question', async () => {
    const store = createMemoryReadStore();
    let reads = 0;
    let gate: Promise<unknown> = Promise.resolve();
    const slow = {
      ...store,
      snapshotMetas: async (actorId: string) => {
        reads++;
        await gate;
        return store.snapshotMetas(actorId);
      },
    };
    const cached = createCachedReader(slow, 8 * 1024 * 1024, { snapshotListTtlMs: 20 });
    await store.commit({ ...emptyBatch(2), snapshots: [snapshot(1)] });
    expect(await cached.snapshotMetas('a')).toEqual([metaOf(snapshot(1))]);
    // Another writer adds one; the cache is not told.
    await store.commit({ ...emptyBatch(3), snapshots: [snapshot(3)] });
    await pause(40);
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    // Past its time: the list as it stood, at once, while the store is read beside it (and only once).
    expect(await cached.snapshotMetas('a')).toEqual([metaOf(snapshot(1))]);
    expect(await cached.snapshotMetas('a')).toEqual([metaOf(snapshot(1))]);
    expect(reads).toBe(2);
    open();
    await pause(0);
    expect(await cached.snapshotMetas('a')).toEqual([snapshot(1), snapshot(3)].map(metaOf));
    expect(reads).toBe(2);
  });

  it('keeps nothing of a read again that a forget overtook', async () => {
    const store = createMemoryReadStore();
    let gate: Promise<unknown> = Promise.resolve();
    const slow = {
      ...store,
      snapshotMetas: async (actorId: string) => {
        const metas = await store.snapshotMetas(actorId);
        await gate;
        return metas;
      },
    };
    const cached = createCachedReader(slow, 8 * 1024 * 1024, { snapshotListTtlMs: 20 });
    await store.commit({ ...emptyBatch(2), snapshots: [snapshot(1)] });
    await cached.snapshotMetas('a');
    await pause(40);
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    // Read again from the store as it stood; then a batch with a snapshot commits, and the cache is told.
    expect(await cached.snapshotMetas('a')).toEqual([metaOf(snapshot(1))]);
    const batch = { ...emptyBatch(3), snapshots: [snapshot(3)] };
    await store.commit(batch);
    cached.forget({
      versions: [],
      indexes: [],
      snapshotActors: ['a'],
      subtopicParents: [],
      checkpoint: batch.checkpoint,
    });
    open();
    await pause(0);
    gate = Promise.resolve();
    expect(await cached.snapshotMetas('a')).toEqual([snapshot(1), snapshot(3)].map(metaOf));
  });
});
