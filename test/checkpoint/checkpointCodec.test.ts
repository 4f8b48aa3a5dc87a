import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configHash, type Checkpoint, type ConfigSummary } from '../../src/checkpoint/Checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint/checkpointCodec.js';
import { CheckpointError } from '../../src/errors.js';
import { mulberry32 as rng } from '../../src/stats/prng.js';

const summary: ConfigSummary = { task: 'binary', features: ['a', 'b'], label: 'y', classes: 2, layers: [] };

function checkpoint(state: Checkpoint['state']): Checkpoint {
  return {
    format: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    configHash: configHash(summary),
    configSummary: summary,
    records: { total: 10, trained: 8, holdout: 2, rejected: 0, rejectedByReason: {} },
    hyperParams: { learningRate: 0.001, l2: 0.0001 },
    positions: { kind: 'kafka', group: 'g', offsets: [{ topic: 't', partition: 0, offset: '10' }] },
    state,
  };
}

describe('encodeCheckpoint', () => {
  it('writes one JSON document whose envelope holds the byte length and sha256 of the body', () => {
    const cp = checkpoint({ trainer: { w: [1, 2] }, scaler: null, evaluator: { note: 'ünïcode' } });
    const bytes = encodeCheckpoint(cp);
    const doc = JSON.parse(bytes.toString('utf8')) as { streamtune: string; bytes: number; sha256: string; body: unknown };
    expect(doc.streamtune).toBe('checkpoint');
    const text = bytes.toString('utf8');
    const start = text.indexOf('"body":') + '"body":'.length;
    const body = Buffer.from(text.slice(start, text.lastIndexOf('}')), 'utf8');
    expect(doc.bytes).toBe(body.length);
    expect(doc.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(doc.body).toEqual(cp);
  });

  it('round-trips float32 weights, float64 statistics and non-finite numbers exactly', () => {
    const r = rng(1);
    const weights = Array.from({ length: 500 }, () => Math.fround(r() * 2 - 1));
    const moments = Array.from({ length: 50 }, () => r() * 1e6 + 1 / 3);
    const odd = [NaN, Infinity, -Infinity, 0.1, -0, 1e-300, 5, 6, 7];
    const state = {
      trainer: { weights: [{ shape: [500], values: weights }], t: 3 },
      scaler: { mean: moments, count: NaN, short: [1.5, NaN] },
      evaluator: { odd, empty: [], mixed: [1, 'a', 2, 3, 4, 5, 6, 7, 8], nested: [[0.5, 0.25]] },
    };
    const back = decodeCheckpoint(encodeCheckpoint(checkpoint(state)));
    expect(back.state).toEqual(state);
    const backOdd = (back.state.evaluator as { odd: number[] }).odd;
    expect(backOdd.map((v) => Object.is(v, -0))).toEqual(odd.map((v) => Object.is(v, -0)));
    const backWeights = (back.state.trainer as typeof state.trainer).weights[0]?.values ?? [];
    expect(backWeights.every((v, i) => v === weights[i])).toBe(true);
    const backMoments = (back.state.scaler as typeof state.scaler).mean;
    expect(backMoments.every((v, i) => v === moments[i])).toBe(true);
  });

  it('stores typed arrays as their values (read back as number arrays)', () => {
    const f32 = Float32Array.from({ length: 20 }, (_, i) => i / 7);
    const f64 = Float64Array.from({ length: 3 }, (_, i) => i / 7);
    const back = decodeCheckpoint(encodeCheckpoint(checkpoint({ trainer: { f32, f64 }, scaler: 0, evaluator: 0 })));
    expect(back.state.trainer).toEqual({ f32: Array.from(f32), f64: Array.from(f64) });
  });

  it('keeps float32 weights at least 3x smaller than decimal JSON', () => {
    const r = rng(2);
    const values = Array.from({ length: 10_000 }, () => Math.fround(r() * 0.2 - 0.1));
    const cp = checkpoint({ trainer: { weights: [{ shape: [100, 100], values }] }, scaler: {}, evaluator: {} });
    expect(encodeCheckpoint(cp).length * 3).toBeLessThan(JSON.stringify(cp).length);
  });

  it('refuses a malformed or unserializable checkpoint with a non-retriable error', () => {
    const noTrainer = { ...checkpoint({ trainer: 1, scaler: 1, evaluator: 1 }), state: { scaler: 1, evaluator: 1 } };
    expect(() => encodeCheckpoint(noTrainer as unknown as Checkpoint)).toThrow(/state\.trainer is missing/);
    const big = checkpoint({ trainer: { n: 1n }, scaler: 1, evaluator: 1 });
    const error = (() => {
      try {
        encodeCheckpoint(big);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).retriable).toBe(false);
    expect((error as Error).message).toMatch(/not JSON-serializable/);
  });
});

describe('decodeCheckpoint', () => {
  const good = encodeCheckpoint(checkpoint({ trainer: { w: [0.5, 0.25, 1, 2, 3, 4, 5, 6, 7] }, scaler: {}, evaluator: {} }));

  it('rejects every truncation of a file', () => {
    for (let cut = 0; cut < good.length - 1; cut++) {
      expect(() => decodeCheckpoint(good.subarray(0, cut)), `cut at ${cut}`).toThrow(CheckpointError);
    }
    expect(() => decodeCheckpoint(good.subarray(0, 0))).toThrow(/empty file/);
    expect(() => decodeCheckpoint(good.subarray(0, good.length >> 1))).toThrow(/truncated/);
  });

  it('rejects a flip of any byte except the trailing newline', () => {
    for (let i = 0; i < good.length - 1; i++) {
      const bad = Buffer.from(good);
      bad[i] = (bad[i] as number) ^ 0xff;
      expect(() => decodeCheckpoint(bad), `flip at ${i}`).toThrow(CheckpointError);
    }
    const middle = Buffer.from(good);
    const i = good.length - 20;
    middle[i] = (middle[i] as number) ^ 0x01;
    expect(() => decodeCheckpoint(middle)).toThrow(/sha256/);
  });

  it('rejects another format with a reason naming it', () => {
    const body = JSON.stringify({ ...checkpoint({ trainer: 1, scaler: 1, evaluator: 1 }), format: 2 });
    const sha = createHash('sha256').update(body).digest('hex');
    const file = `{"streamtune":"checkpoint","bytes":${Buffer.byteLength(body)},"sha256":"${sha}","body":${body}}\n`;
    expect(() => decodeCheckpoint(Buffer.from(file))).toThrow(/format 2 is not supported \(this build reads format 1\)/);
  });

  it('rejects a foreign JSON file', () => {
    expect(() => decodeCheckpoint(Buffer.from('{"hello":1}'))).toThrow(/not a streamtune checkpoint/);
  });
});
