/* global console, URL */
/**
 * One `streamtune train` run through the library API (dist/, wired as test/integration/learning.test.ts
 * wires it), for what the CLI's summary does not give: the prequential accuracy of the train records
 * in the `--window-size` records after each index of `--windows` (SEA's drifts). The config is what
 * the CLI would build from `--config FILE` + the JSON of `--settings` (flag-equivalent keys). Prints
 * one JSON line: accuracy, mse, windows, records, seconds, recordsPerSecond, population size.
 *
 * @example
 * node test/bench/learningWindows.mjs --source ../shared/data/sea_concepts_50k.csv --settings '{"label":"y"}' --windows 12500,25000,37500
 */
import { parseArgs } from 'node:util';

const dist = (p) => new URL(`../../dist/${p}`, import.meta.url).href;
const { parseConfig, readConfigFile, mergeConfig } = await import(dist('src/config.js'));
const { selectBackend } = await import(dist('src/model/selectBackend.js'));
const { openSource } = await import(dist('src/sources/openSource.js'));
const { resolveSchema } = await import(dist('src/training/resolveSchema.js'));
const { createTrainingParts } = await import(dist('src/training/TrainingParts.js'));
const { runPipeline } = await import(dist('src/pipeline.js'));

const { values: a } = parseArgs({
  options: {
    source: { type: 'string' },
    config: { type: 'string' },
    settings: { type: 'string', default: '{}' },
    windows: { type: 'string', default: '' },
    'window-size': { type: 'string', default: '2000' },
  },
});
const size = Number(a['window-size']);
const windows = a.windows.split(',').filter(Boolean).map(Number);
const config = parseConfig(
  mergeConfig(a.config ? readConfigFile(a.config) : {}, { source: a.source, metrics: { enabled: false }, progress: 'off' }, JSON.parse(a.settings)),
);
await selectBackend(config.backend === 'auto' ? undefined : config.backend);
const source = await openSource(config.source);
const schema = resolveSchema(config, source.columns, source.name);
const parts = createTrainingParts(config, schema);
const hits = windows.map(() => [0, 0]);
const result = await runPipeline({
  config,
  schema,
  records: source.records,
  parts,
  onRejected: () => undefined,
  onBatch: ({ batch }) => {
    batch.samples.forEach((s, i) => {
      if (s.split !== 'train') return;
      const k = windows.findIndex((from) => s.index >= from && s.index < from + size);
      if (k < 0) return;
      hits[k][0]++;
      if ((batch.predictions[i] >= 0.5 ? 1 : 0) === s.y) hits[k][1]++;
    });
  },
});
const population = parts.population.size;
parts.population.dispose();
const m = result.evaluation.cumulative.train;
const records = result.counts.total;
console.log(
  JSON.stringify({
    records,
    seconds: result.seconds,
    recordsPerSecond: records / result.seconds,
    accuracy: m.accuracy ?? null,
    mse: m.mse,
    population,
    windows: windows.map((from, k) => ({ from, records: hits[k][0], accuracy: hits[k][0] ? hits[k][1] / hits[k][0] : null })),
  }),
);
