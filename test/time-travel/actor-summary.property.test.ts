import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DevelopmentState } from '../../src/domain/development.js';
import { comparePlaces } from '../../src/read-store/places.js';
import type { Place } from '../../src/read-store/read-model-store.js';
import {
  applyDevelopment,
  emptySummary,
  isComplete,
  mergeSummaries,
  relationTally,
  summaryAnswer,
  type ActorSummary,
} from '../../src/time-travel/actor-summary.js';
import { packLatest, restoreSummary, storeSummary, unpackLatest } from '../../src/time-travel/stored-summary.js';

/**
 * A snapshot's summary takes developments in any order and gives any of them back (time-travel/actor-summary.ts):
 * whatever was added and removed, in whatever order, it must answer what a fold in world order of what is left
 * answers, or say that a latest value is unknown; and the form a snapshot stores it in must give it back whole.
 * Pure functions: no store here.
 */

const OTHERS = ['ben', 'cy', 'dee'] as const;

interface Placed {
  readonly development: DevelopmentState;
  readonly place: Place;
}

const developmentArb = (ordinal: number) =>
  fc
    .record({
      occurredAtMs: fc.integer({ min: 0, max: 5 }),
      role: fc.constantFrom('SOURCE', 'TARGET', 'MENTIONED'),
      others: fc.subarray([...OTHERS], { minLength: 0, maxLength: 2 }),
      otherRole: fc.constantFrom('SOURCE', 'TARGET'),
      stance: fc.option(
        fc.record({ topicId: fc.constantFrom('trade', 'border'), stance: fc.constantFrom('SUPPORTS', 'OPPOSES') }),
        { nil: undefined },
      ),
      tone: fc.option(
        fc.integer({ min: -20, max: 20 }).map((n) => n / 2),
        { nil: undefined },
      ),
      meeting: fc.option(fc.constantFrom('summit-1', 'summit-2'), { nil: undefined }),
      namesAna: fc.boolean(),
    })
    .map((drawn): Placed => {
      const recordPosition = { commit: BigInt(ordinal + 1), prepare: BigInt(ordinal + 1) };
      const occurredAt = new Date(drawn.occurredAtMs * 86_400_000).toISOString();
      const development = {
        id: `dev-${ordinal}`,
        occurredAt,
        recordPosition,
        retracted: false,
        tone: drawn.tone,
        quotes: [],
        participants: [
          ...(drawn.namesAna ? [{ actorId: 'ana', role: drawn.role }] : []),
          ...drawn.others.map((actorId) => ({ actorId, role: drawn.otherRole })),
        ],
        positions: drawn.stance && drawn.namesAna ? [{ actorId: 'ana', ...drawn.stance }] : [],
        meeting: drawn.meeting && { id: drawn.meeting, participantIds: [] },
      } as unknown as DevelopmentState;
      return { development, place: { occurredAtMs: drawn.occurredAtMs * 86_400_000, recordPosition } };
    });

const historyArb = fc
  .integer({ min: 1, max: 24 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, ordinal) => developmentArb(ordinal))));

const foldInWorldOrder = (placed: readonly Placed[]): ActorSummary => {
  const summary = emptySummary();
  for (const { development, place } of [...placed].sort((a, b) => comparePlaces(a.place, b.place))) {
    applyDevelopment(summary, development, 'ana', place, 1);
  }
  return summary;
};

/** Every pending relation restored, as a fold that changed them all would have them. */
const settled = (summary: ActorSummary): ActorSummary => {
  for (const otherId of [...(summary.pending?.stored.keys() ?? [])]) relationTally(summary, otherId);
  return summary;
};

describe('the actor summary a snapshot keeps', () => {
  it('answers, after any additions and removals in any order, what a fold in world order of what is left answers', () => {
    let incomplete = 0;
    let checked = 0;
    fc.assert(
      fc.property(
        historyArb,
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 24 }),
        (history, orderKey, removals) => {
          const added = [...history].sort((a, b) => orderKey(a.development.id) - orderKey(b.development.id));
          const summary = emptySummary();
          for (const { development, place } of added) applyDevelopment(summary, development, 'ana', place, 1);
          // Whatever the order, nothing is unknown before a removal.
          expect(isComplete(summary)).toBe(true);
          expect(summaryAnswer(summary)).toEqual(summaryAnswer(foldInWorldOrder(history)));

          const left = new Map(history.map((placed) => [placed.development.id, placed]));
          // Through the form a snapshot stores, as a question starts from one.
          const removing = restoreSummary(storeSummary(summary), 'ana');
          expect(summaryAnswer(removing)).toEqual(summaryAnswer(summary));
          for (const pick of removals) {
            const ids = [...left.keys()];
            if (ids.length === 0) break;
            const gone = left.get(ids[pick % ids.length]!)!;
            left.delete(gone.development.id);
            applyDevelopment(removing, gone.development, 'ana', gone.place, -1);
          }
          const expected = summaryAnswer(foldInWorldOrder([...left.values()]));
          // Counts never depend on what was kept.
          const counts = (tallies: ActorSummary['relations']) =>
            [...tallies].map(([otherId, tally]) => [otherId, tally.developmentCount, tally.toneCount]).sort();
          expect(removing.developmentCount).toBe(expected.developmentCount);
          expect([...removing.meetings.keys()].sort()).toEqual(expected.meetingIds);
          const complete = isComplete(removing);
          if (complete) expect(summaryAnswer(removing)).toEqual(expected);
          expect(counts(settled(removing).relations)).toEqual(counts(foldInWorldOrder([...left.values()]).relations));
          expect(isComplete(removing)).toBe(complete);
          if (complete) {
            expect(summaryAnswer(removing)).toEqual(expected);
            checked++;
          } else incomplete++;
          // The copy was not touched by the removals.
          expect(summaryAnswer(summary)).toEqual(summaryAnswer(foldInWorldOrder(history)));
        },
      ),
      { numRuns: 2_000 },
    );
    // Both outcomes were met: removals that left every latest value known, and some that took all kept ones.
    expect(checked).toBeGreaterThan(1_000);
    expect(incomplete).toBeGreaterThan(0);
  });

  it('comes back from the form a snapshot stores as it was, kept contributions and their order included', () => {
    // Relations whose last tones keep one that `last` does not, and whose `last` keeps one `lastTone` does not.
    let tonesApart = 0;
    let lastApart = 0;
    fc.assert(
      fc.property(historyArb, fc.array(fc.nat(), { maxLength: 48 }), (history, toggles) => {
        const summary = emptySummary();
        for (const { development, place } of history) applyDevelopment(summary, development, 'ana', place, 1);
        // Removals and additions again after them, in any order: what leaves `last` and `lastTone` apart.
        const present = new Set(history.map((_, at) => at));
        for (const pick of toggles) {
          const at = pick % history.length;
          const sign = present.delete(at) ? -1 : 1;
          if (sign === 1) present.add(at);
          applyDevelopment(summary, history[at]!.development, 'ana', history[at]!.place, sign);
        }
        const stored = storeSummary(summary);
        const text = JSON.stringify(stored);
        const restored = restoreSummary(stored, 'ana');
        // Relations stay in the stored form until the fold changes them, and answer the same from there.
        expect(isComplete(restored)).toBe(isComplete(summary));
        if (isComplete(summary)) expect(summaryAnswer(restored)).toEqual(summaryAnswer(summary));
        expect(storeSummary(restored)).toEqual(stored);
        expect({ ...settled(restored), pending: undefined }).toEqual(summary);
        // The stored form is shared through the cache: what the caller does with its summary never reaches it.
        for (const { development, place } of history) applyDevelopment(restored, development, 'ana', place, 1);
        expect(JSON.stringify(stored)).toBe(text);
        for (const [, , , , , , , packed, packedTone] of stored.r) {
          const last = unpackLatest(packed);
          const lastTone = packedTone === 0 ? 0 : unpackLatest(packedTone);
          if (lastTone !== 0 && lastTone.length > 1) tonesApart++;
          if (lastTone !== 0 && last.some((value, at) => at % 4 === 0 && at > 0 && value === null)) lastApart++;
        }
      }),
      { numRuns: 1_000 },
    );
    expect(tonesApart).toBeGreaterThan(0);
    expect(lastApart).toBeGreaterThan(0);
  });
});

/** The parts of a summary that a fold sets, with every relation restored: what two summaries equal in. */
const folded = (summary: ActorSummary) => {
  const { developmentCount, lastActive, positions, relations, meetings } = settled(summary);
  return { developmentCount, lastActive, positions, relations, meetings };
};

describe('summaries of adjacent ranges, merged', () => {
  /** A history cut in world order into up to four ranges, each folded in an order of its own. */
  const rangesArb = fc.tuple(
    historyArb,
    fc.array(fc.nat(), { maxLength: 3 }),
    fc.func(fc.integer()),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  );
  const cut = (history: readonly Placed[], cuts: readonly number[]): Placed[][] => {
    const inOrder = [...history].sort((a, b) => comparePlaces(a.place, b.place));
    const at = [...new Set(cuts.map((pick) => pick % (inOrder.length + 1)))].sort((a, b) => a - b);
    return [0, ...at].map((from, index) => inOrder.slice(from, at[index] ?? inOrder.length));
  };
  const summaryOf = (
    range: readonly Placed[],
    orderKey: (id: string) => number,
    stored: boolean,
    removed: ReadonlySet<string> = new Set(),
  ): ActorSummary => {
    const summary = emptySummary();
    const order = [...range].sort((a, b) => orderKey(a.development.id) - orderKey(b.development.id));
    for (const { development, place } of order) applyDevelopment(summary, development, 'ana', place, 1);
    // As a question would meet it: restored from the form a snapshot stores, its relations pending.
    const start = stored ? restoreSummary(storeSummary(summary), 'ana') : summary;
    for (const { development, place } of order) {
      if (removed.has(development.id)) applyDevelopment(start, development, 'ana', place, -1);
    }
    return start;
  };

  it('give what one fold of them all gives, kept contributions included', () => {
    fc.assert(
      fc.property(rangesArb, ([history, cuts, orderKey, storedForm]) => {
        const ranges = cut(history, cuts);
        const summaries = ranges.map((range, at) => summaryOf(range, orderKey, storedForm[at]!));
        const merged = summaries.reduce((earlier, later) => mergeSummaries(earlier, later));
        const whole = foldInWorldOrder(history);
        expect(isComplete(merged)).toBe(true);
        expect(summaryAnswer(merged)).toEqual(summaryAnswer(whole));
        expect(folded(merged)).toEqual(folded(whole));
      }),
      { numRuns: 2_000 },
    );
  });

  it('after removals within each range, answer what a fold of what is left answers, or say a latest is unknown', () => {
    let checked = 0;
    let unknown = 0;
    fc.assert(
      fc.property(rangesArb, fc.array(fc.nat(), { maxLength: 12 }), ([history, cuts, orderKey, storedForm], picks) => {
        const removed = new Set(picks.map((pick) => history[pick % history.length]!.development.id));
        const ranges = cut(history, cuts);
        const summaries = ranges.map((range, at) => summaryOf(range, orderKey, storedForm[at]!, removed));
        const merged = summaries.reduce((earlier, later) => mergeSummaries(earlier, later));
        const left = foldInWorldOrder(history.filter(({ development }) => !removed.has(development.id)));
        const expected = summaryAnswer(left);
        // Counts never depend on what was kept.
        expect(merged.developmentCount).toBe(expected.developmentCount);
        expect([...merged.meetings.keys()].sort()).toEqual(expected.meetingIds);
        const counts = (summary: ActorSummary) =>
          [...settled(summary).relations].map(([otherId, tally]) => [otherId, tally.developmentCount, tally.toneSum]);
        if (isComplete(merged)) {
          expect(summaryAnswer(merged)).toEqual(expected);
          checked++;
        } else unknown++;
        expect(counts(merged).sort()).toEqual(counts(left).sort());
      }),
      { numRuns: 2_000 },
    );
    // Both outcomes were met.
    expect(checked).toBeGreaterThan(1_000);
    expect(unknown).toBeGreaterThan(0);
  });
});

describe("a relation's kept contributions as text", () => {
  it('unpack to exactly the list that was packed, whatever the ids, positions and tones', () => {
    // Ids as the event schemas allow them (events/fields.ts), positions as positionText writes them.
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);
    const position = fc.oneof(
      fc.bigInt(0n, 2n ** 63n - 1n).map(String),
      fc.tuple(fc.bigInt(0n, 2n ** 63n - 1n), fc.bigInt(0n, 2n ** 63n - 1n)).map(([c, p]) => `${c}/${p}`),
    );
    const tone = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)));
    const contribution = fc.tuple(fc.integer({ min: -8.64e15, max: 8.64e15 }), position, id, tone);
    fc.assert(
      fc.property(fc.nat(), fc.array(contribution, { maxLength: 3 }), (count, kept) => {
        const stored = [count, ...kept.flat()];
        expect(unpackLatest(packLatest(stored))).toEqual(stored);
      }),
    );
  });
});

describe("a snapshot's pending relation", () => {
  const place = (occurredAtMs: number, position: number): Place => ({
    occurredAtMs,
    recordPosition: { commit: BigInt(position), prepare: BigInt(position) },
  });
  const ranked = <V>(developmentId: string, at: Place, value: V) => ({ place: at, developmentId, value });
  const summaryWith = (tally: ActorSummary['relations'] extends Map<string, infer T> ? T : never): ActorSummary => {
    const summary = emptySummary();
    summary.relations.set('ben', tally);
    return summary;
  };

  it('answers a last tone newer than every toned contribution its last keeps, as restored', () => {
    // d3 came while `last` kept none below its lowest (incomplete), so only `lastTone` keeps it: newer than d1.
    const summary = summaryWith({
      developmentCount: 4,
      toneSum: 3_000_000,
      toneCount: 2,
      last: { count: 4, ranked: [ranked('d4', place(40, 4), null), ranked('d1', place(10, 1), null)] },
      lastTone: { count: 2, ranked: [ranked('d3', place(30, 3), 2), ranked('d1', place(10, 1), 1)] },
    });
    const restored = restoreSummary(storeSummary(summary), 'ana');
    expect(summaryAnswer(restored).relations).toEqual(summaryAnswer(summary).relations);
    expect(summaryAnswer(restored).relations[0]).toMatchObject({ lastTone: 2, lastDevelopmentId: 'd4' });
  });

  it('is unknown when removals took all that its last keeps, even with its last tones known', () => {
    const summary = summaryWith({
      developmentCount: 2,
      toneSum: 1_000_000,
      toneCount: 1,
      last: { count: 2, ranked: [] },
      lastTone: { count: 1, ranked: [ranked('d1', place(10, 1), 1)] },
    });
    expect(isComplete(summary)).toBe(false);
    expect(isComplete(restoreSummary(storeSummary(summary), 'ana'))).toBe(false);
    // And the other way round: its last known, its last tones all taken.
    const tonesGone = summaryWith({
      developmentCount: 2,
      toneSum: 1_000_000,
      toneCount: 1,
      last: { count: 2, ranked: [ranked('d2', place(20, 2), null)] },
      lastTone: { count: 1, ranked: [] },
    });
    expect(isComplete(tonesGone)).toBe(false);
    expect(isComplete(restoreSummary(storeSummary(tonesGone), 'ana'))).toBe(false);
  });
});
