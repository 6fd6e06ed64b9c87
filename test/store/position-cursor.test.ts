import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePositions, type LogPosition } from '../../events/envelope.js';
import { decodePosition, encodePosition } from '../../src/store/position-cursor.js';

const position = (commit: bigint, prepare = commit): LogPosition => ({ commit, prepare });
const arbitraryPosition = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }))
  .map(([commit, prepare]) => position(commit, prepare));

describe('position cursors', () => {
  it('are 32 lower-case hex digits: commit then prepare', () => {
    expect(encodePosition(position(0n))).toBe('0'.repeat(32));
    expect(encodePosition(position(255n, 1n))).toBe(`${'0'.repeat(14)}ff${'0'.repeat(15)}1`);
    expect(encodePosition(position((1n << 64n) - 1n))).toBe('f'.repeat(32));
  });

  it('decode what they encode', () => {
    fc.assert(
      fc.property(arbitraryPosition, (p) => {
        expect(decodePosition(encodePosition(p))).toEqual(p);
      }),
    );
  });

  it('sort as strings in the order of the log', () => {
    fc.assert(
      fc.property(arbitraryPosition, arbitraryPosition, (a, b) => {
        const [x, y] = [encodePosition(a), encodePosition(b)];
        const stringOrder = x < y ? -1 : x > y ? 1 : 0;
        expect(stringOrder).toBe(Math.sign(comparePositions(a, b)));
      }),
    );
  });

  it('decode anything malformed to null', () => {
    for (const malformed of [
      '',
      'not a cursor',
      '0'.repeat(31),
      '0'.repeat(33),
      'F'.repeat(32),
      `${'0'.repeat(31)}g`,
      ` ${'0'.repeat(31)}`,
      `${'0'.repeat(32)}\n`,
      `-${'0'.repeat(31)}`,
    ]) {
      expect(decodePosition(malformed), JSON.stringify(malformed)).toBeNull();
    }
  });

  it('refuse positions that do not fit in 64 bits', () => {
    expect(() => encodePosition(position(-1n))).toThrow(RangeError);
    expect(() => encodePosition(position(0n, 1n << 64n))).toThrow(RangeError);
  });
});
