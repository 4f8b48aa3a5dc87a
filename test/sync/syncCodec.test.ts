import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { syncCodec } from '../../src/sync/syncCodec.js';
import type { SyncMessage } from '../../src/sync/SyncMessage.js';

const message: SyncMessage = {
  member: 'trainer-1',
  generation: 1_767_000_000_000,
  seq: 3,
  time: 1_767_000_010_000,
  records: 6000,
  fresh: 2000,
  members: [
    {
      weights: [
        { shape: [2, 3], values: [0.1, -0.2, 0.3, 1e-3, 5, -7.25] },
        { shape: [3], values: [0, 0.5, -0.5] },
      ],
      optimizer: { t: 12, slots: [{ shape: [3], m: [0.1, 0.2, 0.3], v: [1e-8, 2e-8, 3e-8], vhat: [1e-8, 2e-8, 4e-8] }] },
    },
  ],
  scaler: { features: { count: 6000, mean: [1.23456789012, 2], m2: [10.5, 20.25] }, target: null },
  delta: { features: { count: 2000, mean: [1, 2], m2: [3, 4] }, target: null, decay: 0.5 },
};

describe('syncCodec', () => {
  it('round-trips a message: weights and moments as Float32, the scaler exact', () => {
    const decoded = syncCodec.decode(syncCodec.encode(message));
    const f32 = (a: number[]): number[] => Array.from(Float32Array.from(a));
    expect(decoded.members[0]!.weights.map((w) => w.values)).toEqual(message.members[0]!.weights.map((w) => f32(w.values)));
    expect(decoded.members[0]!.optimizer).toEqual({ t: 12, slots: [{ shape: [3], m: f32([0.1, 0.2, 0.3]), v: f32([1e-8, 2e-8, 3e-8]), vhat: f32([1e-8, 2e-8, 4e-8]) }] });
    expect(decoded.scaler).toEqual(message.scaler); // Float64: sums of squares keep their precision
    expect({ ...decoded, members: [] }).toEqual({ ...message, members: [] });
  });

  it('packs weights in base64 Float32: about 5.3 bytes a value instead of ~20 for JSON numbers', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i) / 7);
    const big = { ...message, members: [{ weights: [{ shape: [10_000], values }], optimizer: { t: 0, slots: [] } }] };
    const bytes = syncCodec.encode(big).length;
    expect(bytes).toBeLessThan(10_000 * 5.5 + 1000);
    expect(bytes).toBeLessThan(JSON.stringify(values).length / 3);
  });

  it('rejects what is not a sync message, saying what is wrong', () => {
    expect(() => syncCodec.decode(Buffer.from('hello'))).toThrow(SourceError);
    expect(() => syncCodec.decode(Buffer.from(JSON.stringify({ v: 99 })))).toThrow(/version 99.*same streamtune version/);
    const short = JSON.parse(syncCodec.encode(message).toString()) as { members: { weights: { values: string }[] }[] };
    short.members[0]!.weights[0]!.values = Buffer.from(Float32Array.of(1, 2).buffer).toString('base64');
    expect(() => syncCodec.decode(Buffer.from(JSON.stringify(short)))).toThrow(/member 0 weight 0 holds 2 values, its shape says 6/);
    const { records: _records, ...noRecords } = JSON.parse(syncCodec.encode(message).toString()) as Record<string, unknown>;
    expect(() => syncCodec.decode(Buffer.from(JSON.stringify(noRecords)))).toThrow(/"records" must be a number/);
  });
});
