import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../src/read-store/record-codec.js';
import { isStoredSummary } from '../../src/time-travel/stored-summary.js';
import { development, openHarness, registerBasics } from '../support/timeline-harness.js';

/** The JSON of the shared read models: what plain JSON would bend comes back as it went in. */

describe('record codec', () => {
  it('keeps Maps, Sets, Dates, bigints and non-finite numbers, nested anywhere', () => {
    const value = {
      position: { commit: 12n, prepare: 2n ** 63n },
      at: new Date('2025-10-16T00:00:00.123Z'),
      open: Infinity,
      below: -Infinity,
      relations: new Map<string, unknown>([
        ['boris', { count: 2, last: new Date(0), tones: new Set([1, -3]) }],
        ['acme', null],
      ]),
      list: [new Set(['a']), new Map([[1, 2n]]), undefined, 'plain'],
      nested: { deeper: { empty: new Map(), none: new Set() } },
    };
    expect(decodeRecord(encodeRecord(value))).toStrictEqual({
      ...value,
      list: [new Set(['a']), new Map([[1, 2n]]), null, 'plain'],
    });
  });

  it('leaves plain JSON as JSON would', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodeRecord(encodeRecord(value))).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the snapshots a real projection leaves in the store', async () => {
    const harness = await openHarness({ snapshotEvery: 2 });
    try {
      await registerBasics(harness);
      for (let n = 1; n <= 6; n++) {
        await harness.run(
          'recordDevelopment',
          development({ id: `dev-${n}`, tone: n - 3, occurredAt: `2025-01-0${n}T00:00:00.000Z` }),
        );
      }
      // Snapshots are written with the batch after the one that left them due: one more write brings the last in.
      await harness.run('registerActor', { id: 'last-one', name: 'Last', kind: 'PERSON' });
      const metas = await harness.readStore.snapshotMetas('alice');
      expect(metas.length).toBeGreaterThanOrEqual(2);
      const states = await Promise.all(metas.map((meta) => harness.readStore.snapshotState(meta)));
      expect(states.every(isStoredSummary)).toBe(true);
      expect(decodeRecord(encodeRecord(states))).toStrictEqual(states);
    } finally {
      await harness.dispose();
    }
  });
});
