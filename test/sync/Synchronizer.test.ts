import { describe, expect, it } from 'vitest';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import type { EngineSettings } from '../../src/model/EngineSettings.js';
import { averageEngines } from '../../src/model/averageEngines.js';
import { mulberry32 } from '../../src/stats/prng.js';
import { Standardizer } from '../../src/stats/Standardizer.js';
import { PeerBook } from '../../src/sync/PeerBook.js';
import { Synchronizer, type SyncRound } from '../../src/sync/Synchronizer.js';
import type { SyncMessage } from '../../src/sync/SyncMessage.js';
import { Population } from '../../src/tune/Population.js';
import { populationSchema } from '../../src/tune/populationSchema.js';
import type { ScaledSample } from '../../src/types.js';
import { MemoryTopic } from './memoryExchange.js';

const BASE = { learningRate: 0.05, l2: 0, batchSize: 1 };
const timing = { everyRecords: 100, everySeconds: 3600, timeoutSeconds: 30 };

function engineSettings(seed: number): EngineSettings {
  return {
    task: 'binary',
    classes: 2,
    inputDim: 2,
    model: { layers: [{ type: 'dense', units: 4, activation: 'relu' }], initializer: 'glorotUniform', seed },
    adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false },
    learningRate: 0.05,
    l2: 0,
  };
}

/** y = 1 when x0 + x1 > 0 (raw features around `shift`). */
function block(n: number, seed: number, shift = 0): ScaledSample[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = Float32Array.of(random() * 2 - 1 + shift, random() * 2 - 1 - shift);
    const y = (x[0] as number) + (x[1] as number) > 0 ? 1 : 0;
    return { index: i, position: `t:${i}`, x, y, split: 'train' as const, z: x, target: y, targetShift: 0, targetScale: 1 };
  });
}

interface Trainer {
  readonly population: Population;
  readonly scaler: Standardizer;
  readonly sync: Synchronizer;
  readonly rounds: SyncRound[];
  records: number;
  learn(samples: ScaledSample[]): SyncRound | undefined;
}

function trainer(topic: MemoryTopic, member: string, clock: { now: number }, size = 2, late = false): Trainer {
  const population = new Population({ ...populationSchema.parse({}), size, interval: 1e9 }, BASE, 'binary', (id) => new DenseEngine(engineSettings(id + member.length * 10)));
  const scaler = new Standardizer({ dim: 2 });
  const book = new PeerBook(member);
  if (late) topic.catchUp(book);
  else topic.books.push(book);
  const rounds: SyncRound[] = [];
  const sync = new Synchronizer({ member, timing, parts: { population, scaler }, exchange: topic.exchange(), book, now: () => clock.now, onRound: (r) => rounds.push(r) });
  const t: Trainer = {
    population,
    scaler,
    sync,
    rounds,
    records: 0,
    learn(samples) {
      for (const s of samples) scaler.update(s.x);
      population.learn(samples, BASE);
      t.records += samples.length;
      return sync.maybe(t.records);
    },
  };
  return t;
}

const weightsOf = (p: Population): number[][] => p.snapshot().members.map((m) => m.engine.weights.flatMap((w) => w.values));
const f32 = (values: number[]): number[] => Array.from(Float32Array.from(values));

describe('Synchronizer (in-memory exchange)', () => {
  it('a round publishes the local models and merges the others\' member by member, weighted by their records since', async () => {
    const clock = { now: 1_000_000 };
    const topic = new MemoryTopic();
    const a = trainer(topic, 'a', clock);
    const b = trainer(topic, 'b', clock);
    expect(a.learn(block(60, 1))).toBeUndefined(); // not due yet
    a.learn(block(60, 2)); // 120 records: a publishes, nobody to merge
    expect(a.rounds).toHaveLength(1);
    expect(a.rounds[0]).toMatchObject({ members: 1, merged: [], fresh: 120 });
    await Promise.resolve();
    const published = topic.log[0]!;
    expect(published.fresh).toBe(120);
    b.learn(block(300, 3)); // b's round: merges a's 120 records with its own 300
    const bLocal = topic.log[1]!; // b published its local models before merging
    expect(b.rounds[0]).toMatchObject({ members: 2, merged: ['a'], fresh: 300 });
    const expected = bLocal.members.map((own, k) =>
      averageEngines([
        { engine: own, weight: 300 },
        { engine: published.members[k]!, weight: 120 },
      ]),
    );
    const merged = weightsOf(b.population);
    expected.forEach((e, k) => expect(merged[k]).toEqual(f32(e.weights.flatMap((w) => w.values))));
    // hyperparameters are each member's own
    expect(b.population.snapshot().members.map((m) => m.learningRate)).toEqual(bLocal && b.population.status().map((m) => m.learningRate));
    // b's scaler now holds both trainers' records, each once
    expect(b.scaler.count).toBe(420);
    // a's next round merges b's 300 records; a round with nothing new from b merges nothing
    a.learn(block(100, 4));
    expect(a.rounds[1]).toMatchObject({ members: 2, merged: ['b'], fresh: 100 });
    expect(a.scaler.count).toBe(520);
    a.learn(block(100, 5));
    expect(a.rounds[2]).toMatchObject({ members: 2, merged: [], fresh: 100 });
    expect(a.scaler.count).toBe(620);
  });

  it('ignores its own messages and members silent for longer than the timeout', () => {
    const clock = { now: 1_000_000 };
    const topic = new MemoryTopic();
    const a = trainer(topic, 'a', clock);
    const b = trainer(topic, 'b', clock);
    b.learn(block(100, 1));
    clock.now += 31_000; // b is silent for 31 s > 30 s
    const before = weightsOf(a.population);
    a.learn(block(100, 2));
    expect(a.rounds[0]).toMatchObject({ members: 1, merged: [] });
    expect(weightsOf(a.population)).not.toEqual(before); // it learned, and kept only its own models
    expect(a.scaler.count).toBe(100);
    a.learn(block(100, 3)); // its own message of the last round is on the topic too: not a member
    expect(a.rounds[1]).toMatchObject({ members: 1, merged: [] });
  });

  it('two trainers on halves of a stream end with one model as good as one trainer on all of it', () => {
    const clock = { now: 1_000_000 };
    const topic = new MemoryTopic();
    const a = trainer(topic, 'a', clock, 1);
    const b = trainer(topic, 'b', clock, 1);
    const test = block(2000, 999);
    const accuracy = (p: Population): number => {
      const x = Float32Array.from(test.flatMap((s) => [...s.x]));
      const probs = p.champion.predict(x, test.length);
      return test.filter((s, i) => ((probs[i] as number) > 0.5 ? 1 : 0) === s.y).length / test.length;
    };
    const fresh = trainer(new MemoryTopic(), 'c', clock, 1);
    const chanceLevel = accuracy(fresh.population);
    // the same two trainers without sync (each on its own topic), for comparison
    const [soloA, soloB] = [trainer(new MemoryTopic(), 'a', clock, 1), trainer(new MemoryTopic(), 'b', clock, 1)];
    for (let i = 0; i < 40; i++) {
      for (const t of [a, soloA]) t.learn(block(25, 100 + i));
      for (const t of [b, soloB]) t.learn(block(25, 200 + i));
    }
    a.sync.round(a.records);
    b.sync.round(b.records);
    expect(a.rounds.length).toBeGreaterThan(5);
    expect(accuracy(a.population)).toBeGreaterThan(0.9);
    expect(accuracy(b.population)).toBeGreaterThan(0.9);
    expect(chanceLevel).toBeLessThan(0.85);
    // after the last two rounds, a's and b's models are close: they learn one model together
    const gap = (x: Population, y: Population): number => {
      const [wx, wy] = [weightsOf(x)[0]!, weightsOf(y)[0]!];
      return Math.max(...wx.map((v, i) => Math.abs(v - wy[i]!)));
    };
    expect(gap(a.population, b.population)).toBeLessThan(gap(soloA.population, soloB.population) / 4);
  });

  it('a member that joins starts from the others\' models averaged by their records, and the richest scaler', () => {
    const clock = { now: 1_000_000 };
    const topic = new MemoryTopic();
    const a = trainer(topic, 'a', clock);
    const b = trainer(topic, 'b', clock);
    a.learn(block(300, 1));
    b.learn(block(100, 2, 3));
    const latest = (member: string): SyncMessage => [...topic.log].reverse().find((m) => m.member === member)!;
    const [ma, mb] = [latest('a'), latest('b')];
    clock.now += 60_000; // both silent for longer than the timeout: the group stopped, their last models still count
    const c = trainer(topic, 'c', clock, 2, true);
    expect(c.sync.join()).toEqual(['a', 'b']);
    const expected = ma.members.map((m, k) => averageEngines([{ engine: m, weight: 300 }, { engine: mb.members[k]!, weight: 100 }]));
    expected.forEach((e, k) => expect(weightsOf(c.population)[k]).toEqual(f32(e.weights.flatMap((w) => w.values))));
    expect(c.scaler.snapshot()).toEqual(ma.scaler);
    // what the joiner read is in the state it took: its first round merges nothing twice
    c.learn(block(100, 3));
    expect(c.rounds[0]).toMatchObject({ merged: [], fresh: 100 });
    expect(c.scaler.count).toBe(ma.scaler.features.count + 100);
  });

  it('a member with nobody to join starts as it is; finish publishes the last records', async () => {
    const clock = { now: 1_000_000 };
    const topic = new MemoryTopic();
    const a = trainer(topic, 'a', clock);
    const before = weightsOf(a.population);
    expect(a.sync.join()).toEqual([]);
    expect(weightsOf(a.population)).toEqual(before);
    a.learn(block(30, 1));
    expect(topic.log).toHaveLength(0);
    await a.sync.finish(a.records);
    expect(topic.log.map((m) => [m.member, m.seq, m.fresh, m.records])).toEqual([['a', 1, 30, 30]]);
    expect(await a.sync.finish(a.records)).toBeUndefined(); // nothing new
  });
});

describe('Synchronizer with a misconfigured member', () => {
  it('leaves a member with another model or features out of the merge, reported once, and goes on', () => {
    const clock = { now: 1_000_000 };
    const topic = new MemoryTopic();
    const wide = new Population({ ...populationSchema.parse({}), size: 2, interval: 1e9 }, BASE, 'binary', (id) => new DenseEngine({ ...engineSettings(id), inputDim: 3 }));
    const odd = new Synchronizer({ member: 'w', timing, parts: { population: wide, scaler: new Standardizer({ dim: 3 }) }, exchange: topic.exchange(), book: new PeerBook('w'), now: () => clock.now });
    odd.round(100);
    const errors: unknown[] = [];
    const a = trainer(new MemoryTopic(), 'a', clock);
    const book = new PeerBook('a');
    topic.catchUp(book);
    const sync = new Synchronizer({ member: 'a', timing, parts: { population: a.population, scaler: a.scaler }, exchange: topic.exchange(), book, now: () => clock.now, onError: (e) => errors.push(e) });
    const before = weightsOf(a.population);
    expect(sync.join()).toEqual([]); // nothing to join from: the only member does not fit
    expect(weightsOf(a.population)).toEqual(before);
    odd.round(200);
    a.learn(block(100, 1));
    expect(sync.round(100).merged).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/member "w" learns another model .*3 features.*2 features.*same features, lags and model/);
  });
});
