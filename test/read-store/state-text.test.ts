import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../src/read-store/record-codec.js';
import { decodeStateText, encodeStateText } from '../../src/read-store/state-text.js';

// How both stores keep a version's state (SQLite's versions table, Redis' version strings).
describe('state text', () => {
  it('keeps every state exactly, however much of it looks like a token', () => {
    const states: unknown[] = [
      { kind: 'x', title: '"title":"', summary: '\x01\x1d\x1e\x1f', ids: new Set(['"id":"']), at: new Date(5) },
      new Map<unknown, unknown>([['{"$map":[["', 1n]]),
      '{"commit":{"$bigint":"',
      [Infinity, -Infinity, null, 0, '', 'é✓😀'],
      // Dates kept short, and those whose ISO text would not come back so (years past 9999, before 0).
      { at: new Date('2026-12-05T23:44:40.153Z'), then: [new Date(-1), new Date(8.64e15), new Date(-6.2e13)] },
      { text: '{"$date":"2026-12-05T23:44:40.153Z"}' },
    ];
    for (const state of states) {
      const text = encodeStateText(state);
      expect(text.includes('\x1e') || text.includes('\x1f')).toBe(false);
      expect(decodeStateText(text)).toEqual(state);
    }
    // A development's three dates take 8 characters each, rather than 24.
    const dates = { occurredAt: new Date(1.7e12), recordedAt: new Date(1.8e12), publishedAt: new Date(1.75e12) };
    expect(encodeStateText(dates).length).toBeLessThanOrEqual(encodeRecord(dates).length - 3 * 16 - 3 * 10);
    // Exactly what the record codec gives back (JSON itself writes -0 as 0).
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodeStateText(encodeStateText(value))).toEqual(decodeRecord(encodeRecord(value)));
      }),
    );
  });

  it('leaves out what a version repeats of itself, and gives every state back exactly, whatever its header', () => {
    const position = { commit: 64_384n, prepare: 64_384n };
    const recordedAtMs = Date.parse('2026-12-06T08:12:07.341Z');
    const header = { id: 'dev-0059105', position, recordedAtMs };
    // A development as its first recording leaves it.
    const development = {
      kind: 'ACCUSE',
      title: 'Velkov accuses Levath',
      occurredAt: '2020-07-02T21:32:00.000Z',
      precision: 'INSTANT',
      participants: [{ actorId: 'actor-1607', role: 'SOURCE' }],
      topicIds: ['topic-051'],
      quotes: [],
      sources: [],
      positions: [],
      tone: -5.1,
      id: 'dev-0059105',
      recordedAt: new Date(recordedAtMs),
      recordPosition: position,
      revision: 0,
      status: 'REPORTED',
      verifications: [],
      corrections: [],
      retracted: false,
    };
    const text = encodeStateText(development, header);
    expect(decodeStateText(text, header)).toEqual(development);
    expect(text.length).toBeLessThanOrEqual(encodeStateText(development).length - 25);
    for (const absent of ['REPORTED', 'dev-0059105', '64384', '2020-07-02']) expect(text).not.toContain(absent);
    // Another version of it (a later revision): what no longer matches its header stays in full.
    const later = { ...header, position: { commit: 70_000n, prepare: 70_000n }, recordedAtMs: recordedAtMs + 1 };
    const corrected = { ...development, revision: 1, status: 'DISPUTED' };
    const laterText = encodeStateText(corrected, later);
    expect(decodeStateText(laterText, later)).toEqual(corrected);
    expect(laterText).toContain('64384');

    const anyHeader = fc.record({
      id: fc.oneof(fc.string(), fc.constantFrom('d1', 'dev-1', '"id"', '\x00E')),
      position: fc.oneof(
        fc.record({ commit: fc.bigInt(0n, 2n ** 63n - 1n), prepare: fc.bigInt(0n, 2n ** 63n - 1n) }),
        fc.bigInt(0n, 99n).map((n) => ({ commit: n, prepare: n })),
      ),
      recordedAtMs: fc.integer({ min: -8.64e15, max: 8.64e15 }),
    });
    // States that hold their header's values, ISO dates as strings and dates, and the tokens' look-alikes.
    const state = (h: { id: string; position: { commit: bigint; prepare: bigint }; recordedAtMs: number }) =>
      fc.record({
        id: fc.oneof(fc.constant(h.id), fc.string()),
        at: fc.oneof(fc.constant(new Date(h.recordedAtMs)), fc.date({ noInvalidDate: true })),
        when: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        recordPosition: fc.oneof(fc.constant(h.position), fc.constant({ commit: 1n, prepare: 1n })),
        rest: fc.oneof(fc.constant(development), fc.jsonValue(), fc.constantFrom('\x00A', '\x00B1', '\x00Dz')),
      });
    fc.assert(
      fc.property(
        anyHeader.chain((h) => fc.tuple(fc.constant(h), state(h))),
        ([h, value]) => {
          const encoded = encodeStateText(value, h);
          expect(encoded.includes('\x1e') || encoded.includes('\x1f')).toBe(false);
          expect(decodeStateText(encoded, h)).toEqual(decodeRecord(encodeRecord(value)));
        },
      ),
    );
  });

  it("refuses to read a version's own pieces without its header, rather than guess them", () => {
    const header = { id: 'd1', position: { commit: 7n, prepare: 7n }, recordedAtMs: 1_000 };
    const text = encodeStateText({ id: 'd1', recordPosition: header.position, recordedAt: new Date(1_000) }, header);
    expect(() => decodeStateText(text)).toThrow(/no version header/);
    expect(decodeStateText(text, header)).toEqual({
      id: 'd1',
      recordPosition: header.position,
      recordedAt: new Date(1_000),
    });
  });
});
