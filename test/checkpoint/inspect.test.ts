import { describe, expect, it } from 'vitest';
import { configHash, type Checkpoint, type ConfigSummary } from '../../src/checkpoint/Checkpoint.js';
import { checkpointJson, formatCheckpoint } from '../../src/checkpoint/inspect.js';

const summary: ConfigSummary = {
  task: 'binary',
  features: ['nswprice', 'nswdemand', 'vicprice'],
  label: 'class',
  classes: 2,
  layers: [{ type: 'dense', units: 16, activation: 'relu' }],
};
const created = new Date('2025-03-01T10:00:00.000Z');
const later = (seconds: number): Date => new Date(created.getTime() + seconds * 1000);

const kafka: Checkpoint = {
  format: 1,
  createdAt: created.toISOString(),
  configHash: configHash(summary),
  configSummary: summary,
  records: { total: 45_312, trained: 36_200, holdout: 9_100, rejected: 12, rejectedByReason: { non_numeric: 12 } },
  hyperParams: { learningRate: 0.0005, l2: 0.0001 },
  positions: {
    kind: 'kafka',
    group: 'streamtune-elec2',
    offsets: [
      { topic: 'elec2', partition: 1, offset: '22656' },
      { topic: 'elec2', partition: 0, offset: '22644' },
    ],
  },
  state: { trainer: { weights: new Array(50_000).fill(0.5) }, scaler: {}, evaluator: {}, detectors: [] },
  summary: { prequential: { mse: 0.125, crossEntropy: 0.4321, accuracy: 0.8125 }, holdout: { mse: NaN } },
};

describe('formatCheckpoint', () => {
  const text = formatCheckpoint(kafka, '/ckpt/checkpoint-000000000007.json', later(2 * 3600 + 5 * 60 + 9));
  const row = (label: string): string => text.split('\n').find((line) => line.startsWith(label)) ?? '';

  it('shows the path, the creation time and the age', () => {
    expect(row('path')).toContain('/ckpt/checkpoint-000000000007.json');
    expect(row('created')).toContain(created.toISOString());
    expect(row('created')).toContain('2 h 5 min ago');
  });

  it('shows one offset row per partition, sorted by partition', () => {
    const lines = text.split('\n');
    const p0 = lines.findIndex((l) => l.includes('elec2/0 -> next offset 22644'));
    const p1 = lines.findIndex((l) => l.includes('elec2/1 -> next offset 22656'));
    expect(p0).toBeGreaterThan(-1);
    expect(p1).toBe(p0 + 1);
    expect(text).toContain('streamtune-elec2');
  });

  it('shows records, rejections, hyperparameters, metrics and the config', () => {
    expect(row('records')).toContain('45,312 total = 36,200 trained + 9,100 holdout + 12 rejected');
    expect(row('rejected by reason')).toContain('non_numeric: 12');
    expect(row('learning rate / l2')).toContain('0.0005 / 0.0001');
    expect(row('prequential')).toContain(`accuracy ${(0.8125).toFixed(4)}`);
    expect(row('prequential')).toContain(`crossEntropy ${(0.4321).toFixed(4)}`);
    expect(row('holdout')).toContain('mse -');
    expect(row('features (3)')).toContain('nswprice, nswdemand, vicprice');
    expect(row('model layers')).toContain('"units":16');
    expect(row('config hash')).toContain(kafka.configHash);
    expect(row('state')).toContain('trainer, scaler, evaluator, detectors');
  });

  it('aligns the values in one column', () => {
    const starts = text.split('\n').map((line) => line.search(/ {2}\S/));
    expect(new Set(starts).size).toBe(1);
  });

  it('shows the records processed and the resume line of a file source', () => {
    const file: Checkpoint = { ...kafka, positions: { kind: 'file', path: 'data/elec2.csv', index: 1234, line: 1236 } };
    const out = formatCheckpoint(file, 'p', later(30));
    expect(out).toContain('file data/elec2.csv');
    expect(out).toContain('1,234 records processed (resume at line 1,236)');
    expect(out).toContain('30 s ago');
  });

  it('shows the index of a synthetic source', () => {
    const synth: Checkpoint = { ...kafka, positions: { kind: 'synthetic', uri: 'sea://?seed=1', index: 99 } };
    const out = formatCheckpoint(synth, 'p', later(3 * 86_400 + 4 * 3600));
    expect(out).toContain('synthetic sea://?seed=1');
    expect(out).toContain('99 records processed');
    expect(out).toContain('3 d 4 h ago');
  });
});

describe('checkpointJson', () => {
  it('holds the same information as plain data, without the big state', () => {
    const info = checkpointJson(kafka, '/ckpt/c.json', later(90));
    expect(info).not.toHaveProperty('state');
    expect(info.ageSeconds).toBe(90);
    expect(info.positions).toEqual(kafka.positions);
    expect(info.records).toEqual(kafka.records);
    expect(info.hyperParams).toEqual(kafka.hyperParams);
    expect(info.configSummary).toEqual(summary);
    expect(info.summary).toEqual(kafka.summary);
    expect(info.stateParts).toEqual(['trainer', 'scaler', 'evaluator', 'detectors']);
    expect(JSON.stringify(info).length).toBeLessThan(JSON.stringify(kafka.state).length / 50);
  });
});

describe('a checkpoint of a population', () => {
  const members = [
    { learningRate: 0.002, l2: 0, batchSize: 1, loss: 0.31, engine: { weights: [], optimizer: {} } },
    { learningRate: 0.004, l2: 0.0001, batchSize: 8, loss: null, engine: { weights: [], optimizer: {} } },
  ];
  const withPopulation = { ...kafka, state: { ...kafka.state, population: { members, champion: 1, records: 45_312, lastRound: 45_000, rounds: 45 } } } as Checkpoint;

  it('names the champion and each member, without their weights', () => {
    const text = formatCheckpoint(withPopulation, '/ckpt/c.json', later(1));
    expect(text).toContain('population');
    expect(text).toContain('2 members, champion 1 (0: lr 0.002, l2 0, 1/step; 1: lr 0.004, l2 0.0001, 8/step)');
    const json = checkpointJson(withPopulation, '/ckpt/c.json', later(1));
    expect(json.population).toEqual({
      champion: 1,
      members: [
        { learningRate: 0.002, l2: 0, batchSize: 1, loss: 0.31 },
        { learningRate: 0.004, l2: 0.0001, batchSize: 8, loss: null },
      ],
    });
    expect(checkpointJson(kafka, '/ckpt/c.json', later(1)).population).toBeUndefined();
  });
});
