/* global process, console, performance, URL */
/**
 * How the defaults were chosen (docs/population.md): runs configurations over the defaults on the
 * shared streams, prequentially, in-process, and prints one line each: Elec2 accuracy, SEA
 * accuracy (and over the 2,000 records after each drift), Bike Sharing MSE, with records/s.
 *
 *   npm run build
 *   node test/bench/sweep.mjs '{}' '{"tuning":{"enabled":false}}' '{"tuning":{"population":{"size":8}}}'
 *   STREAMS=elec2,elec2-lags node test/bench/sweep.mjs '{}'
 *
 * Each argument is a config (JSON, as in a config file) merged over the defaults. Accuracy and
 * MSE are deterministic; records/s depend on the machine's load.
 */
import { fileURLToPath } from 'node:url';
import { mergeConfig, parseConfig } from '../../dist/src/config.js';
import { runPipeline } from '../../dist/src/pipeline.js';
import { openSource } from '../../dist/src/sources/openSource.js';
import { resolveSchema } from '../../dist/src/training/resolveSchema.js';
import { createTrainingParts } from '../../dist/src/training/TrainingParts.js';

const data = (name) => fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url));
const STREAMS = {
  elec2: { source: data('elec2.csv') },
  'elec2-lags': { source: data('elec2.csv'), lags: { label: [1, 2] } },
  sea: { source: data('sea_concepts_50k.csv') },
  bike: { source: data('bike_sharing_hour_numeric.csv'), task: 'regression', label: 'cnt' },
  'bike-lags': { source: data('bike_sharing_hour_numeric.csv'), task: 'regression', label: 'cnt', lags: { label: [1, 2] } },
};
const SEA_DRIFTS = [12_500, 25_000, 37_500];
const streams = (process.env.STREAMS ?? 'elec2,sea,bike').split(',');

for (const variant of process.argv.slice(2).map((text) => JSON.parse(text))) {
  const cells = [];
  for (const name of streams) {
    const config = parseConfig(mergeConfig({ engine: 'dense' }, STREAMS[name], variant));
    const source = await openSource(config.source);
    const schema = resolveSchema(config, source.columns, source.name);
    const parts = createTrainingParts(config, schema);
    const windows = SEA_DRIFTS.map(() => ({ n: 0, hits: 0 }));
    const started = performance.now();
    const result = await runPipeline({
      config,
      schema,
      records: source.records,
      parts,
      onRejected: () => {},
      onBatch: ({ batch }) => {
        if (name !== 'sea') return;
        batch.samples.forEach((s, i) => {
          const w = windows[SEA_DRIFTS.findIndex((d) => s.index >= d && s.index < d + 2000)];
          if (!w || s.split !== 'train') return;
          w.n++;
          if ((batch.predictions[i] >= 0.5 ? 1 : 0) === s.y) w.hits++;
        });
      },
    });
    parts.population.dispose();
    const m = result.evaluation.cumulative.train;
    const rate = Math.round(result.counts.total / ((performance.now() - started) / 1000));
    const score = m.accuracy !== undefined ? m.accuracy.toFixed(4) : Math.round(m.mse).toLocaleString('en-US');
    const after = name === 'sea' ? ` (${windows.map((w) => (w.hits / w.n).toFixed(3)).join(' / ')})` : '';
    cells.push(`${name} ${score}${after} ${rate.toLocaleString('en-US')}/s`);
  }
  console.log(`${cells.join(' | ')}  ${JSON.stringify(variant)}`);
}
