import { describe, expect, it } from 'vitest';
import { pointLoss } from '../../src/eval/pointLoss.js';

describe('pointLoss', () => {
  it('is the log loss of the true class for classification and the squared error for regression', () => {
    expect(pointLoss('binary', 1, Float32Array.of(0.8), 0, 1)).toBeCloseTo(-Math.log(0.8), 6);
    expect(pointLoss('binary', 0, Float32Array.of(0.5, 0.8), 1, 1)).toBeCloseTo(-Math.log(0.2), 6);
    expect(pointLoss('multiclass', 2, Float32Array.of(0.1, 0.2, 0.7, 0.6, 0.3, 0.1), 1, 3)).toBeCloseTo(-Math.log(0.1), 6);
    expect(pointLoss('regression', 2, Float32Array.of(9, 1.5), 1, 1)).toBeCloseTo(0.25, 6);
  });

  it('stays finite for a confident wrong prediction', () => {
    expect(Number.isFinite(pointLoss('binary', 1, Float32Array.of(0), 0, 1))).toBe(true);
    expect(pointLoss('binary', 1, Float32Array.of(0), 0, 1)).toBeGreaterThan(10);
  });
});
