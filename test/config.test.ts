import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig, parseConfig, readConfigFile } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

function errorOf(input: unknown): ConfigError {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const c = parseConfig({ source: 'x.csv' });
    expect(c.task).toBe('binary');
    expect(c.validationSplit).toBe(0.1);
    expect(c.batch).toEqual({ size: 1, maxWaitMs: 1000 });
    expect(c.optimizer).toMatchObject({ learningRate: 0.002, beta1: 0, beta2: 0.99, epsilon: 1e-7, amsgrad: false });
    expect(c.l2).toBe(0);
    expect(c.model.initializer).toBe('glorotUniform');
    expect(c.eval).toEqual({ window: 1000, logEvery: 1000 });
    expect(c.metrics).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
  });

  it('returns a frozen object, nested too', () => {
    const c = parseConfig({ source: 'x.csv' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.batch)).toBe(true);
    expect(Object.isFrozen(c.model.layers)).toBe(true);
  });

  it('names the field and the allowed values of a bad enum', () => {
    const err = errorOf({ source: 'x.csv', task: 'ranking' });
    expect(err.message).toContain('field "task"');
    expect(err.message).toContain('"binary"|"regression"|"multiclass"');
  });

  it('names nested fields', () => {
    expect(errorOf({ source: 'x.csv', batch: { size: 0 } }).message).toContain('field "batch.size"');
    expect(errorOf({ source: 'x.csv', model: { layers: [{ type: 'dense', units: -1 }] } }).message).toContain(
      'field "model.layers.0.units"',
    );
    expect(errorOf({ source: 'x.csv', validationSplit: 1.5 }).message).toContain('field "validationSplit"');
  });

  it('rejects unknown keys by name, at any depth', () => {
    expect(errorOf({ source: 'x.csv', learningrate: 0.1 }).message).toContain('unknown key "learningrate"');
    expect(errorOf({ source: 'x.csv', optimizer: { lr: 0.1 } }).message).toContain('unknown key "lr" in "optimizer"');
  });

  it('rejects wrong types', () => {
    expect(errorOf({ source: 'x.csv', l2: 'high' }).message).toMatch(/field "l2": .*expected number/);
  });

  it('requires classes for multiclass and refuses it elsewhere', () => {
    expect(errorOf({ source: 'x.csv', task: 'multiclass' }).message).toContain('field "classes"');
    expect(errorOf({ source: 'x.csv', task: 'regression', classes: 3 }).message).toContain('field "classes"');
    expect(parseConfig({ source: 'x.csv', task: 'multiclass', classes: 3 }).classes).toBe(3);
  });

  it('reports every problem at once', () => {
    const err = errorOf({ source: 'x.csv', l2: -1, batch: { size: 1.5 } });
    expect(err.message).toContain('field "l2"');
    expect(err.message).toContain('field "batch.size"');
  });
});

describe('mergeConfig', () => {
  it('merges nested objects and lets later layers win', () => {
    const merged = mergeConfig({ batch: { size: 8, maxWaitMs: 5 }, l2: 1 }, { batch: { size: 64 } }, { l2: undefined });
    expect(merged).toEqual({ batch: { size: 64, maxWaitMs: 5 }, l2: 1 });
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtune-config-'));

  it('reads YAML and JSON', () => {
    writeFileSync(join(dir, 'a.yaml'), 'source: a.csv\nbatch:\n  size: 16\n');
    writeFileSync(join(dir, 'b.json'), '{"source": "b.csv", "l2": 0}');
    expect(parseConfig(readConfigFile(join(dir, 'a.yaml'))).batch.size).toBe(16);
    expect(parseConfig(readConfigFile(join(dir, 'b.json'))).l2).toBe(0);
  });

  it('names the file when it is missing or not parseable', () => {
    expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(/cannot read config file .*missing\.yaml/);
    writeFileSync(join(dir, 'bad.json'), '{"source": ');
    expect(() => readConfigFile(join(dir, 'bad.json'))).toThrow(/bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
    expect(() => readConfigFile(join(dir, 'list.yaml'))).toThrow(/must hold a mapping/);
  });
});
