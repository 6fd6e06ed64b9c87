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

/** A snapshot of actor a built at position `built`, its boundary there too. */
const snapshot = (built: number): StoredSnapshot => ({
  actorId: 'a',
  boundary: entry(`d${built}`, built * 100, built, built),
  builtAtMs: built * 1000,
  builtPosition: at(built),
  state: { n: built },
});

describe('a cache that keeps snapshot lists for a while (a follower of another writer)', () => {
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

describe('the snapshot states a cache keeps', () => {
  /** A store that lists its reads of snapshot states: `state 1` decoded, `text 1` as record text. */
  const counting = () => {
    const store = createMemoryReadStore();
    const stateReads: string[] = [];
    const reader: ReadModelStore = {
      ...store,
      snapshotState: async (meta) => {
        stateReads.push(`state ${meta.builtPosition.commit}`);
        return store.snapshotState(meta);
      },
      snapshotText: async (meta) => {
        stateReads.push(`text ${meta.builtPosition.commit}`);
        return store.snapshotText(meta);
      },
    };
    return { store, reader, stateReads };
  };

  it('keeps what its writer committed decoded, and of another state its text from its second read', async () => {
    const { store, reader, stateReads } = counting();
    const cached = createCachedReader(reader, 8 * 1024 * 1024);
    const earlier = snapshot(1);
    await store.commit({ ...emptyBatch(1), snapshots: [earlier] });
    const committed = snapshot(2);
    await store.commit({ ...emptyBatch(2), snapshots: [committed] });
    cached.forget({
      versions: [],
      indexes: [],
      snapshotActors: ['a'],
      snapshots: [committed],
      subtopicParents: [],
      checkpoint: { position: at(2), recordedAtMs: 2_000 },
    });
    expect(await cached.snapshotState(committed)).toBe(committed.state);
    const first = await cached.snapshotState(earlier);
    const second = await cached.snapshotState(earlier);
    expect(first).toEqual({ n: 1 });
    expect(second).toEqual(first);
    // Decoded for each: a question owns what it reads, and nothing decoded outlives it in the cache.
    expect(second).not.toBe(first);
    expect(await cached.snapshotText(earlier)).toBe(JSON.stringify({ n: 1 }));
    expect(await cached.snapshotState(snapshot(3))).toBeUndefined();
    expect(await cached.snapshotState(snapshot(3))).toBeUndefined();
    // Not the newest of a list the cache holds: read twice before it is kept; what the store lacks is never kept.
    expect(stateReads).toEqual(['text 1', 'text 1', 'text 3', 'text 3']);
  });

  it("keeps an actor's newest snapshot text at once, and an older one from its second read", async () => {
    const { store, reader, stateReads } = counting();
    const cached = createCachedReader(reader, 8 * 1024 * 1024);
    const older = snapshot(1);
    const newest = snapshot(2);
    await store.commit({ ...emptyBatch(2), snapshots: [older, newest] });
    await cached.checkpoint();
    const metas = await cached.snapshotMetas('a');
    expect(metas.map((meta) => meta.builtPosition.commit)).toEqual([1n, 2n]);
    for (let ask = 0; ask < 3; ask++) {
      expect(await cached.snapshotState(metas[0]!)).toEqual({ n: 1 });
      expect(await cached.snapshotState(metas[1]!)).toEqual({ n: 2 });
    }
    expect(stateReads).toEqual(['text 1', 'text 2', 'text 1']);
    // Both texts and the list are kept now, and the cache tells them apart from the rest of what it holds.
    const byKind = cached.bytesByKind();
    expect(byKind.snapshot_texts).toBe(2 * (100 + JSON.stringify({ n: 1 }).length));
    expect(byKind.snapshot_lists).toBeGreaterThan(0);
    expect(byKind.versions).toBe(0);
    expect(Object.values(byKind).reduce((sum, bytes) => sum + bytes, 0)).toBe(cached.stats.bytes);
  });

  it('keeps the states it read decoded when told to (a rebuild)', async () => {
    const { store, reader, stateReads } = counting();
    const cached = createCachedReader(reader, 8 * 1024 * 1024, { keepsReadSnapshotStates: true });
    const stored = snapshot(1);
    await store.commit({ ...emptyBatch(1), snapshots: [stored] });
    const first = await cached.snapshotState(stored);
    expect(first).toEqual({ n: 1 });
    expect(await cached.snapshotState(stored)).toBe(first);
    expect(await cached.snapshotState(snapshot(2))).toBeUndefined();
    expect(await cached.snapshotState(snapshot(2))).toBeUndefined();
    expect(stateReads).toEqual(['state 1', 'state 2', 'state 2']);
  });
});

describe('the pages a cache keeps', () => {
  it('keeps a page bounded by a past instant from its second read on, and a page about now at once', async () => {
    const store = createMemoryReadStore();
    const pageReads: string[] = [];
    const reader: ReadModelStore = {
      ...store,
      entries: async (index, query) => {
        pageReads.push(`${query.occurredByMs ?? '-'}@${query.knownAtMs}`);
        return store.entries(index, query);
      },
    };
    const cached = createCachedReader(reader, 8 * 1024 * 1024);
    const index = { kind: 'actor' as const, id: 'a' };
    await store.commit({
      ...emptyBatch(3),
      entries: [1, 2].map((n) => ({ index, entry: entry(`d${n}`, n * 100, n, n) })),
    });
    await cached.checkpoint();
    const asOf = { knownAtMs: 3_000, occurredByMs: 150, limit: 10 };
    const now = { knownAtMs: 3_000, occurredByMs: 3_500, limit: 10 };
    const pastKnownAt = { knownAtMs: 1_500, occurredByMs: 3_500, limit: 10 };
    for (let ask = 0; ask < 3; ask++) {
      expect((await cached.entries(index, asOf)).map(({ developmentId }) => developmentId)).toEqual(['d1']);
      expect((await cached.entries(index, now)).map(({ developmentId }) => developmentId)).toEqual(['d1', 'd2']);
      expect((await cached.entries(index, pastKnownAt)).map(({ developmentId }) => developmentId)).toEqual(['d1']);
    }
    // An instant of a question's own, asOf or knownAt, is read again once before it is kept; now is kept at once
    // (and read without its asOf, to be cut for each question).
    expect(pageReads).toEqual(['150@3000', '-@3000', '-@1500', '150@3000', '-@1500']);
  });
});
