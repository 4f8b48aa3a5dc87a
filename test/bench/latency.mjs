/* global console, performance, URL */
/**
 * Produce-to-learned latency through the real pipeline (library API from dist/, the same
 * wiring as `streamtune train` minus the metrics server): consumes a Kafka topic whose JSON
 * messages carry `t_produce` (not a feature: features are given explicitly), and when the batch
 * holding a record has been trained and evaluated (the pipeline's onBatch), records
 * `now - t_produce` for each of its rows. Prints "ready" once the consumer is in its group, then
 * one JSON line with the latency percentiles after `--records` records.
 *
 * @example
 * node test/bench/latency.mjs --brokers 127.0.0.1:9092 --topic lat --records 60000 --skip 2000
 */
import { parseArgs } from 'node:util';

const dist = (p) => new URL(`../../dist/${p}`, import.meta.url).href;
const { parseConfig } = await import(dist('src/config.js'));
const { selectBackend } = await import(dist('src/model/selectBackend.js'));
const { openSource } = await import(dist('src/sources/openSource.js'));
const { resolveSchema } = await import(dist('src/training/resolveSchema.js'));
const { createTrainingParts } = await import(dist('src/training/TrainingParts.js'));
const { runPipeline } = await import(dist('src/pipeline.js'));
const { percentile } = await import('./lib/summarize.mjs');

const { values: a } = parseArgs({
  options: {
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string', default: 'bench-latency' },
    records: { type: 'string', default: '60000' },
    skip: { type: 'string', default: '2000' },
    backend: { type: 'string', default: 'wasm' },
    features: { type: 'string', default: 'date,day,period,nswprice,nswdemand,vicprice,vicdemand,transfer' },
    label: { type: 'string', default: 'class' },
  },
});
const now = () => performance.timeOrigin + performance.now();
const config = parseConfig({
  source: `kafka://${a.brokers}/${a.topic}`,
  features: a.features.split(','),
  label: a.label,
  task: 'binary',
  validationSplit: 0,
  maxRecords: Number(a.records),
  batch: { size: 32, maxWaitMs: 1000 },
  model: { layers: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dropout', rate: 0.1 }], seed: 42 },
  l2: 0.001,
  kafka: { group: a.group, format: 'json' },
  tuning: { enabled: false },
  metrics: { enabled: false },
  progress: 'off',
});
await selectBackend(a.backend);
let up;
const isUp = new Promise((resolve) => (up = resolve));
const source = await openSource(config.source, {
  ...config,
  kafkaHooks: { onStatus: (status) => status.up && up() },
});
const schema = resolveSchema(config, source.columns, source.name);
const parts = createTrainingParts(config, schema);
const trainer = parts.engine;
// Warm the backend up before the clock matters (a real trainer has been running for a while).
trainer.predict(new Float32Array(32 * schema.features.length), 32);

const produced = new Map();
let missing = 0;
const records = (async function* () {
  for await (const r of source.records) {
    const t = Number(r.fields?.t_produce);
    if (Number.isFinite(t)) produced.set(r.index, t);
    else missing++;
    yield r;
  }
})();
const latencies = [];
const skip = Number(a.skip);
let seen = 0;
let batches = 0;
let firstLearned;
await isUp;
console.log('ready');
const result = await runPipeline({
  config,
  schema,
  records,
  parts,
  onRejected: () => undefined,
  onBatch: ({ batch }) => {
    const t = now();
    firstLearned ??= t;
    batches++;
    for (const s of batch.samples) {
      const p = produced.get(s.index);
      produced.delete(s.index);
      if (p !== undefined && seen++ >= skip) latencies.push(t - p);
    }
  },
});
const learnedSeconds = (now() - (firstLearned ?? now())) / 1000;
source.allowCommit?.(source.positionsThrough(result.lastIndex));
await source.close?.();
trainer.dispose();
const sorted = [...latencies].sort((x, y) => x - y);
console.log(
  JSON.stringify({
    records: result.counts.total,
    measured: sorted.length,
    skipped: Math.min(skip, seen),
    missingTimestamp: missing,
    batches,
    meanBatch: result.counts.total / Math.max(batches, 1),
    learnedPerSecond: result.counts.total / Math.max(learnedSeconds, 1e-9),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.at(-1) ?? null,
      mean: sorted.reduce((x, y) => x + y, 0) / Math.max(sorted.length, 1),
    },
  }),
);
