import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareConfig, configHash, type ConfigSummary } from '../../src/checkpoint/Checkpoint.js';

const base: ConfigSummary = {
  task: 'binary',
  features: ['a', 'b'],
  label: 'y',
  classes: 2,
  layers: [{ type: 'dense', units: 4, activation: 'relu' }],
};

describe('configHash', () => {
  it('is the sha256 of the sorted-key JSON of task, features, label, classes and layers', () => {
    // Written by hand in sorted key order: the canonical form the format promises.
    const canonical =
      '{"classes":2,"features":["a","b"],"label":"y","layers":[{"activation":"relu","type":"dense","units":4}],"task":"binary"}';
    expect(configHash(base)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('does not depend on the order of object keys, at any depth', () => {
    const shuffled: ConfigSummary = {
      layers: [{ activation: 'relu', units: 4, type: 'dense' }],
      classes: 2,
      label: 'y',
      features: ['a', 'b'],
      task: 'binary',
    };
    expect(configHash(shuffled)).toBe(configHash(base));
  });

  it('ignores members that are not part of the compatibility summary', () => {
    const extra = { ...base, seed: 7 } as ConfigSummary;
    expect(configHash(extra)).toBe(configHash(base));
  });

  it.each([
    ['feature order', { features: ['b', 'a'] }],
    ['feature set', { features: ['a', 'b', 'c'] }],
    ['task', { task: 'regression' as const }],
    ['label', { label: 'z' }],
    ['classes', { classes: 3 }],
    ['layer units', { layers: [{ type: 'dense', units: 8, activation: 'relu' }] }],
    ['layer count', { layers: [] }],
  ])('changes with the %s', (_name, change) => {
    expect(configHash({ ...base, ...change })).not.toBe(configHash(base));
  });
});

describe('compareConfig', () => {
  it('returns null for equal summaries, whatever their key order', () => {
    const reordered: ConfigSummary = { ...base, layers: [{ activation: 'relu', units: 4, type: 'dense' }] };
    expect(compareConfig(base, reordered)).toBeNull();
  });

  it('names differing features with both lists (checkpoint first, then config)', () => {
    const found = { ...base, features: ['a', 'b', 'c'] };
    expect(compareConfig(base, found)).toBe('features differ: checkpoint has [a,b,c], config has [a,b]');
  });

  it('treats a reordered feature list as different', () => {
    expect(compareConfig(base, { ...base, features: ['b', 'a'] })).toBe(
      'features differ: checkpoint has [b,a], config has [a,b]',
    );
  });

  it('names a differing task', () => {
    expect(compareConfig({ ...base, task: 'regression' }, base)).toBe(
      'task differs: checkpoint "binary", config "regression"',
    );
  });

  it('names a differing label and class count', () => {
    expect(compareConfig(base, { ...base, label: 'target' })).toBe('label differs: checkpoint "target", config "y"');
    expect(compareConfig({ ...base, task: 'multiclass', classes: 3 }, { ...base, task: 'multiclass', classes: 4 })).toBe(
      'classes differ: checkpoint has 4, config has 3',
    );
  });

  it('names the first differing layer, or the differing layer count', () => {
    const wider = { ...base, layers: [{ type: 'dense', units: 8, activation: 'relu' }] };
    const diff = compareConfig(base, wider);
    expect(diff).toMatch(/^model layers differ at layer 0: /);
    expect(diff).toContain('"units":8');
    expect(diff).toContain('"units":4');
    const deeper = { ...base, layers: [...(base.layers as unknown[]), { type: 'dropout', rate: 0.1 }] };
    expect(compareConfig(base, deeper)).toMatch(/^model layers differ: checkpoint has 2 hidden layer\(s\) .*config has 1 /);
  });

  it('reports only the first difference, in the order task, features, label, classes, layers', () => {
    const everything: ConfigSummary = { task: 'regression', features: ['x'], label: 'q', classes: 1, layers: [] };
    expect(compareConfig(base, everything)).toMatch(/^task differs/);
    expect(compareConfig(base, { ...everything, task: 'binary' })).toMatch(/^features differ/);
    expect(compareConfig(base, { ...base, label: 'q', classes: 5 })).toMatch(/^label differs/);
  });
});
