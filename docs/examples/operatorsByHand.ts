/**
 * Compose the operators yourself on any RxJS stream of samples: route, standardize, batch, train,
 * evaluate. Each keeps its own state per subscription unless you pass it one to checkpoint.
 * `npm test` runs it (test/docs/examples.test.ts); copy it and import from the package (`streamtune`) to use it.
 */
import { from, lastValueFrom, map } from 'rxjs';
import { miniBatch, rollingMetrics, route, standardize, trainStep } from '../../operators/index.js';
import { createEngine } from '../../src/model/createEngine.js';
import { decode, isRejected } from '../../src/records/decode.js';
import { parseSyntheticUri } from '../../src/sources/synthetic.js';
import type { Sample } from '../../src/types.js';

export async function operatorsByHand(n = 4000) {
  // SEA: three features, a label from a threshold on two of them (synthetic, seeded), decoded to samples.
  const { schema, records } = parseSyntheticUri(`synth:sea?n=${n}&seed=7`);
  const samples: Sample[] = [];
  for (const raw of records) {
    const decoded = decode(raw, schema);
    if (!isRejected(decoded)) samples.push(decoded);
  }
  const engine = createEngine('dense', { task: 'binary', classes: 2, inputDim: 3, model: { layers: [{ type: 'dense', units: 16 }], seed: 1 } });
  const controls = { hyperParams: { learningRate: 0.01, l2: 0 } };
  const last = await lastValueFrom(
    from(samples).pipe(
      route({ validationSplit: 0.2 }),
      standardize({ dim: 3 }),
      miniBatch(32, Infinity),
      trainStep(engine, controls, { stepSize: 1 }),
      map((batch) => ({ batch })),
      rollingMetrics({ task: 'binary', classes: 2, window: 1000 }),
    ),
  );
  engine.dispose();
  return { holdoutAccuracy: last.evaluation.window.holdout.accuracy, trainAccuracy: last.evaluation.window.train.accuracy };
}

