import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastDecimal } from '../../src/records/fastDecimal.js';

/** Decimal texts of every shape decode meets: signs, points, exponents, leading/trailing zeros, many digits. */
const decimalText = fc
  .record({
    sign: fc.constantFrom('', '-', '+'),
    int: fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '7', '9'), maxLength: 12 }),
    point: fc.boolean(),
    frac: fc.string({ unit: fc.constantFrom('0', '1', '3', '5', '8', '9'), maxLength: 22 }),
    exp: fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 45 })), { nil: undefined }),
  })
  .map(({ sign, int, point, frac, exp }) => `${sign}${int}${point ? '.' : ''}${point ? frac : ''}${exp ? `${exp[0]}${exp[1]}${exp[2]}` : ''}`);

describe('fastDecimal', () => {
  it('equals Number(text) bit for bit when it answers (exact mode), and answers for short plain decimals', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const fast = fastDecimal(text);
        if (!Number.isNaN(fast)) expect(Object.is(fast, Number(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    for (const text of ['0', '-0', '0.056443', '-2.5e+2', '.5', '5.', '+7', '1E3', '123456789012345']) {
      expect(Object.is(fastDecimal(text), Number(text))).toBe(true);
    }
  });

  it('rounds to the same float32 as Number(text) in float32 mode, full-precision doubles included', () => {
    fc.assert(
      fc.property(fc.oneof(decimalText, fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }).map(String)), (text) => {
        const fast = fastDecimal(text, true);
        if (!Number.isNaN(fast)) expect(Object.is(Math.fround(fast), Math.fround(Number(text)))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    expect(Number.isNaN(fastDecimal('0.12345678901234567'))).toBe(true);
    expect(Math.fround(fastDecimal('0.12345678901234567', true))).toBe(Math.fround(Number('0.12345678901234567')));
  });

  it('leaves everything else to the general path (NaN): spaces, empty, other grammar, huge exponents, beyond float32', () => {
    for (const text of ['', ' 1', '1 ', '.', '-', '1e', '1e+', 'e5', '1.2.3', '0x10', '1_000', 'NaN', 'inf', '1e400', '1e99999', '4e38', '123456789012345678901234']) {
      expect(fastDecimal(text, true)).toBeNaN();
    }
  });
});
