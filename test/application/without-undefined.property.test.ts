import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutUndefined } from '../../src/application/commands/without-undefined.js';

describe('withoutUndefined', () => {
  it('keeps what a JSON round trip keeps, for plain data with undefined anywhere', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__proto__')), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__proto__')), plain, { maxKeys: 6 }),
        (value) => {
          expect(withoutUndefined(value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
