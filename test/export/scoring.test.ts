import { describe, expect, it } from 'vitest';
import { exportModelFromState } from '../../src/export/exportModelFromState.js';
import { scoredLine } from '../../src/export/scoredLine.js';
import { unlabelled } from '../../src/export/unlabelled.js';
import { decode, isRejected } from '../../src/records/decode.js';
import type { RawRecord, Schema } from '../../src/types.js';

const schema: Schema = { task: 'binary', features: ['a', 'b'], label: 'y', classes: 2 };

describe('scoredLine', () => {
  it('binary: the more probable class and [P(0), P(1)]; the key when there is one', () => {
    expect(scoredLine('binary', { position: 'f:2', key: 'k' }, [0.75])).toEqual({ position: 'f:2', key: 'k', prediction: 1, probabilities: [0.25, 0.75] });
    expect(scoredLine('binary', { position: 'f:3' }, [0.25]).prediction).toBe(0);
  });
  it('multiclass: the argmax; regression: the value, no probabilities', () => {
    expect(scoredLine('multiclass', { position: 'p' }, Float32Array.of(0.2, 0.5, 0.3)).prediction).toBe(1);
    expect(scoredLine('regression', { position: 'p' }, [412.5])).toEqual({ position: 'p', prediction: 412.5 });
  });
});

describe('unlabelled', () => {
  const decoded = (raw: RawRecord) => decode(unlabelled(raw, 'y'), schema);
  it('lets a record without its label decode, keeping the features', () => {
    const cases: RawRecord[] = [
      { index: 0, position: 'a', raw: '', fields: { a: '1', b: '2' } },
      { index: 1, position: 'b', raw: '', values: ['1', '2'], columns: ['a', 'b'] },
      { index: 2, position: 'c', raw: '', values: ['1', '2', ''], columns: ['a', 'b', 'y'] },
      { index: 3, position: 'd', raw: '', values: ['1', '2', ''] },
    ];
    for (const raw of cases) {
      expect(isRejected(decode(raw, schema)) && (decode(raw, schema) as { reason: string }).reason).toBe('missing_label');
      const sample = decoded(raw);
      expect(isRejected(sample), raw.position).toBe(false);
      expect(Array.from((sample as { x: Float32Array }).x)).toEqual([1, 2]);
    }
  });
  it('bad features are still rejected for the same reason as in train', () => {
    const sample = decoded({ index: 0, position: 'a', raw: '', values: ['x', '2'], columns: ['a', 'b'] });
    expect(isRejected(sample) && sample.reason).toBe('non_numeric');
  });
});

describe('exportModelFromState', () => {
  const summary = { task: 'binary' as const, features: ['a', 'b'], label: 'y', classes: 2, layers: [{ type: 'dense', units: 3, activation: 'tanh' }, { type: 'dropout', rate: 0.1 }] };
  const scaler = { features: { count: 4, mean: [1, 2], m2: [4, 0] }, target: null };
  const weights = [
    { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
    { shape: [3], values: [0, 0, 0] },
    { shape: [3, 1], values: [1, 1, 1] },
    { shape: [1], values: [0.5] },
  ];
  it('freezes the standardization: std from the moments, 0 for a constant feature; drops dropout', () => {
    const model = exportModelFromState({ summary, engine: { weights, optimizer: { t: 9 } }, scaler, standardize: { clip: 3 } });
    expect(model.preprocessing.means).toEqual([1, 2]);
    expect(model.preprocessing.scales).toEqual([1, 0]);
    expect(model.preprocessing.clip).toBe(3);
    expect(model.layers).toEqual([{ units: 3, activation: 'tanh' }]);
    expect(model.version).toBe(9);
    expect(model.preprocessing.label.values).toEqual([0, 1]);
  });
  it('refuses weights that do not fit the layers, naming the array and the shape', () => {
    expect(() => exportModelFromState({ summary, engine: { weights: weights.slice(0, 3) }, scaler })).toThrow(/expected 4 arrays/);
    const wrong = [...weights];
    wrong[2] = { shape: [2, 1], values: [1, 1] };
    expect(() => exportModelFromState({ summary, engine: { weights: wrong }, scaler })).toThrow(/weights\[2\]: expected shape \[3, 1\]/);
  });
  it('regression: the target scale and shift, or 1 and 0 without target standardization', () => {
    const reg = { ...summary, task: 'regression' as const, layers: [] };
    const w = [{ shape: [2, 1], values: [1, 1] }, { shape: [1], values: [0] }];
    const withTarget = exportModelFromState({ summary: reg, engine: { weights: w }, scaler: { ...scaler, target: { count: 4, mean: [10], m2: [16] } } });
    expect(withTarget.preprocessing.target).toEqual({ scale: 2, shift: 10 });
    expect(exportModelFromState({ summary: reg, engine: { weights: w }, scaler }).preprocessing.target).toEqual({ scale: 1, shift: 0 });
  });
});
