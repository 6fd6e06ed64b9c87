import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countUpTo,
  createWorldIndex,
  indexOf,
  visibleEnd,
  type WorldIndexEntry,
} from '../../src/time-travel/world-index.js';

const entry = fc.record({
  occurredAtMs: fc.integer({ min: 0, max: 20 }),
  position: fc.integer({ min: 1, max: 30 }),
  addedAtMs: fc.integer({ min: 0, max: 40 }),
});

/** Few places, so that the same place often comes twice, earlier or later added. */
const crowded = fc.array(
  fc.record({
    occurredAtMs: fc.integer({ min: 0, max: 3 }),
    position: fc.integer({ min: 1, max: 3 }),
    addedAtMs: fc.integer({ min: 0, max: 40 }),
  }),
  { maxLength: 40 },
);

const toEntry = ({
  occurredAtMs,
  position,
  addedAtMs,
}: {
  occurredAtMs: number;
  position: number;
  addedAtMs: number;
}): WorldIndexEntry => ({
  occurredAtMs,
  recordPosition: { commit: BigInt(position), prepare: BigInt(position) },
  developmentId: `d${position}`,
  addedAtMs,
});

describe('world index', () => {
  it('keeps each place once, in world order, with the suffix minimum of addedAt, whatever order entries come in', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(entry, { maxLength: 40 }), crowded), (raw) => {
        const entries = raw.map(toEntry);
        const index = createWorldIndex();
        // Of equal places, the one added earliest counts.
        const firstOfEach = new Map<string, WorldIndexEntry>();
        for (const added of entries) {
          index.add(added);
          const key = `${added.occurredAtMs} ${added.recordPosition.commit}`;
          const kept = firstOfEach.get(key);
          if (!kept || added.addedAtMs < kept.addedAtMs) firstOfEach.set(key, added);
        }
        const expected = [...firstOfEach.values()].sort(
          (a, b) => a.occurredAtMs - b.occurredAtMs || Number(a.recordPosition.commit - b.recordPosition.commit),
        );
        expect(index.entries.map((e) => [e.occurredAtMs, e.developmentId])).toEqual(
          expected.map((e) => [e.occurredAtMs, e.developmentId]),
        );
        expect(index.earliestAddedFrom).toEqual(
          index.entries.map((_, i) => Math.min(...index.entries.slice(i).map((e) => e.addedAtMs))),
        );
        expect(indexOf(entries).earliestAddedFrom).toEqual(index.earliestAddedFrom);
      }),
      { numRuns: 500 },
    );
  });

  it('ends a fold where nothing after can count: before asOf, and at the first entry of a suffix all added after knownAt', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 40 }),
        fc.integer({ min: -1, max: 21 }),
        fc.integer({ min: -1, max: 41 }),
        (raw, asOfMs, knownAtMs) => {
          const index = indexOf(raw.map(toEntry));
          const end = visibleEnd(index, asOfMs, knownAtMs);
          const { entries } = index;
          expect(end).toBeLessThanOrEqual(countUpTo(entries, asOfMs));
          // Everything cut off was added after knownAt, and the entry just before the cut (if any) was not.
          for (const cut of entries.slice(end, countUpTo(entries, asOfMs)))
            expect(cut.addedAtMs).toBeGreaterThan(knownAtMs);
          if (end > 0 && end < countUpTo(entries, asOfMs)) {
            expect(Math.min(...entries.slice(end - 1).map((e) => e.addedAtMs))).toBeLessThanOrEqual(knownAtMs);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
