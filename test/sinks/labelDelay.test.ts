import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { labelDelay } from '../../src/sinks/labelDelay.js';

const draws = (next: () => number, n: number): number[] => Array.from({ length: n }, next);

describe('labelDelay', () => {
  it('a whole number is a fixed delay', () => {
    expect(draws(labelDelay('500'), 3)).toEqual([500, 500, 500]);
    expect(draws(labelDelay('0'), 2)).toEqual([0, 0]);
  });

  it('uniform:MIN:MAX gives whole numbers in [MIN, MAX], both ends reached, mean near the middle', () => {
    const values = draws(labelDelay('uniform:100:110', 3), 20_000);
    expect(values.every((v) => Number.isInteger(v) && v >= 100 && v <= 110)).toBe(true);
    expect(new Set(values).size).toBe(11);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(104.8);
    expect(mean).toBeLessThan(105.2);
    expect(draws(labelDelay('uniform:7:7'), 3)).toEqual([7, 7, 7]);
  });

  it('exp:MEAN gives whole numbers >= 0 with that mean', () => {
    const values = draws(labelDelay('exp:500', 11), 40_000);
    expect(values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 500)).toBeLessThan(15); // standard error 500/200 = 2.5
    // Exponential: about e^-1 of the draws exceed the mean.
    expect(values.filter((v) => v > 500).length / values.length).toBeCloseTo(Math.exp(-1), 1);
  });

  it('the same seed gives the same delays, another seed others', () => {
    expect(draws(labelDelay('uniform:0:1000', 42), 50)).toEqual(draws(labelDelay('uniform:0:1000', 42), 50));
    expect(draws(labelDelay('exp:300', 42), 50)).not.toEqual(draws(labelDelay('exp:300', 43), 50));
  });

  it.each([
    ['-5', /not a record count or a known distribution/],
    ['1.5', /not a record count/],
    ['', /not a record count/],
    ['uniform:9:3', /MIN <= MAX/],
    ['uniform:1', /two whole numbers/],
    ['uniform:1:2.5', /two whole numbers/],
    ['exp:0', /positive, finite mean/],
    ['exp:abc', /one positive mean/],
    ['normal:5:1', /not a record count or a known distribution/],
    ['99999999999999999999', /too large/],
  ])('rejects "%s" with a ConfigError naming the flag and the accepted forms', (spec, why) => {
    expect(() => labelDelay(spec)).toThrow(ConfigError);
    expect(() => labelDelay(spec)).toThrow(why);
    expect(() => labelDelay(spec)).toThrow(/--label-delay .*N \(a whole number of records.*uniform:MIN:MAX.*exp:MEAN/);
  });
});
