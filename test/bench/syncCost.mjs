/* global console, performance */
/**
 * The cost of one sync round apart from Kafka (issue 14's extrapolation): for a population of P
 * (1 and the default 4) of the default model on Elec2 (8 inputs -> Dense(32, relu) -> 1), the
 * message size (before and after gzip), the time to encode and to decode one message, and the
 * time to merge the models of M - 1 peers (mergeMembers: what a round does on the pipeline's
 * turn), for M = 2 to 64 members. Built modules (dist/); one JSON line on stdout.
 *
 * @example
 * node test/bench/syncCost.mjs            # after npm run build
 * node test/bench/syncCost.mjs --members 2,8,64 --populations 4
 */
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DenseEngine } from '../../dist/src/model/dense/DenseEngine.js';
import { Standardizer } from '../../dist/src/stats/Standardizer.js';
import { syncCodec } from '../../dist/src/sync/syncCodec.js';
import { mergeMembers } from '../../dist/src/tune/mergeMembers.js';

const { values: opt } = parseArgs({
  options: {
    members: { type: 'string', default: '2,4,8,16,32,64' },
    populations: { type: 'string', default: '1,4' },
    repeats: { type: 'string', default: '15' },
  },
});
const INPUT_DIM = 8;
const engine = (seed) =>
  new DenseEngine({
    task: 'binary',
    classes: 2,
    inputDim: INPUT_DIM,
    model: { layers: [{ type: 'dense', units: 32, activation: 'relu' }], initializer: 'glorotUniform', seed },
    learningRate: 0.001,
    l2: 0.001,
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn, repeats) => {
  fn(); // warm-up
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
};

const repeats = Number(opt.repeats);
const rows = [];
for (const population of opt.populations.split(',').map(Number)) {
  // Each engine takes a few Adam steps first, so that its snapshot holds the optimizer's moments.
  const snapshots = (seed) =>
    Array.from({ length: population }, (_, k) => {
      const e = engine(seed * 100 + k);
      for (let i = 0; i < 3; i++) e.step(Float32Array.from({ length: 32 * INPUT_DIM }, (_, j) => Math.sin(seed + k + i + j)), Float32Array.from({ length: 32 }, (_, j) => j % 2), 32);
      return e.snapshot();
    });
  const scaler = new Standardizer({ dim: INPUT_DIM });
  scaler.trackDeltas();
  const message = { member: 'm1', generation: 1, seq: 1, time: Date.now(), records: 2000, fresh: 2000, members: snapshots(1), scaler: scaler.snapshot(), delta: scaler.takeDelta() };
  const bytes = syncCodec.encode(message);
  const encodeMs = time(() => syncCodec.encode(message), repeats);
  const decodeMs = time(() => syncCodec.decode(bytes), repeats);
  const own = { members: snapshots(1), weight: 2000 };
  const pool = Array.from({ length: 63 }, (_, i) => ({ members: snapshots(i + 2), weight: 1000 + i }));
  for (const members of opt.members.split(',').map(Number)) {
    const peers = pool.slice(0, members - 1);
    rows.push({
      population,
      members,
      messageBytes: bytes.length,
      gzipBytes: gzipSync(bytes).length,
      encodeMs,
      decodeMs,
      mergeMs: time(() => mergeMembers(own, peers), repeats),
    });
  }
}
console.log(JSON.stringify({ model: `${INPUT_DIM} inputs -> Dense(32, relu) -> Dense(1, sigmoid), weights and Adam moments`, repeats, rows }));
