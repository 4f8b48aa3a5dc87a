/* global process, console, performance, URL */
/**
 * Per-stage cost of the pipeline, each library piece run in isolation on the same data
 * (imported from dist/): read (CSV parse), decode, route, standardize, batch, train step,
 * evaluation (+ drift detection and the tuner's decision), telemetry; then the whole
 * `runPipeline` over the same records held in memory, and the train step's cost per call at
 * several batch sizes (fixed cost per call vs cost per row). Prints one JSON object.
 *
 * `--sections io` (or `io,pipeline`; default `pipeline`) adds the source stages alone, before and
 * after the CSV fast path, interleaved `--io-repeats` times in this one process (medians):
 * read (file I/O + UTF-8 + line ends), read + split (the source iterator), decode (over the
 * records in memory), and source + decode as the pipeline pulls them. "before" is fast-csv with a
 * `fields` object per record, and, with `--baseline DIST` (the dist/ of an older build), that
 * build's own readCsv and decode; "after" is the fast path with `values` records.
 *
 * @example
 * node test/bench/stages.mjs --source ../shared/data/elec2.csv --backend wasm --records 45312
 * // {"backend":"wasm","records":45312,"stages":[{"stage":"decode","usPerRecord":0.9}, ...], ...}
 * node test/bench/stages.mjs --source .tmp/bench/hp100.csv --sections io --baseline /tmp/base/dist
 * // {"io":{"source":...,"rows":[{"stage":"read + split","variant":"after","recordsPerSecond":...}, ...]}}
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { from, lastValueFrom, toArray } from 'rxjs';

const { values: args } = parseArgs({
  options: {
    source: { type: 'string' },
    label: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    engine: { type: 'string', default: 'dense' },
    records: { type: 'string', default: '0' },
    batch: { type: 'string', default: '32' },
    'batch-sizes': { type: 'string', default: '1,8,32,128,512' },
    sections: { type: 'string', default: 'pipeline' },
    baseline: { type: 'string' },
    'io-repeats': { type: 'string', default: '3' },
  },
});
const sections = new Set(args.sections.split(',').map((x) => x.trim()));

const dist = (p) => new URL(`../../dist/${p}`, import.meta.url).href;
const { parseConfig } = await import(dist('src/config.js'));
const { decode, isRejected } = await import(dist('src/records/decode.js'));
const { openSource } = await import(dist('src/sources/openSource.js'));
const { resolveSchema } = await import(dist('src/training/resolveSchema.js'));
const { selectBackend } = await import(dist('src/model/selectBackend.js'));

const batchSize = Number(args.batch);
const config = parseConfig({
  source: args.source,
  ...(args.label ? { label: args.label } : {}),
  task: 'binary',
  validationSplit: 0,
  batch: { size: batchSize, maxWaitMs: 1000 },
  engine: args.engine,
  model: { layers: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dropout', rate: 0.1 }], seed: 42 },
  optimizer: { learningRate: 0.001 },
  l2: 0.001,
  tuning: { enabled: false },
  metrics: { enabled: false },
  progress: 'off',
});
const backend = await selectBackend(args.backend);
const opened = await openSource(config.source, config);
const schema = resolveSchema(config, opened.columns, opened.name);
const limit = Number(args.records) || Infinity;
const io = sections.has('io') ? await ioStages() : undefined;
if (!sections.has('pipeline')) {
  console.log(JSON.stringify({ source: opened.name, features: schema.features.length, io }));
  await opened.close?.();
  process.exit(0);
}
// The pipeline section's pieces, imported only when it runs (the io section needs none of them).
const { Standardizer } = await import(dist('src/stats/Standardizer.js'));
const { miniBatch } = await import(dist('operators/miniBatch.js'));
const { trainStep } = await import(dist('operators/trainStep.js'));
const { createEngine } = await import(dist('src/model/createEngine.js'));
const { createTrainingParts, createMonitor, engineSettings } = await import(dist('src/training/TrainingParts.js'));
const { Evaluator } = await import(dist('src/eval/Evaluator.js'));
const { Telemetry } = await import(dist('src/telemetry/registry.js'));
const { hashUnit } = await import(dist('src/records/hashKey.js'));
const { runPipeline, blockSize } = await import(dist('src/pipeline.js'));
const { Tuner } = await import(dist('src/tune/Tuner.js'));
const { Progress } = await import(dist('src/telemetry/Progress.js'));
const makeTrainer = () => createEngine(args.engine, engineSettings(config, schema));
const block = blockSize(batchSize);

const stages = [];
/** Times `fn` (which handles all n records) and records µs per record. */
async function stage(name, what, n, fn) {
  const t0 = performance.now();
  const out = await fn();
  const ms = performance.now() - t0;
  stages.push({ stage: name, what, usPerRecord: (ms * 1000) / n, ms });
  return out;
}

// read: the source as the pipeline pulls it (file I/O + CSV parse, or the generator for synth:).
const raws = await stage('read', 'source iterator: file read + CSV split (the fast path: plain split of unquoted lines), one RawRecord per row', 1, async () => {
  const out = [];
  for await (const r of opened.records) {
    out.push(r);
    if (out.length >= limit) break;
  }
  return out;
});
const n = raws.length;
stages[0].usPerRecord = (stages[0].ms * 1000) / n;

const samples = await stage('decode', 'decode(): validate + parse numbers into a Float32Array', n, () => {
  const out = [];
  for (const r of raws) {
    const d = decode(r, schema);
    if (!isRejected(d)) out.push(d);
  }
  return out;
});
const routed = await stage('route', 'route: hashUnit(key) < split, a new routed sample object', n, () =>
  samples.map((s) => ({ ...s, split: hashUnit(s.key ?? String(s.index), 0) < 0 ? 'holdout' : 'train' })),
);
const scaler = new Standardizer({ dim: schema.features.length });
const scaled = await stage('standardize', 'Standardizer.update + transform (Welford) and a new scaled sample object', n, () =>
  routed.map((s) => {
    scaler.update(s.x, s.y);
    return { ...s, z: scaler.transform(s.x), target: s.y, targetShift: 0, targetScale: 1 };
  }),
);
const batches = await stage('batch', `miniBatch(${block}, 1000 ms) operator over rxjs from(array)`, n, () =>
  lastValueFrom(from(scaled).pipe(miniBatch(block, 1000), toArray())),
);

const hp = { learningRate: 0.001, l2: 0.001 };
// A fresh backend's first steps are slow (kernel set-up, JIT): measured apart, once per process.
const warmup = (() => {
  const t = makeTrainer();
  const first = batches.slice(0, 50);
  const t0 = performance.now();
  for (const b of first) t.step(Float32Array.from(b.flatMap((s) => [...s.z])).slice(0, batchSize * schema.features.length), Float32Array.from(b, (s) => s.target).slice(0, batchSize), Math.min(batchSize, b.length));
  const ms = performance.now() - t0;
  t.dispose();
  return { batches: first.length, ms };
})();
const trainer = makeTrainer();
const scored = await stage('train step', `trainStep operator (${args.engine} engine, ${batchSize} record(s) per step): gather z, engine.step (forward, loss, grads, Adam), scatter scores`, n, () =>
  lastValueFrom(from(batches).pipe(trainStep(trainer, { hyperParams: hp }, { stepSize: batchSize }), toArray())),
);
const evaluator = new Evaluator({ task: 'binary', classes: 2, window: config.eval.window });
const evaluations = await stage('evaluation', 'Evaluator.update + get (window + cumulative MSE, log-loss, accuracy, baselines)', n, () =>
  scored.map((b) => {
    evaluator.update(b);
    return evaluator.get();
  }),
);
const monitor = createMonitor(config, schema);
const tuner = new Tuner(config.tuning);
await stage('drift + tuner', 'DriftMonitor.update (Page-Hinkley) + Tuner.decide (disabled: --no-tuning)', n, () => {
  scored.forEach((b, i) => {
    monitor.update(b);
    tuner.decide({ records: 0, batches: i, drift: null, trainLoss: NaN, holdoutLoss: NaN, batchLoss: b.loss, applied: b.applied }, hp, '');
  });
});
const telemetry = new Telemetry();
const progress = new Progress('off', { stream: process.stderr });
await stage('telemetry', 'per batch: observeBatch, observeEvaluation, detector stats, engine buffer or tensor gauge, progress', n, () => {
  scored.forEach((b, i) => {
    telemetry.observeBatch(b);
    telemetry.observeEvaluation(evaluations[i]);
    telemetry.setDetectorStats(monitor.stats());
    telemetry.setTensors(trainer.numTensors);
    progress.update({ records: i, rejected: 0, evaluation: evaluations[i], hyperParams: hp });
  });
});
// Kernels one train step dispatches (the fixed cost per call), and the kernel time TF.js reports.
const profile = args.engine !== 'tfjs' ? { stepKernels: 0, predictKernels: 0, kernelMs: 0, byKernel: {} } : await (async () => {
  const b = batches[batches.length - 1];
  const x = Float32Array.from(b.flatMap((s) => [...s.z]));
  const y = Float32Array.from(b, (s) => s.target);
  // tf.profile returns the engine's one profile object: copy what is needed before the next call.
  const step = { ...(await tf.profile(() => void trainer.step(x, y, b.length))) };
  step.kernels = [...step.kernels];
  const predictKernels = (await tf.profile(() => void trainer.predict(x, b.length))).kernels.length;
  const kernels = {};
  for (const k of step.kernels) kernels[k.name] = (kernels[k.name] ?? 0) + 1;
  const kernelMs = step.kernels.reduce((a, k) => a + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), 0);
  return { stepKernels: step.kernels.length, predictKernels, kernelMs, byKernel: kernels };
})();
const scrape = await (async () => {
  const t0 = performance.now();
  const text = await telemetry.registry.metrics();
  return { ms: performance.now() - t0, bytes: text.length };
})();
trainer.dispose();

// The whole pipeline (rxjs wiring, fromSource's async pull, counts) over the records in memory.
const parts = createTrainingParts(config, schema);
const pipeTrainer = parts.engine;
const inMemory = (async function* () {
  yield* raws;
})();
const pipeline = await runPipeline({
  config,
  schema,
  records: inMemory,
  parts,
  onRejected: () => undefined,
  onBatch: ({ batch, evaluation }) => {
    telemetry.observeBatch(batch);
    telemetry.observeEvaluation(evaluation);
    telemetry.setTensors(pipeTrainer.numTensors);
  },
});
pipeTrainer.dispose();

// Cost of one Trainer.step per batch size: a fixed part per call and a part per row.
const steps = [];
for (const size of args['batch-sizes'].split(',').map(Number)) {
  const t = makeTrainer();
  const rows = Math.min(size, scaled.length);
  const x = new Float32Array(rows * schema.features.length);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    x.set(scaled[r].z, r * schema.features.length);
    y[r] = scaled[r].target;
  }
  for (let i = 0; i < 20; i++) t.step(x, y, rows); // warm-up
  const calls = Math.max(20, Math.min(400, Math.round(20_000 / rows)));
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) t.step(x, y, rows);
  const msPerCall = (performance.now() - t0) / calls;
  const p0 = performance.now();
  for (let i = 0; i < calls; i++) t.predict(x, rows);
  const predictMsPerCall = (performance.now() - p0) / calls;
  steps.push({ batch: rows, msPerCall, usPerRecord: (msPerCall * 1000) / rows, predictMsPerCall });
  t.dispose();
}

console.log(
  JSON.stringify({
    backend: backend.name,
    engine: args.engine,
    source: opened.name,
    ...(io ? { io } : {}),
    features: schema.features.length,
    records: n,
    batch: batchSize,
    stages,
    sumUsPerRecord: stages.reduce((a, s) => a + s.usPerRecord, 0),
    pipelineInMemory: {
      what: 'runPipeline over the records already read (no I/O), telemetry included',
      seconds: pipeline.seconds,
      usPerRecord: (pipeline.seconds * 1e6) / n,
      recordsPerSecond: n / pipeline.seconds,
    },
    warmup,
    profile,
    scrape,
    stepCost: steps,
  }),
);
await opened.close?.();

/**
 * The source stages alone, before and after the CSV fast path, variants interleaved, medians of
 * `--io-repeats`: records per second and µs per record for read, read + split, decode, and
 * source + decode (the two pulled together, as the pipeline does).
 */
async function ioStages() {
  const repeats = Math.max(1, Number(args['io-repeats']) || 3);
  const path = opened.name;
  const isCsv = path.toLowerCase().endsWith('.csv');
  const { readCsv } = await import(dist('src/sources/csv.js'));
  const { parseSyntheticUri } = await import(dist('src/sources/synthetic.js'));
  const base = args.baseline ? (p) => new URL(`${p}`, `file://${args.baseline.replace(/\/?$/, '/')}`).href : undefined;
  const old = base
    ? {
        readCsv: (await import(base('src/sources/csv.js'))).readCsv,
        decode: (await import(base('src/records/decode.js'))).decode,
        parseSyntheticUri: (await import(base('src/sources/synthetic.js'))).parseSyntheticUri,
      }
    : undefined;
  const take = async function* (records) {
    let n = 0;
    for await (const r of records) {
      if (n++ >= limit) return;
      yield r;
    }
  };
  /** One variant: how it reads the source, and its decode. */
  const variants = isCsv
    ? [
        old
          ? { variant: 'before', what: `${args.baseline}: its readCsv (fast-csv, fields) and decode`, records: () => old.readCsv(path), decode: old.decode }
          : { variant: 'before', what: 'fast-csv parser, a fields object per record, current decode', records: () => readCsv(path, { parser: 'fast-csv' }), decode },
        { variant: 'after', what: 'fast path (CsvSplitter), values + columns records (as openSource reads)', records: () => readCsv(path, { shape: 'values' }), decode },
      ]
    : [
        ...(old ? [{ variant: 'before', what: `${args.baseline}: its synthetic source and decode`, records: () => old.parseSyntheticUri(path).records, decode: old.decode }] : []),
        { variant: 'after', what: 'synthetic source, current decode', records: () => parseSyntheticUri(path).records, decode },
      ];
  const runs = new Map();
  const time = async (key, n, fn) => {
    const t0 = performance.now();
    const out = await fn();
    const ms = performance.now() - t0;
    if (!runs.has(key)) runs.set(key, []);
    runs.get(key).push({ ms, n: n ?? out.length });
    return out;
  };
  let rows = 0;
  for (let r = 0; r < repeats; r++) {
    if (isCsv) rows = await time('read|both', undefined, () => readLines(path));
    for (const v of variants) {
      const records = await time(`read + split|${v.variant}`, undefined, async () => {
        const out = [];
        for await (const rec of take(v.records())) out.push(rec);
        return out;
      });
      await time(`decode|${v.variant}`, records.length, () => {
        let kept = 0;
        for (const rec of records) if (!isRejected(v.decode(rec, schema))) kept++;
        return kept;
      });
      await time(`source + decode|${v.variant}`, records.length, async () => {
        let kept = 0;
        for await (const rec of take(v.records())) if (!isRejected(v.decode(rec, schema))) kept++;
        return kept;
      });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const table = [...runs].map(([key, list]) => {
    const [stage, variant] = key.split('|');
    const ms = median(list.map((x) => x.ms));
    const n = list[0].n;
    return { stage, variant, records: n, ms, usPerRecord: (ms * 1000) / n, recordsPerSecond: n / (ms / 1000) };
  });
  return {
    source: path,
    repeats,
    ...(isCsv ? { lines: rows.length } : {}),
    variants: variants.map(({ variant, what }) => ({ variant, what })),
    rows: table,
  };
}

/** The read stage alone: file bytes to UTF-8 text to line ends (no cells); returns one entry per line. */
async function readLines(path) {
  const { createReadStream } = await import('node:fs');
  const { StringDecoder } = await import('node:string_decoder');
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const lines = [];
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const text = rest + decoder.write(chunk);
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      lines.push(nl - pos);
      pos = nl + 1;
    }
    if (lines.length > limit) return lines.slice(0, limit + 1); // the header and `limit` records
    rest = text.slice(pos);
  }
  return lines;
}
