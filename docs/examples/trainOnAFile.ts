/**
 * Train on a file with the library API, the way `streamtune train` wires it, and read the result.
 * `npm test` runs it (test/docs/examples.test.ts); copy it and import from the package (`streamtune`) to use it.
 */
import { parseConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { EMBEDDED_SOURCE, openSource } from '../../src/sources/openSource.js';
import { resolveSchema } from '../../src/training/resolveSchema.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';

export async function trainOnAFile(records = 5000) {
  const config = parseConfig({ source: EMBEDDED_SOURCE, maxRecords: records, batch: { size: 4 }, engine: 'dense' });
  const source = await openSource(config.source);
  const schema = resolveSchema(config, source.columns, source.name); // label: the last column, features: the rest
  const parts = createTrainingParts(config, schema);
  const rejected: string[] = [];
  try {
    const result = await runPipeline({
      config,
      schema,
      records: source.records,
      parts,
      onRejected: (r) => rejected.push(`${r.position}: ${r.detail}`),
    });
    return {
      records: result.counts.total,
      accuracy: result.evaluation.cumulative.train.accuracy,
      majority: result.evaluation.baselines.majority?.cumulative.accuracy ?? NaN,
      rejected,
    };
  } finally {
    parts.population.dispose(); // every member (the champion is parts.engine)
  }
}

