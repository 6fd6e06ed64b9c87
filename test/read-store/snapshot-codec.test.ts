import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/read-store/record-codec.js';
import { encodeSnapshotState, snapshotTextOf } from '../../src/read-store/snapshot-codec.js';

// A busy actor's stored summary repeats ids, places and positions across its keys: what compression is for.
const busySummary = () => ({
  v: 1,
  n: 4_000,
  a: [4_000, 1_758_240_000_000, '103949', 'dev-0097387', '2025-09-19T00:00:00.000Z'],
  p: [],
  r: Array.from({ length: 1_500 }, (_, at) => [
    `actor-${String(at).padStart(4, '0')}`,
    at % 17,
    (at % 13) / 10,
    at % 11,
    [9, 1_758_240_000_000 - at, String(103_949 - at), `dev-${String(97_387 - at).padStart(7, '0')}`, null],
    0,
  ]),
  m: [['meeting-0001', 3]],
});

describe('snapshot codec', () => {
  it('gives back the state it was given, dates and bigints included', () => {
    const state = { ...busySummary(), at: new Date('2025-10-17T00:00:00Z'), position: 12_345_678_901_234n };
    expect(decodeRecord(snapshotTextOf(encodeSnapshotState(state)))).toEqual(state);
  });

  it('keeps a busy summary in a fraction of its text', () => {
    const state = busySummary();
    const text = Buffer.byteLength(JSON.stringify(state));
    expect(encodeSnapshotState(state).length).toBeLessThan(text / 3);
  });
});
