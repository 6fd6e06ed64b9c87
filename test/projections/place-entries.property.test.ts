import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogPosition } from '../../events/envelope.js';
import { createIndexTails, placeEntries } from '../../src/projections/place-entries.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type {
  EntriesQuery,
  IndexEntry,
  IndexRef,
  Place,
  ReadModelStore,
} from '../../src/read-store/read-model-store.js';
import { openSqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store.js';

/**
 * placeEntries (src/projections/place-entries.ts) against a brute-force model of what an index holds: random
 * batches of entries, in log order with recordedAt never decreasing, placed and committed batch by batch into a
 * real store. Each place is kept once (the first added); every entry's earliestAddedFromMs is the smallest addedAtMs
 * of it and of every entry after it in world order when it was added; and an entries query at any knownAt takes what
 * the plain filter `addedAtMs <= knownAt` takes (the SQLite adapter stops its scans by earliestAddedFromMs).
 */

const REFS: readonly IndexRef[] = [
  { kind: 'world', id: '' },
  { kind: 'actor', id: 'a' },
  { kind: 'actor', id: 'b' },
  { kind: 'topic', id: 't' },
  { kind: 'meeting', id: 'm' },
];
const keyOf = ({ kind, id }: IndexRef) => `${kind}:${id}`;
const at = (n: number): LogPosition => ({ commit: BigInt(n), prepare: BigInt(n) });

// ------------------------------------------------------------------------------------------ generators

/** Where one event puts a development in some indexes (each index once an event, as a projection does). */
const eventOf = (maxOccurred: number, maxRecord: number) =>
  fc.record({
    /** How far recordedAt moves on from the event before (often not at all). */
    advance: fc.constantFrom(0, 0, 0, 1, 2, 7),
    entries: fc.uniqueArray(
      fc.record({
        index: fc.constantFrom(...REFS),
        occurredAtMs: fc.integer({ min: 0, max: maxOccurred }),
        record: fc.integer({ min: 1, max: maxRecord }),
      }),
      { selector: (entry) => keyOf(entry.index), maxLength: 3 },
    ),
  });

/**
 * Dense: nearly in world order, each development a little before the last ones (as in a busy index, where most
 * land before a short kept end), now and then at a place already taken.
 */
const dense = fc
  .array(
    fc.record({
      advance: fc.constantFrom(0, 0, 1),
      back: fc.integer({ min: 0, max: 12 }),
      again: fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0),
      index: fc.constantFrom(REFS[0]!, REFS[1]!),
    }),
    { minLength: 40, maxLength: 150, size: 'max' },
  )
  .map((drawn) =>
    drawn.map(({ advance, back, again, index }, n) => ({
      advance,
      entries: [{ index, occurredAtMs: Math.max(0, n - back), record: again ? Math.max(1, n - back) : n + 1 }],
    })),
  );

/** Crowded (the same place often comes twice, in one batch or across batches), spread out, or dense. */
const events = fc.oneof(
  fc.array(eventOf(3, 3), { maxLength: 40 }),
  fc.array(eventOf(40, 30), { maxLength: 60 }),
  dense,
);

const place = fc.record({ occurredAtMs: fc.integer({ min: -1, max: 151 }), record: fc.integer({ min: 0, max: 151 }) });
const toPlace = ({ occurredAtMs, record }: { occurredAtMs: number; record: number }): Place => ({
  occurredAtMs,
  recordPosition: at(record),
});

/** The rest of an entries query; knownAt is drawn around the addedAts of the run. */
const query = fc.record(
  {
    index: fc.constantFrom(...REFS),
    knownAt: fc.oneof(fc.integer({ min: -1, max: 300 }), fc.constant(Infinity)),
    after: place,
    through: place,
    occurredByMs: fc.integer({ min: -1, max: 151 }),
    limit: fc.integer({ min: 0, max: 5 }),
    descending: fc.boolean(),
  },
  { requiredKeys: ['index', 'knownAt'] },
);

const setup = fc.record({
  events,
  /** How many events each batch takes, in turn. */
  batchSizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 10, max: 30 })), {
    minLength: 1,
    maxLength: 5,
  }),
  /** How many index ends the projector remembers: 1 makes it read them from the store again and again. */
  tails: fc.constantFrom(1, 100_000),
  /** How many entries of each end it keeps: with few, most entries land before the kept end and read the store. */
  tailLength: fc.constantFrom(1, 3, 32),
  /** When a kept end doubles, reading back over the entries a batch places before it, and how far it grows. */
  growAt: fc.constantFrom(1, 2, 16),
  longest: fc.constantFrom(2, 8, 4_096),
  /** Entries kept in all: few make ends grown long go first. */
  maxEntries: fc.constantFrom(6, 640_000),
  queries: fc.array(query, { minLength: 4, maxLength: 12 }),
});
type Setup = typeof setup extends fc.Arbitrary<infer S> ? S : never;

// ------------------------------------------------------------------------------------------ the brute-force model

const worldOrder = (a: Place, b: Place): number =>
  a.occurredAtMs - b.occurredAtMs ||
  (a.recordPosition.commit < b.recordPosition.commit ? -1 : a.recordPosition.commit > b.recordPosition.commit ? 1 : 0);

/** The plain filter, written out again here rather than taken from src/read-store/places.ts. */
const plainQuery = (entries: readonly IndexEntry[], q: EntriesQuery): IndexEntry[] => {
  const taken = entries.filter(
    (entry) =>
      entry.addedAtMs <= q.knownAtMs &&
      (q.after == null || worldOrder(entry, q.after) > 0) &&
      (q.through == null || worldOrder(entry, q.through) <= 0) &&
      (q.occurredByMs === undefined || entry.occurredAtMs <= q.occurredByMs),
  );
  if (q.descending) taken.reverse();
  return q.limit === undefined ? taken : taken.slice(0, q.limit);
};

// ------------------------------------------------------------------------------------------ the property

const check = async (
  store: ReadModelStore,
  { events, batchSizes, tails: max, tailLength, growAt, longest, maxEntries, queries }: Setup,
) => {
  await store.clear();
  const tails = createIndexTails({ max, length: tailLength, growAt, longest, maxEntries });
  /** What each index must hold: every place once, as first added, with the earliestAddedFromMs it had then. */
  const model = new Map<string, IndexEntry[]>(REFS.map((ref) => [keyOf(ref), []]));
  let recordedAtMs = 0;
  let next = 0;
  for (let batch = 0; next < events.length; batch++) {
    const size = batchSizes[batch % batchSizes.length]!;
    const taken = events.slice(next, next + size).map((event, n) => {
      recordedAtMs += event.advance;
      return { ...event, position: at(1000 + next + n), recordedAtMs };
    });
    next += taken.length;
    const unplaced = taken.flatMap((event) =>
      event.entries.map((entry) => ({
        index: entry.index,
        entry: {
          occurredAtMs: entry.occurredAtMs,
          recordPosition: at(entry.record),
          developmentId: `d${entry.record}`,
          addedAtMs: event.recordedAtMs,
          addedPosition: event.position,
        },
      })),
    );

    for (const { index, entry } of unplaced) {
      const entries = model.get(keyOf(index))!;
      if (entries.some((known) => worldOrder(known, entry) === 0)) continue;
      const after = entries.filter((known) => worldOrder(known, entry) > 0);
      entries.push({ ...entry, earliestAddedFromMs: Math.min(entry.addedAtMs, ...after.map((e) => e.addedAtMs)) });
      entries.sort(worldOrder);
    }

    const placed = await placeEntries(store, unplaced, tails);
    const last = taken.at(-1)!;
    await store.commit({
      versions: [],
      entries: placed,
      snapshots: [],
      subtopics: [],
      clock: [{ position: last.position, recordedAtMs: last.recordedAtMs }],
      checkpoint: { position: last.position, recordedAtMs: last.recordedAtMs },
    });

    for (const ref of REFS) {
      expect(await store.entries(ref, { knownAtMs: Infinity }), `${keyOf(ref)} after batch ${batch}`).toEqual(
        model.get(keyOf(ref)),
      );
    }
  }

  for (const { index, knownAt, after, through, ...rest } of queries) {
    const q: EntriesQuery = {
      knownAtMs: knownAt,
      ...(after ? { after: toPlace(after) } : {}),
      ...(through ? { through: toPlace(through) } : {}),
      ...rest,
    };
    expect(
      await store.entries(index, q),
      JSON.stringify({ index, knownAt: String(knownAt), after, through, ...rest }),
    ).toEqual(plainQuery(model.get(keyOf(index))!, q));
  }
  // Every knownAt the run met, and on either side of each, with no other bound.
  const knownAts = new Set([...model.values()].flat().flatMap((entry) => [entry.addedAtMs - 1, entry.addedAtMs]));
  for (const ref of REFS) {
    for (const knownAtMs of [...knownAts, recordedAtMs + 1]) {
      for (const descending of [false, true]) {
        const q = { knownAtMs, descending };
        expect(await store.entries(ref, q)).toEqual(plainQuery(model.get(keyOf(ref))!, q));
      }
    }
  }
};

describe('placeEntries', () => {
  it('keeps each place once with its earliestAddedFromMs, batch after batch (memory store)', async () => {
    const store = createMemoryReadStore();
    await fc.assert(
      fc.asyncProperty(setup, (drawn) => check(store, drawn)),
      { numRuns: 400 },
    );
  });

  describe('on SQLite', () => {
    let dir: string;
    let store: ReadModelStore;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'place-entries-'));
      store = openSqliteReadStore({ file: path.join(dir, 'read-models.db') });
    });
    afterAll(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps each place once with its earliestAddedFromMs, and scans stop right at knownAt', async () => {
      await fc.assert(
        fc.asyncProperty(setup, (drawn) => check(store, drawn)),
        { numRuns: 150 },
      );
    });
  });
});
