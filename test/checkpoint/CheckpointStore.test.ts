import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configHash, type Checkpoint, type ConfigSummary } from '../../src/checkpoint/Checkpoint.js';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { Evaluator, type EvaluatorSnapshot } from '../../src/eval/Evaluator.js';
import { Trainer, type TrainerSettings, type TrainerSnapshot } from '../../src/model/Trainer.js';
import { Standardizer, type StandardizerSnapshot } from '../../src/stats/Standardizer.js';
import type { ScaledSample, ScoredBatch } from '../../src/types.js';
import { mulberry32 as rng } from '../../src/stats/prng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** When `diskFull` is on, writes to temp checkpoint files stop halfway with ENOSPC (a disk that fills up). */
const failure = vi.hoisted(() => ({ diskFull: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args) => {
    const handle = await real.open(...args);
    if (!failure.diskFull || !String(args[0]).endsWith('.tmp')) return handle;
    return new Proxy(handle, {
      get(target, key) {
        if (key === 'writeFile') {
          return async (data: Buffer) => {
            await target.write(data.subarray(0, data.length >> 1));
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          };
        }
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return { ...real, open, default: { ...real, open } };
});
afterEach(() => {
  failure.diskFull = false;
});

const summary: ConfigSummary = { task: 'binary', features: ['a', 'b'], label: 'y', classes: 2, layers: [] };
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'streamtune-ckpt-'));

/** A small checkpoint told apart by `total`. */
function checkpoint(total: number): Checkpoint {
  return {
    format: 1,
    createdAt: new Date(Date.UTC(2025, 0, 1) + total * 1000).toISOString(),
    configHash: configHash(summary),
    configSummary: summary,
    records: { total, trained: total, holdout: 0, rejected: 0, rejectedByReason: {} },
    hyperParams: { learningRate: 0.001, l2: 0 },
    positions: { kind: 'file', path: 'data.csv', index: total, line: total + 2 },
    state: { trainer: { w: Array.from({ length: 64 }, (_, i) => Math.fround(i / total)) }, scaler: {}, evaluator: {} },
  };
}

const finals = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('checkpoint-')).sort();

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('CheckpointStore round trip', () => {
  it('restores a trainer, scaler and evaluator that behave exactly like the saved ones', async () => {
    const r = rng(3);
    const dim = 8;
    const settings: TrainerSettings = {
      task: 'binary',
      classes: 2,
      inputDim: dim,
      model: { layers: [{ type: 'dense', units: 64, activation: 'tanh' }], seed: 1 },
    };
    const trainer = new Trainer(settings);
    const scaler = new Standardizer({ dim });
    const evaluator = new Evaluator({ task: 'binary', classes: 2, window: 50 });
    const n = 32;
    const x = Float32Array.from({ length: n * dim }, () => r() * 4 - 2);
    const y = Float32Array.from({ length: n }, (_, i) => ((x[i * dim] as number) > 0 ? 1 : 0));
    for (let i = 0; i < n; i++) scaler.update(x.subarray(i * dim, (i + 1) * dim));
    let predictions: Float32Array = new Float32Array(n);
    for (let s = 0; s < 5; s++) predictions = trainer.step(x, y, n).predictions;
    const samples = Array.from(
      { length: n },
      (_, i): ScaledSample => ({
        index: i,
        position: `t:${i}`,
        x: x.subarray(i * dim, (i + 1) * dim),
        z: x.subarray(i * dim, (i + 1) * dim),
        y: y[i] as number,
        split: i % 4 === 0 ? 'holdout' : 'train',
        target: y[i] as number,
        targetShift: 0,
        targetScale: 1,
      }),
    );
    const batch: ScoredBatch = {
      samples,
      predictions,
      width: 1,
      loss: 0,
      applied: true,
      steps: 1,
      skipped: 0,
      hyperParams: { learningRate: 0.001, l2: 0 },
      seconds: 0,
    };
    evaluator.update(batch);
    const cp: Checkpoint = {
      ...checkpoint(n),
      positions: { kind: 'kafka', group: 'g', offsets: [{ topic: 't', partition: 3, offset: '9007199254740993' }] },
      state: { trainer: trainer.snapshot(), scaler: scaler.snapshot(), evaluator: evaluator.snapshot() },
      summary: { prequential: evaluator.get().cumulative.train, holdout: evaluator.get().cumulative.holdout },
    };
    const dir = tempDir();
    const path = await new CheckpointStore({ dir }).save(cp);
    expect(basename(path)).toBe('checkpoint-000000000001.json');

    const loaded = await new CheckpointStore({ dir }).loadLatest();
    expect(loaded?.path).toBe(path);
    expect(loaded?.skipped).toEqual([]);
    const back = loaded?.checkpoint as Checkpoint;
    expect(back).toEqual(cp);

    const trainer2 = new Trainer(settings);
    trainer2.restore(back.state.trainer as TrainerSnapshot);
    const scaler2 = new Standardizer({ dim });
    scaler2.restore(back.state.scaler as StandardizerSnapshot);
    const evaluator2 = new Evaluator({ task: 'binary', classes: 2, window: 50 });
    evaluator2.restore(back.state.evaluator as EvaluatorSnapshot);
    expect(Array.from(trainer2.predict(x, n))).toEqual(Array.from(trainer.predict(x, n)));
    expect(trainer2.optimizerState).toEqual(trainer.optimizerState);
    // The next step is identical too: weights and Adam moments came back bit for bit.
    expect(Array.from(trainer2.step(x, y, n).predictions)).toEqual(Array.from(trainer.step(x, y, n).predictions));
    expect(Array.from(scaler2.transform(x.subarray(0, dim)))).toEqual(Array.from(scaler.transform(x.subarray(0, dim))));
    expect(evaluator2.get()).toEqual(evaluator.get());
    // The weights dominate this checkpoint; packed, the file is far smaller than plain JSON.
    expect(statSync(path).size * 2).toBeLessThan(JSON.stringify(cp).length);
    trainer.dispose();
    trainer2.dispose();
  });
});

describe('CheckpointStore files', () => {
  it('keeps only the newest `keep` checkpoints, and the latest is the last saved', async () => {
    const dir = tempDir();
    const store = new CheckpointStore({ dir, keep: 2 });
    for (let i = 1; i <= 5; i++) await store.save(checkpoint(i));
    expect(finals(dir)).toEqual(['checkpoint-000000000004.json', 'checkpoint-000000000005.json']);
    expect((await store.list()).map((f) => f.seq)).toEqual([4, 5]);
    expect((await store.loadLatest())?.checkpoint.records.total).toBe(5);
  });

  it('defaults to keeping 3 and refuses keep < 1', async () => {
    const dir = tempDir();
    const store = new CheckpointStore({ dir });
    expect(store.keep).toBe(3);
    for (let i = 1; i <= 4; i++) await store.save(checkpoint(i));
    expect(finals(dir)).toHaveLength(3);
    expect(() => new CheckpointStore({ dir, keep: 0 })).toThrow(ConfigError);
  });

  it('continues the sequence after a restart (a new store on the same directory)', async () => {
    const dir = tempDir();
    const first = new CheckpointStore({ dir, keep: 5 });
    await first.save(checkpoint(1));
    await first.save(checkpoint(2));
    const second = new CheckpointStore({ dir, keep: 5 });
    expect(basename(await second.save(checkpoint(3)))).toBe('checkpoint-000000000003.json');
    expect((await second.loadLatest())?.checkpoint.records.total).toBe(3);
  });

  it('serializes concurrent saves of one store into distinct, increasing files', async () => {
    const dir = tempDir();
    const store = new CheckpointStore({ dir, keep: 10 });
    const paths = await Promise.all([1, 2, 3, 4, 5].map((i) => store.save(checkpoint(i))));
    expect(paths.map((p) => basename(p))).toEqual([1, 2, 3, 4, 5].map((i) => `checkpoint-00000000000${i}.json`));
    expect((await store.loadLatest())?.checkpoint.records.total).toBe(5);
  });

  it('lists files oldest first with their size and mtime', async () => {
    const dir = tempDir();
    const store = new CheckpointStore({ dir });
    await store.save(checkpoint(1));
    await store.save(checkpoint(2));
    const list = await store.list();
    expect(list.map((f) => f.seq)).toEqual([1, 2]);
    for (const f of list) {
      expect(f.size).toBe(statSync(f.path).size);
      expect(f.mtime.getTime()).toBe(statSync(f.path).mtime.getTime());
    }
  });

  it('has nothing to load or list in an empty or absent directory', async () => {
    expect(await new CheckpointStore({ dir: tempDir() }).loadLatest()).toBeUndefined();
    expect(await new CheckpointStore({ dir: join(tempDir(), 'absent') }).loadLatest()).toBeUndefined();
    expect(await new CheckpointStore({ dir: join(tempDir(), 'absent') }).list()).toEqual([]);
  });
});

describe('CheckpointStore damaged files', () => {
  async function threeSaved(): Promise<{ store: CheckpointStore; paths: string[] }> {
    const dir = tempDir();
    const store = new CheckpointStore({ dir });
    const paths = [];
    for (let i = 1; i <= 3; i++) paths.push(await store.save(checkpoint(i)));
    return { store, paths };
  }

  it('skips a truncated newest checkpoint for the previous good one, with the reason', async () => {
    const { store, paths } = await threeSaved();
    const newest = paths[2] as string;
    truncateSync(newest, Math.floor(statSync(newest).size / 2));
    const loaded = await store.loadLatest();
    expect(loaded?.path).toBe(paths[1]);
    expect(loaded?.checkpoint.records.total).toBe(2);
    expect(loaded?.skipped).toEqual([{ path: newest, reason: expect.stringMatching(/^truncated/) }]);
  });

  it('skips a corrupt checkpoint (flipped bytes) and reports newest first', async () => {
    const { store, paths } = await threeSaved();
    const [oldest, middle, newest] = paths as [string, string, string];
    const bytes = readFileSync(middle);
    for (const i of [bytes.length >> 1, (bytes.length >> 1) + 7]) bytes[i] = (bytes[i] as number) ^ 0x5a;
    writeFileSync(middle, bytes);
    truncateSync(newest, 100);
    const loaded = await store.loadLatest();
    expect(loaded?.path).toBe(oldest);
    expect(loaded?.skipped.map((s) => s.path)).toEqual([newest, middle]);
    expect(loaded?.skipped[1]?.reason).toMatch(/corrupt/);
  });

  it('skips a checkpoint of another format', async () => {
    const { store, paths } = await threeSaved();
    const body = JSON.stringify({ ...checkpoint(9), format: 2 });
    const sha = createHash('sha256').update(body).digest('hex');
    writeFileSync(paths[2] as string, `{"streamtune":"checkpoint","bytes":${body.length},"sha256":"${sha}","body":${body}}\n`);
    const loaded = await store.loadLatest();
    expect(loaded?.checkpoint.records.total).toBe(2);
    expect(loaded?.skipped[0]?.reason).toMatch(/format 2/);
  });

  it('throws, naming every file and reason, when checkpoints exist but none is readable', async () => {
    const { store, paths } = await threeSaved();
    for (const p of paths) writeFileSync(p, 'garbage');
    const error = await rejection(store.loadLatest());
    expect(error).toBeInstanceOf(CheckpointError);
    for (const p of paths) expect((error as Error).message).toContain(p);
    expect((error as Error).message).toContain(store.dir);
  });

  it('ignores a stray temp file from a crash mid-write and removes it on the next save', async () => {
    const { store, paths } = await threeSaved();
    const stray = join(store.dir, '.ckpt-4.tmp');
    writeFileSync(stray, readFileSync(paths[2] as string).subarray(0, 50));
    const loaded = await store.loadLatest();
    expect(loaded?.path).toBe(paths[2]);
    expect(loaded?.skipped).toEqual([]);
    expect((await store.list()).map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(basename(await store.save(checkpoint(4)))).toBe('checkpoint-000000000004.json');
    expect(readdirSync(store.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('CheckpointStore write failures', () => {
  it('rejects with a retriable CheckpointError naming the dir when it cannot be created', async () => {
    const parent = join(tempDir(), 'a-file');
    writeFileSync(parent, 'not a directory');
    const dir = join(parent, 'checkpoints');
    const store = new CheckpointStore({ dir });
    const error = await rejection(store.save(checkpoint(1)));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).retriable).toBe(true);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toMatch(/choose another checkpoint directory/);
    expect(readFileSync(parent, 'utf8')).toBe('not a directory');
  });

  it('on a full disk rejects retriably, leaves no partial file and keeps the previous checkpoint latest', async () => {
    const dir = tempDir();
    const store = new CheckpointStore({ dir });
    await store.save(checkpoint(1));
    failure.diskFull = true;
    const error = await rejection(store.save(checkpoint(2)));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).retriable).toBe(true);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toMatch(/disk is full/);
    expect(readdirSync(dir)).toEqual(['checkpoint-000000000001.json']);
    expect((await store.loadLatest())?.checkpoint.records.total).toBe(1);
    failure.diskFull = false;
    expect(basename(await store.save(checkpoint(3)))).toBe('checkpoint-000000000002.json');
    expect((await store.loadLatest())?.checkpoint.records.total).toBe(3);
  });

  it('rejects a malformed checkpoint without writing, and keeps working afterwards', async () => {
    const dir = tempDir();
    const store = new CheckpointStore({ dir });
    const bad = { ...checkpoint(1), format: 3 } as unknown as Checkpoint;
    const error = await rejection(store.save(bad));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).retriable).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    await store.save(checkpoint(2));
    expect((await store.loadLatest())?.checkpoint.records.total).toBe(2);
  });
});
