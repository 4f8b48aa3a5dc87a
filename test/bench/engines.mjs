/* global process, console, URL */
/**
 * Engine microbench: records per CPU-second of `step()` for the dense engine and the TF.js
 * engine (on the wasm and cpu backends), over hidden widths x batch sizes x input widths, on a
 * binary task with one relu hidden layer (inputDim -> width -> 1, Adam). Each cell is the best of
 * a few trials (CPU time, so that other processes on the machine do not count against a cell).
 * Prints a markdown table and, per input width and batch, the smallest hidden width at which
 * TF.js beats the dense engine (the crossover used by chooseEngine).
 *
 * @example
 * npm run build && node test/bench/engines.mjs
 * node test/bench/engines.mjs --dims 8 --widths 64 --batches 1,32 --backends wasm --json
 */
import os from 'node:os';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: new URL('../../dist/', import.meta.url).pathname },
    dims: { type: 'string', default: '8,100' },
    widths: { type: 'string', default: '8,32,64,128,256,512' },
    batches: { type: 'string', default: '1,8,32,128' },
    backends: { type: 'string', default: 'wasm,cpu' },
    seconds: { type: 'string', default: '0.15' },
    trials: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const list = (s) => s.split(',').filter(Boolean).map((v) => (Number.isNaN(Number(v)) ? v : Number(v)));
const dist = (p) => new URL(p, `file://${args.dist.endsWith('/') ? args.dist : `${args.dist}/`}`).href;
const { DenseEngine } = await import(dist('src/model/dense/DenseEngine.js'));
const { Trainer } = await import(dist('src/model/Trainer.js'));
const { selectBackend } = await import(dist('src/model/selectBackend.js'));

const dims = list(args.dims);
const widths = list(args.widths);
const batches = list(args.batches);
const backends = list(args.backends);
const seconds = Number(args.seconds);
const trials = Number(args.trials);

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A pool of seeded batches (a linear rule on the features, so the model has something to learn). */
function pool(n, dim) {
  let state = 12345;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: 32 }, () => {
    const x = Float32Array.from({ length: n * dim }, () => 2 * uniform() - 1);
    const y = Float32Array.from({ length: n }, (_, r) => (x[r * dim] + 0.5 * x[r * dim + 1] > 0 ? 1 : 0));
    return { x, y };
  });
}

/** Best records/CPU-second of `trials` trials of at least `seconds` CPU seconds each. */
function measure(make, dim, width, n) {
  const engine = make({ task: 'binary', classes: 2, inputDim: dim, model: { layers: [{ type: 'dense', units: width, activation: 'relu' }], seed: 1 } });
  const batchesOf = pool(n, dim);
  let k = 0;
  const step = () => {
    const b = batchesOf[k++ % batchesOf.length];
    engine.step(b.x, b.y, n);
  };
  const warm = cpuSeconds();
  for (let i = 0; i < 20 || cpuSeconds() - warm < seconds / 2; i++) step();
  let best = 0;
  // Steps run in chunks that grow until a chunk takes ~5 ms: reading the CPU clock costs ~1 µs,
  // as much as a small dense step.
  let chunk = 1;
  for (let t = 0; t < trials; t++) {
    const start = cpuSeconds();
    let steps = 0;
    let spent = 0;
    while (spent < seconds) {
      for (let i = 0; i < chunk; i++) step();
      steps += chunk;
      const now = cpuSeconds() - start;
      if (now - spent < 0.005) chunk *= 2;
      spent = now;
    }
    best = Math.max(best, (steps * n) / spent);
  }
  engine.dispose();
  return best;
}

const results = new Map(); // key `${dim}/${width}/${n}` -> { dense, wasm, cpu }
const key = (dim, width, n) => `${dim}/${width}/${n}`;
const loadBefore = os.loadavg()[0];

await selectBackend('cpu'); // the dense engine takes its initial weights from TF.js
for (const dim of dims) for (const width of widths) for (const n of batches) {
  results.set(key(dim, width, n), { dense: measure((s) => new DenseEngine(s), dim, width, n) });
}
for (const backend of backends) {
  await selectBackend(backend);
  for (const dim of dims) for (const width of widths) for (const n of batches) {
    results.get(key(dim, width, n))[backend] = measure((s) => new Trainer(s), dim, width, n);
  }
}

const rows = [];
for (const dim of dims) for (const width of widths) for (const n of batches) {
  const r = results.get(key(dim, width, n));
  const bestTfjs = Math.max(...backends.map((b) => r[b] ?? 0));
  rows.push({ inputDim: dim, hidden: width, batch: n, ...r, ratio: r.dense / bestTfjs });
}
const crossover = [];
for (const dim of dims) for (const n of batches) {
  const first = rows.find((r) => r.inputDim === dim && r.batch === n && r.ratio < 1);
  crossover.push({ inputDim: dim, batch: n, tfjsWinsFromHidden: first ? first.hidden : null });
}
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadBefore, loadAfter: os.loadavg()[0] };

if (args.json) {
  console.log(JSON.stringify({ machine, unit: 'records per CPU-second of step()', rows, crossover }));
} else {
  const fmt = (v) => (v === undefined ? '-' : Math.round(v).toLocaleString('en-US'));
  console.log(`records per CPU-second of step(), binary, inputDim -> hidden (relu) -> 1, Adam; best of ${trials} x ${seconds} s`);
  console.log(`machine: ${machine.cpus} x ${machine.model}, node ${machine.node}, load ${loadBefore.toFixed(1)} -> ${machine.loadAfter.toFixed(1)}\n`);
  console.log(`| inputDim | hidden | batch | dense | ${backends.map((b) => `tfjs ${b}`).join(' | ')} | dense / best tfjs |`);
  console.log(`|---:|---:|---:|---:|${backends.map(() => '---:').join('|')}|---:|`);
  for (const r of rows) {
    console.log(`| ${r.inputDim} | ${r.hidden} | ${r.batch} | ${fmt(r.dense)} | ${backends.map((b) => fmt(r[b])).join(' | ')} | ${r.ratio.toFixed(1)}x |`);
  }
  console.log('\ncrossover (smallest hidden width where TF.js is faster; "never" = dense wins at every width measured):');
  for (const c of crossover) console.log(`  inputDim ${c.inputDim}, batch ${c.batch}: ${c.tfjsWinsFromHidden ?? 'never'}`);
}
