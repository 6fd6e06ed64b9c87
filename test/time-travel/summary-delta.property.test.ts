import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { IndexEntry, SnapshotMeta } from '../../src/read-store/read-model-store.js';
import { emptySummary } from '../../src/time-travel/actor-summary.js';
import { storeSummary, type StoredSummary } from '../../src/time-travel/stored-summary.js';
import { baseFor, deltaOrWhole, isStoredDelta, wholeStoredSummary } from '../../src/time-travel/summary-delta.js';

const ACTOR = 'actor-1';
/** The form this code stores: a delta is taken only against a whole summary of it. */
const FORM = storeSummary(emptySummary()).v;

const boundaryAt = (n: number): IndexEntry => ({
  occurredAtMs: 1_700_000_000_000 + n,
  recordPosition: { commit: BigInt(n), prepare: BigInt(n) },
  developmentId: `dev-${n}`,
  addedAtMs: 1_700_000_000_000 + n,
  addedPosition: { commit: BigInt(n), prepare: BigInt(n) },
  earliestAddedFromMs: 1_700_000_000_000 + n,
});

const metaAt = (n: number, built: number): SnapshotMeta => ({
  actorId: ACTOR,
  boundary: boundaryAt(n),
  builtAtMs: 1_700_000_000_000 + built,
  builtPosition: { commit: BigInt(built), prepare: BigInt(built) },
});

/** A stored summary over a few keys of each kind: small key sets, so that two of them share and differ. */
const key = (prefix: string) => fc.integer({ min: 0, max: 11 }).map((n) => `${prefix}-${n}`);
const latest = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom('1', '2/3'));
const summary: fc.Arbitrary<StoredSummary> = fc.record({
  v: fc.constant(FORM),
  n: fc.nat(500),
  a: fc.oneof(fc.constant(0 as const), latest),
  p: fc.uniqueArray(fc.tuple(key('topic'), latest), { selector: ([id]) => id, maxLength: 8 }),
  r: fc.uniqueArray(
    fc.tuple(
      key('actor'),
      fc.nat(9),
      fc.integer({ min: -5, max: 5 }),
      fc.nat(9),
      fc.option(key('dev')),
      fc.option(fc.integer({ min: -5, max: 5 })),
      fc.constantFrom(0, 1),
      latest.map((values) => values.join('|')),
      fc.oneof(
        fc.constant(0),
        latest.map((values) => values.join('|')),
      ),
    ),
    { selector: ([id]) => id, maxLength: 12 },
  ),
  m: fc.uniqueArray(fc.tuple(key('meeting'), fc.integer({ min: 1, max: 3 })), {
    selector: ([id]) => id,
    maxLength: 6,
  }),
}) as fc.Arbitrary<StoredSummary>;

/**
 * A summary and a later one: the first with some keys changed (to those of another summary), some gone, some new,
 * and its order shuffled; from a few keys changed to all of them.
 */
const summaryAndNext: fc.Arbitrary<[StoredSummary, StoredSummary]> = fc
  .tuple(summary, summary, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer())
  .map(([base, other, share, seed]) => {
    let state = seed;
    const chance = () => ((state = (state * 1_103_515_245 + 12_345) & 0x7fffffff) % 1_000) / 1_000 < share;
    const next = <E extends readonly [string, ...unknown[]]>(mine: readonly E[], theirs: readonly E[]): E[] => {
      const entries = new Map(mine.map((entry) => [entry[0], entry]));
      for (const entry of theirs) if (chance()) entries.set(entry[0], entry);
      for (const id of [...entries.keys()]) if (chance() && chance()) entries.delete(id);
      return [...entries.values()].reverse();
    };
    return [
      base,
      { v: FORM, n: other.n, a: other.a, p: next(base.p, other.p), r: next(base.r, other.r), m: next(base.m, other.m) },
    ];
  });

/** Order of the keys does not matter to a summary: compared as maps. */
const byKey = (stored: StoredSummary | undefined) =>
  stored && {
    n: stored.n,
    a: stored.a,
    p: new Map(stored.p.map((entry) => [entry[0], entry])),
    r: new Map(stored.r.map((entry) => [entry[0], entry])),
    m: new Map(stored.m.map((entry) => [entry[0], entry])),
  };

describe('snapshots stored as deltas', () => {
  it('read back as the whole summary they were taken from, over any base', async () => {
    let deltas = 0;
    let wholes = 0;
    await fc.assert(
      fc.asyncProperty(summaryAndNext, async ([base, whole]) => {
        const store = createMemoryReadStore();
        try {
          const baseMeta = metaAt(10, 20);
          await store.commit({
            versions: [],
            entries: [],
            snapshots: [{ ...baseMeta, state: base }],
            subtopics: [],
            clock: [],
            checkpoint: { position: baseMeta.builtPosition, recordedAtMs: baseMeta.builtAtMs },
          });
          const stored = deltaOrWhole(whole, await baseFor(store, ACTOR, baseMeta.boundary));
          if (isStoredDelta(stored)) deltas++;
          else wholes++;
          expect(byKey(await wholeStoredSummary(store, ACTOR, stored))).toEqual(byKey(whole));
        } finally {
          await store.close();
        }
      }),
      { numRuns: 300 },
    );
    // Both outcomes were met: a delta where little differed, the whole summary where much did.
    expect(deltas).toBeGreaterThan(10);
    expect(wholes).toBeGreaterThan(10);
  });

  it('take the base behind the nearest boundary, never a delta, and read nothing for a base that is not there', async () => {
    const store = createMemoryReadStore();
    try {
      const wide: StoredSummary = {
        v: FORM,
        n: 10,
        a: 0,
        p: [],
        r: Array.from({ length: 10 }, (_, n) => [`actor-${n}`, 1, 0, 0, 'dev-5', null, 1, '1|5|5|dev-5|', 0] as const),
        m: [],
      };
      const first = metaAt(10, 20);
      const second = metaAt(30, 40);
      // Built last, far along the index: the base of the snapshot after it, not of one built again at 10 or 30.
      const far = metaAt(1_000, 50);
      const changed = {
        ...wide,
        n: 11,
        r: [...wide.r.slice(1), ['actor-99', 1, 0, 0, 'dev-6', null, 1, '1|6|6|dev-6|', 0]],
      };
      const delta = deltaOrWhole(changed as StoredSummary, { meta: first, state: wide });
      expect(isStoredDelta(delta)).toBe(true);
      await store.commit({
        versions: [],
        entries: [],
        snapshots: [
          { ...first, state: wide },
          { ...second, state: delta },
          { ...far, state: { ...wide, n: 99 } },
        ],
        subtopics: [],
        clock: [],
        checkpoint: { position: far.builtPosition, recordedAtMs: far.builtAtMs },
      });
      // At 30 the newest version is a delta: the next one there is taken against its base, never against a delta.
      expect((await baseFor(store, ACTOR, second.boundary))?.meta).toEqual(first);
      expect((await baseFor(store, ACTOR, boundaryAt(12)))?.meta).toEqual(first);
      expect((await baseFor(store, ACTOR, boundaryAt(25)))?.meta).toEqual(first);
      expect((await baseFor(store, ACTOR, boundaryAt(900)))?.meta).toEqual(far);
      expect((await baseFor(store, ACTOR, boundaryAt(2_000)))?.meta).toEqual(far);
      // 10 built again, whole: its newest version is the base there.
      const again = metaAt(10, 60);
      await store.commit({
        versions: [],
        entries: [],
        snapshots: [{ ...again, state: { ...wide, n: 12 } }],
        subtopics: [],
        clock: [],
        checkpoint: { position: again.builtPosition, recordedAtMs: again.builtAtMs },
      });
      expect((await baseFor(store, ACTOR, boundaryAt(12)))?.meta).toEqual(again);
      const elsewhere = createMemoryReadStore();
      try {
        expect(await wholeStoredSummary(elsewhere, ACTOR, delta)).toBeUndefined();
      } finally {
        await elsewhere.close();
      }
    } finally {
      await store.close();
    }
  });

  it('read nothing from snapshots of the forms before, whole or delta, and take no base among them', async () => {
    const store = createMemoryReadStore();
    try {
      // Form 1 (a relation's last tones in full) and its deltas, form 2: what another form wrote is refolded, never
      // read as this one.
      const relation = ['actor-2', 1, 500_000, 1, [1, 5, '5', 'dev-5', null], [1, 5, '5', 'dev-5', 0.5]];
      const oldWhole = { v: 1, n: 1, a: 0, p: [], r: [relation], m: [] };
      const first = metaAt(10, 20);
      const second = metaAt(30, 40);
      const oldDelta = { ...oldWhole, v: 2, b: [first.boundary.occurredAtMs, '10', '20'], g: [[], [], []] };
      await store.commit({
        versions: [],
        entries: [],
        snapshots: [
          { ...first, state: oldWhole },
          { ...second, state: oldDelta },
        ],
        subtopics: [],
        clock: [],
        checkpoint: { position: second.builtPosition, recordedAtMs: second.builtAtMs },
      });
      expect(await wholeStoredSummary(store, ACTOR, oldWhole)).toBeUndefined();
      expect(await wholeStoredSummary(store, ACTOR, oldDelta)).toBeUndefined();
      expect(await baseFor(store, ACTOR, second.boundary)).toBeUndefined();
      // A delta of this form on a base of the old one is not read either.
      const empty = storeSummary(emptySummary());
      const { v } = deltaOrWhole(empty, { meta: first, state: empty });
      const delta = { ...oldDelta, v };
      expect(isStoredDelta(delta)).toBe(true);
      expect(await wholeStoredSummary(store, ACTOR, delta)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
