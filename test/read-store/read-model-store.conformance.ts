import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogPosition } from '../../events/envelope.js';
import { comparePlaces, matchesEntriesQuery } from '../../src/read-store/places.js';
import { decodeRecord } from '../../src/read-store/record-codec.js';
import {
  CheckpointConflictError,
  type EntriesQuery,
  type IndexEntry,
  type IndexRef,
  type ReadModelBatch,
  type ReadModelStore,
  type StoredSnapshot,
} from '../../src/read-store/read-model-store.js';

/**
 * The read-model store contract: every adapter runs this suite (test/read-store/*.test.ts), so the time-travel
 * engine and the projector never know which store they have.
 */

export const at = (n: number): LogPosition => ({ commit: BigInt(n), prepare: BigInt(n) });

export const emptyBatch = (position: number, recordedAtMs = position * 1000): ReadModelBatch => ({
  versions: [],
  entries: [],
  snapshots: [],
  subtopics: [],
  clock: [{ position: at(position), recordedAtMs }],
  checkpoint: { position: at(position), recordedAtMs },
});

export const entry = (
  developmentId: string,
  occurredAtMs: number,
  record: number,
  added: number,
  earliestAddedFromMs = added * 1000,
): IndexEntry => ({
  developmentId,
  occurredAtMs,
  recordPosition: at(record),
  addedAtMs: added * 1000,
  addedPosition: at(added),
  earliestAddedFromMs,
});

const snapshotOf = (actorId: string, boundary: IndexEntry, built: number, state: unknown): StoredSnapshot => ({
  actorId,
  boundary,
  builtAtMs: built * 1000,
  builtPosition: at(built),
  state,
});

/**
 * Entries added one by one as a projection adds them (log order, recordedAt never decreasing), each with the
 * earliestAddedFromMs the projection gives it: its own addedAt, or that of the next entry in world order.
 */
const projectedEntries = (places: readonly { occurredAtMs: number; development: number }[]): IndexEntry[] => {
  const added: IndexEntry[] = [];
  places.forEach(({ occurredAtMs, development }, step) => {
    const candidate = entry(`d${development}`, occurredAtMs, development, step + 1);
    if (added.some((known) => comparePlaces(known, candidate) === 0)) return;
    const next = added.filter((known) => comparePlaces(known, candidate) > 0).sort(comparePlaces)[0];
    added.push({ ...candidate, earliestAddedFromMs: next?.earliestAddedFromMs ?? candidate.addedAtMs });
  });
  return added;
};

/** Instants drawn as -1 to 13, spread from past the Date range's start to past its end, month starts and ties. */
const FAR_INSTANTS = [
  -9e15, -8.64e15, -6.2e13, -1e12, -1, 0, 86_400_000, 2_678_399_999, 2_678_400_000, 1.7e12, 1_704_067_200_000, 4.1e12,
  2.5e14, 8.64e15, 9e15,
];

/**
 * Random entries, committed over several batches, and random queries, each answered as the plain filter answers it.
 * `occurred` maps the small integers drawn for instants (places, bounds) to the instants the index holds.
 */
const answersAsThePlainFilter = (
  store: () => ReadModelStore,
  index: IndexRef,
  occurred: (drawn: number) => number,
): Promise<void> => {
  const place = fc.record({
    occurredAtMs: fc.integer({ min: 0, max: 12 }),
    development: fc.integer({ min: 1, max: 15 }),
  });
  const someEntry = fc.option(
    fc.record({ occurredAtMs: fc.integer({ min: -1, max: 13 }), record: fc.integer({ min: 0, max: 16 }) }),
    { nil: null },
  );
  const query = fc.record(
    {
      after: someEntry,
      through: someEntry,
      occurredByMs: fc.integer({ min: -1, max: 13 }),
      knownAtMs: fc.integer({ min: 0, max: 40 }).map((n) => n * 1000),
      addedAfter: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
      limit: fc.integer({ min: 0, max: 8 }),
      descending: fc.boolean(),
    },
    { requiredKeys: ['knownAtMs'] },
  );
  return fc.assert(
    fc.asyncProperty(
      fc.array(place, { maxLength: 30 }),
      fc.array(query, { minLength: 1, maxLength: 5 }),
      async (places, queries) => {
        await store().clear();
        const entries = projectedEntries(
          places.map((place) => ({ ...place, occurredAtMs: occurred(place.occurredAtMs) })),
        );
        // Over several batches, as a projection commits them.
        for (let start = 0, batch = 1; start < entries.length; start += 7, batch++) {
          await store().commit({
            ...emptyBatch(100 + batch),
            entries: entries.slice(start, start + 7).map((e) => ({ index, entry: e })),
          });
        }
        for (const raw of queries) {
          const q: EntriesQuery = {
            ...raw,
            ...(raw.occurredByMs === undefined ? {} : { occurredByMs: occurred(raw.occurredByMs) }),
            after: raw.after
              ? { occurredAtMs: occurred(raw.after.occurredAtMs), recordPosition: at(raw.after.record) }
              : raw.after,
            through: raw.through
              ? { occurredAtMs: occurred(raw.through.occurredAtMs), recordPosition: at(raw.through.record) }
              : raw.through,
            addedAfter: raw.addedAfter === undefined || raw.addedAfter === null ? raw.addedAfter : at(raw.addedAfter),
          } as EntriesQuery;
          let expected = [...entries].sort(comparePlaces).filter((e) => matchesEntriesQuery(e, q));
          if (q.descending) expected = expected.reverse();
          if (q.limit !== undefined) expected = expected.slice(0, q.limit);
          expect(await store().entries(index, q)).toEqual(expected);
        }
      },
    ),
    { numRuns: 40 },
  );
};

export const readModelStoreConformance = (name: string, open: () => Promise<ReadModelStore>) => {
  describe(`read-model store conformance: ${name}`, () => {
    let store: ReadModelStore;
    beforeEach(async () => {
      store = await open();
      await store.clear();
    });
    afterEach(async () => {
      await store.close();
    });

    it('starts empty', async () => {
      expect(await store.checkpoint()).toBeNull();
      expect(await store.versions('development', ['d1'])).toEqual(new Map());
      expect(await store.ids('actor')).toEqual([]);
      expect(await store.ids('meeting')).toEqual([]);
      expect(await store.entries({ kind: 'world', id: '' }, { knownAtMs: Infinity })).toEqual([]);
      expect(await store.countEntries({ kind: 'actor', id: 'a' })).toBe(0);
      expect(await store.snapshotMetas('a')).toEqual([]);
      expect(await store.subtopicIds('t')).toEqual([]);
      expect(await store.positionRecordedBefore(Date.now())).toBeNull();
    });

    it('keeps versions in log order across batches, each once however often it is written', async () => {
      const state = (n: number) => ({ n, at: new Date(n * 1000), position: at(n), tags: new Set(['x']) });
      await store.commit({
        ...emptyBatch(2),
        versions: [
          { kind: 'development', id: 'd1', version: { position: at(1), recordedAtMs: 1000, state: state(1) } },
          { kind: 'development', id: 'd1', version: { position: at(2), recordedAtMs: 2000, state: state(2) } },
          { kind: 'actor', id: 'a', version: { position: at(1), recordedAtMs: 1000, state: { name: 'A' } } },
        ],
      });
      await store.commit({
        ...emptyBatch(3),
        versions: [
          { kind: 'development', id: 'd1', version: { position: at(2), recordedAtMs: 2000, state: state(2) } },
          { kind: 'development', id: 'd1', version: { position: at(3), recordedAtMs: 3000, state: state(3) } },
        ],
      });
      const found = await store.versions('development', ['d1', 'missing']);
      expect([...found.keys()]).toEqual(['d1']);
      expect(found.get('d1')).toEqual(
        [1, 2, 3].map((n) => ({ position: at(n), recordedAtMs: n * 1000, state: state(n) })),
      );
      expect(await store.versions('actor', ['a'])).toEqual(
        new Map([['a', [{ position: at(1), recordedAtMs: 1000, state: { name: 'A' } }]]]),
      );
      expect(await store.versions('topic', ['a'])).toEqual(new Map());
      expect(await store.ids('actor')).toEqual(['a']);
      expect(await store.ids('topic')).toEqual([]);
      expect(await store.checkpoint()).toEqual({ position: at(3), recordedAtMs: 3000 });
    });

    it('refuses a batch that does not follow the checkpoint, and shows nothing of it', async () => {
      await store.commit(emptyBatch(5));
      const stale: ReadModelBatch = {
        ...emptyBatch(5),
        versions: [{ kind: 'actor', id: 'late', version: { position: at(5), recordedAtMs: 5000, state: {} } }],
      };
      await expect(store.commit(stale)).rejects.toBeInstanceOf(CheckpointConflictError);
      await expect(store.commit({ ...stale, ...emptyBatch(4), versions: stale.versions })).rejects.toBeInstanceOf(
        CheckpointConflictError,
      );
      expect(await store.versions('actor', ['late'])).toEqual(new Map());
      expect(await store.checkpoint()).toEqual({ position: at(5), recordedAtMs: 5000 });
    });

    it('keeps an index in world order, each place once: the first time it was taken', async () => {
      const index = { kind: 'actor' as const, id: 'a' };
      await store.commit({
        ...emptyBatch(3),
        entries: [
          { index, entry: entry('d2', 500, 2, 2) },
          { index, entry: entry('d1', 500, 1, 1) },
          { index, entry: entry('d3', 100, 3, 3) },
          { index: { kind: 'topic', id: 't' }, entry: entry('d1', 500, 1, 1) },
        ],
      });
      await store.commit({ ...emptyBatch(4), entries: [{ index, entry: entry('d1', 500, 1, 4) }] });
      const all = await store.entries(index, { knownAtMs: Infinity });
      expect(all.map((e) => e.developmentId)).toEqual(['d3', 'd1', 'd2']);
      expect(all[1]).toEqual(entry('d1', 500, 1, 1));
      expect(await store.countEntries(index)).toBe(3);
      expect(await store.countEntries(index, { after: { occurredAtMs: 500, recordPosition: at(1) } })).toBe(1);
      expect(await store.countEntries(index, { addedAfter: at(1) })).toBe(2);
      expect((await store.entries({ kind: 'topic', id: 't' }, { knownAtMs: Infinity })).length).toBe(1);
      expect(await store.entries({ kind: 'topic', id: 'other' }, { knownAtMs: Infinity })).toEqual([]);
    });

    it('answers every entries query as the plain filter does', () =>
      answersAsThePlainFilter(
        () => store,
        { kind: 'meeting', id: 'm' },
        (drawn) => drawn,
      ));

    it("answers every query of an actor's changes as the plain filter does", () =>
      answersAsThePlainFilter(
        () => store,
        { kind: 'changes', id: 'a' },
        (drawn) => drawn,
      ));

    // Adapters may index changes by 30 days of occurredAt (SQLite does): instants 13 days apart, before and after 1970,
    // fall in several buckets, on both sides of one.
    it("answers queries of an actor's changes spread over months, before and after 1970, as the plain filter does", () =>
      answersAsThePlainFilter(
        () => store,
        { kind: 'changes', id: 'a' },
        (drawn) => (drawn - 4) * 13 * 86_400_000 + (drawn % 2),
      ));

    it("answers queries of an actor's changes from before year 0 to past the Date range as the plain filter does", () =>
      answersAsThePlainFilter(
        () => store,
        { kind: 'changes', id: 'a' },
        (drawn) => FAR_INSTANTS[drawn + 1]!,
      ));

    it('answers world queries as the plain filter does, for instants from before year 0 to past the Date range', () =>
      answersAsThePlainFilter(
        () => store,
        { kind: 'world', id: '' },
        (drawn) => FAR_INSTANTS[drawn + 1]!,
      ));

    it('keeps world order and position filters for positions of every size, commit and prepare apart', async () => {
      const big = (commit: bigint, prepare: bigint): LogPosition => ({ commit, prepare });
      const positions = [
        big(0n, 0n),
        big(1n, 5n),
        big(1n, 6n),
        big(15n, 15n),
        big(16n, 0n),
        big(255n, 2n ** 40n),
        big(256n, 1n),
        big(2n ** 62n, 0n),
        big(2n ** 63n - 1n, 2n ** 63n - 1n),
      ];
      const index = { kind: 'actor' as const, id: 'a' };
      const entries = positions.map((position, n): IndexEntry => ({
        developmentId: `d${n}`,
        occurredAtMs: n % 2 === 0 ? -5 : 7,
        recordPosition: position,
        addedAtMs: 1000,
        addedPosition: positions[positions.length - 1 - n]!,
        earliestAddedFromMs: 1000,
      }));
      const last = positions[positions.length - 1]!;
      await store.commit({
        ...emptyBatch(1),
        clock: [{ position: last, recordedAtMs: 1000 }],
        checkpoint: { position: last, recordedAtMs: 1000 },
        entries: [...entries].reverse().map((e) => ({ index, entry: e })),
      });
      const ordered = [...entries].sort(comparePlaces);
      expect(await store.entries(index, { knownAtMs: Infinity })).toEqual(ordered);
      expect(await store.entries(index, { knownAtMs: Infinity, descending: true, limit: 3 })).toEqual(
        [...ordered].reverse().slice(0, 3),
      );
      for (const bound of positions) {
        const place = { occurredAtMs: 7, recordPosition: bound };
        const queries: EntriesQuery[] = [
          { knownAtMs: Infinity, after: place },
          { knownAtMs: Infinity, through: { occurredAtMs: -5, recordPosition: bound } },
          { knownAtMs: Infinity, addedAfter: bound },
        ];
        for (const q of queries) {
          expect(await store.entries(index, q)).toEqual(ordered.filter((e) => matchesEntriesQuery(e, q)));
        }
        expect(await store.countEntries(index, { after: place, addedAfter: bound })).toBe(
          ordered.filter((e) => matchesEntriesQuery(e, { knownAtMs: Infinity, after: place, addedAfter: bound }))
            .length,
        );
      }
      expect(await store.checkpoint()).toEqual({ position: last, recordedAtMs: 1000 });
      expect(await store.positionRecordedBefore(1001)).toEqual(last);
    });

    it('keeps versions in log order whatever order a batch lists them in', async () => {
      const version = (n: number) => ({ position: at(n), recordedAtMs: n * 1000, state: { n } });
      await store.commit({
        ...emptyBatch(3),
        versions: [3, 1, 2, 1].map((n) => ({ kind: 'topic' as const, id: 't', version: version(n) })),
      });
      await store.commit({
        ...emptyBatch(6),
        versions: [6, 2, 4].map((n) => ({ kind: 'topic' as const, id: 't', version: version(n) })),
      });
      expect(await store.versions('topic', ['t'])).toEqual(new Map([['t', [1, 2, 3, 4, 6].map(version)]]));
    });

    it('keeps snapshots with their states by boundary, then by when they were built', async () => {
      const state = {
        positions: new Map([['a|t', { stance: 'FOR', since: new Date(0) }]]),
        ids: new Set(['m1']),
        n: 3,
      };
      const early = snapshotOf('a', entry('d1', 100, 1, 1), 2, state);
      const late = snapshotOf('a', entry('d4', 900, 4, 4), 5, { ...state, n: 4 });
      await store.commit({
        ...emptyBatch(5),
        snapshots: [late, early, snapshotOf('b', entry('d1', 100, 1, 1), 2, {})],
      });
      expect(await store.snapshotMetas('a')).toEqual([early, late].map(({ state: _s, ...meta }) => meta));
      expect(await store.snapshotState(early)).toEqual(state);
      expect(await store.snapshotState({ ...early, builtPosition: at(3) })).toBeUndefined();
      // The record text a cache keeps: the same state once decoded, Maps, Sets and Dates included.
      expect(decodeRecord(String(await store.snapshotText(early)))).toEqual(state);
      expect(await store.snapshotText({ ...early, builtPosition: at(3) })).toBeUndefined();

      // Two more versions of late's boundary, listed newest first, and beside, at an earlier place of the same instant
      // but built after late: the place orders first, then when each was built. Late, written again, is kept once.
      const rebuilt = snapshotOf('a', entry('d4', 900, 4, 4), 9, { ...state, n: 6 });
      const replacement = snapshotOf('a', entry('d4', 900, 4, 4), 8, { ...state, n: 5 });
      const beside = snapshotOf('a', entry('d3', 900, 3, 3), 9, { ...state, n: 7 });
      await store.commit({ ...emptyBatch(9), snapshots: [rebuilt, late, beside, replacement] });
      const metas = await store.snapshotMetas('a');
      expect(metas).toEqual([early, beside, late, replacement, rebuilt].map(({ state: _s, ...meta }) => meta));
      expect(await Promise.all(metas.map((meta) => store.snapshotState(meta)))).toEqual(
        [early, beside, late, replacement, rebuilt].map((snapshot) => snapshot.state),
      );
      expect(await store.snapshotMetas('b')).toHaveLength(1);
    });

    it("keeps an actor entry's share as written, whatever it holds, and the superseded index apart", async () => {
      const own = { kind: 'actor' as const, id: 'a' };
      const superseded = { kind: 'superseded' as const, id: 'a' };
      const shared = {
        ...entry('d1', 300, 1, 1),
        share: '["2025-01-01T00:00:00Z",0,[["t","SUPPORTS","a|b, \u00e9"]],0]',
      };
      const plain = entry('d2', 700, 2, 2);
      await store.commit({
        ...emptyBatch(3),
        entries: [
          { index: own, entry: shared },
          { index: own, entry: plain },
        ],
      });
      const stale = entry('d1', 300, 1, 4);
      await store.commit({ ...emptyBatch(4), entries: [{ index: superseded, entry: stale }] });

      expect(await store.entries(own, { knownAtMs: Infinity })).toEqual([shared, plain]);
      expect((await store.entries(own, { knownAtMs: Infinity }))[1]!.share).toBeUndefined();
      expect(await store.entries(superseded, { knownAtMs: Infinity })).toEqual([stale]);
      expect(await store.entries(superseded, { knownAtMs: 3000 })).toEqual([]);
      expect(await store.countEntries(own)).toBe(2);
    });

    it("keeps an actor's changes as an index of their own, apart from its index and the world's", async () => {
      const changes = { kind: 'changes' as const, id: 'a' };
      const own = { kind: 'actor' as const, id: 'a' };
      const world = { kind: 'world' as const, id: '' };
      const placed = [entry('d1', 300, 1, 1), entry('d2', 700, 2, 2)];
      await store.commit({
        ...emptyBatch(3),
        entries: placed.flatMap((e) => [
          { index: own, entry: e },
          { index: world, entry: e },
        ]),
      });
      // d2 corrected back to 200 (event 4), d1 retracted (5), d2 corrected again (7): each at the earliest occurredAt
      // it changes, stamped with its own event.
      const corrected = entry('d2', 200, 4, 4);
      const retracted = entry('d1', 300, 5, 5);
      const again = entry('d2', 200, 7, 7, 5000);
      const movedTo200 = entry('d2', 200, 2, 4, 1000);
      await store.commit({
        ...emptyBatch(5),
        entries: [
          { index: changes, entry: corrected },
          { index: own, entry: movedTo200 },
          { index: changes, entry: retracted },
        ],
      });
      await store.commit({ ...emptyBatch(7), entries: [{ index: changes, entry: again }] });

      const read = (query: Partial<EntriesQuery>) => store.entries(changes, { knownAtMs: Infinity, ...query });
      expect(await read({})).toEqual([corrected, again, retracted]);
      // Since a snapshot built at event 4: the changes it does not reflect.
      expect(await read({ addedAfter: at(4) })).toEqual([again, retracted]);
      expect(await read({ knownAtMs: 6000 })).toEqual([corrected, retracted]);
      expect(await read({ knownAtMs: 4500 })).toEqual([corrected]);
      expect(await read({ after: { occurredAtMs: 200, recordPosition: at(4) } })).toEqual([again, retracted]);
      expect(await read({ through: { occurredAtMs: 200, recordPosition: at(7) } })).toEqual([corrected, again]);
      expect(await read({ occurredByMs: 299, descending: true })).toEqual([again, corrected]);
      expect(await read({ descending: true, limit: 2 })).toEqual([retracted, again]);
      expect(await store.countEntries(changes)).toBe(3);
      expect(await store.countEntries(changes, { addedAfter: at(5) })).toBe(1);

      expect(await store.entries(own, { knownAtMs: Infinity })).toEqual([movedTo200, ...placed]);
      expect(await store.entries(world, { knownAtMs: Infinity })).toEqual(placed);
      expect(await store.entries({ kind: 'changes', id: 'b' }, { knownAtMs: Infinity })).toEqual([]);
      expect(await store.ids('meeting')).toEqual([]);
      expect(await store.ids('actor')).toEqual([]);
    });

    it("finds an actor's changes since a position in every month up to the bound's own, consecutive ones too", async () => {
      const changes = { kind: 'changes' as const, id: 'a' };
      const day = 86_400_000;
      // Two changes in each of four consecutive 30-day spans and in the span before 1970, one of each pair added
      // before event 10 and one after.
      const spread = [-40, -35, 5, 10, 35, 40, 65, 70, 95, 100].map((days, n) =>
        entry(`d${n}`, days * day, n + 1, n % 2 === 0 ? 2 : 12),
      );
      await store.commit({ ...emptyBatch(20), entries: spread.map((e) => ({ index: changes, entry: e })) });
      const since = spread.filter((_, n) => n % 2 === 1);
      for (const bound of [-36, 11, 36, 41, 66, 71, 96, 101, 400]) {
        const query = { knownAtMs: Infinity, addedAfter: at(10), occurredByMs: bound * day };
        expect(await store.entries(changes, query), `by day ${bound}`).toEqual(
          since.filter((e) => e.occurredAtMs <= bound * day),
        );
      }
      expect(await store.countEntries(changes, { addedAfter: at(10) })).toBe(since.length);
    });

    it('keeps subtopics, meeting ids and the clock', async () => {
      await store.commit({
        ...emptyBatch(3, 2000),
        subtopics: [
          { parentId: 'p', id: 'c1' },
          { parentId: 'p', id: 'c2' },
        ],
        entries: [{ index: { kind: 'meeting', id: 'm1' }, entry: entry('d1', 1, 1, 1) }],
        clock: [
          { position: at(1), recordedAtMs: 1000 },
          { position: at(3), recordedAtMs: 2000 },
        ],
      });
      await store.commit({ ...emptyBatch(5, 2000), subtopics: [{ parentId: 'p', id: 'c1' }] });
      await store.commit(emptyBatch(6, 4000));
      expect((await store.subtopicIds('p')).sort()).toEqual(['c1', 'c2']);
      expect(await store.ids('meeting')).toEqual(['m1']);
      expect(await store.positionRecordedBefore(1000)).toBeNull();
      expect(await store.positionRecordedBefore(1001)).toEqual(at(1));
      expect(await store.positionRecordedBefore(2000)).toEqual(at(1));
      // The two batches recorded at 2 s: the last event of them.
      expect(await store.positionRecordedBefore(2001)).toEqual(at(5));
      expect(await store.positionRecordedBefore(10_000)).toEqual(at(6));
    });

    it('forgets everything on clear', async () => {
      await store.commit({
        ...emptyBatch(2),
        versions: [{ kind: 'topic', id: 't', version: { position: at(1), recordedAtMs: 1000, state: {} } }],
        entries: [{ index: { kind: 'world', id: '' }, entry: entry('d1', 1, 1, 1) }],
      });
      await store.clear();
      expect(await store.checkpoint()).toBeNull();
      expect(await store.ids('topic')).toEqual([]);
      expect(await store.countEntries({ kind: 'world', id: '' })).toBe(0);
      await store.commit(emptyBatch(1));
      expect(await store.checkpoint()).toEqual({ position: at(1), recordedAtMs: 1000 });
    });
  });
};
