import { defaultIfEmpty, filter, lastValueFrom, map, tap, type Observable } from 'rxjs';
import { detectDrift } from '../operators/detectDrift.js';
import { joinLabels } from '../operators/joinLabels.js';
import { lag } from '../operators/lag.js';
import { miniBatch } from '../operators/miniBatch.js';
import { populationStep } from '../operators/populationStep.js';
import { rollingMetrics } from '../operators/rollingMetrics.js';
import { route } from '../operators/route.js';
import { standardize } from '../operators/standardize.js';

import { tune } from '../operators/tune.js';
import type { Config } from './config.js';
import type { DriftDetection } from './drift/DriftMonitor.js';
import type { Evaluation } from './eval/Evaluator.js';
import { decode, isRejected } from './records/decode.js';
import { countBatch, countRejected, type RecordCounts } from './records/RecordCounts.js';
import { fromSource } from './sources/fromSource.js';
import type { TrainingParts } from './training/TrainingParts.js';
import type { TuningDecision } from './tune/TuningDecision.js';
import type { RawRecord, Rejected, Sample, ScaledSample, ScoredBatch, Schema } from './types.js';

/** What the pipeline reports after each batch (telemetry, progress, metrics log, checkpoints). */
export interface BatchReport {
  readonly batch: ScoredBatch;
  /** The evaluation after this batch was scored. */
  readonly evaluation: Evaluation;
  readonly counts: Readonly<RecordCounts>;
  /**
   * Every record with a source index up to this one is fully processed: learned, scored or
   * rejected (records flow in order, so a finished batch finishes everything read before it).
   * Sources may commit their positions up to here once the state holding them is durable.
   */
  readonly doneThrough: number;
  /** The first drift detected in this batch, or null. */
  readonly drift: DriftDetection | null;
  /** The tuner's decision after this batch (already in force through the parts' controls). */
  readonly decision: TuningDecision;
}

/**
 * Records that flow through evaluation, drift detection, tuning and reporting together: a whole
 * multiple of the learning batch of at least 32, so a small batch (down to one record per step)
 * learns as finely as asked while the per-batch work stays amortized and the tuner's cadence
 * stays the same (every 32 records) for every batch size up to 32.
 *
 * @example
 * blockSize(1); // 32: 32 steps of one record each per block
 * blockSize(50); // 50
 */
export function blockSize(batchSize: number): number {
  return batchSize * Math.ceil(MIN_BLOCK / batchSize);
}

const MIN_BLOCK = 32;

export interface PipelineOptions {
  readonly config: Config;
  readonly schema: Schema;
  readonly records: AsyncIterable<RawRecord>;
  /** The stateful parts (fresh from `createTrainingParts`, or restored from a checkpoint); updated in place. */
  readonly parts: TrainingParts;
  /** Side effects at the edges: dead letter, telemetry, logs. */
  readonly onRejected: (record: Rejected) => void;
  readonly onBatch?: (report: BatchReport) => void;
  readonly signal?: AbortSignal;
}

export interface PipelineResult {
  readonly counts: RecordCounts;
  readonly evaluation: Evaluation;
  readonly seconds: number;
  /** Source index of the last record read (-1 when none): everything up to it is processed. */
  readonly lastIndex: number;
}

/**
 * The one place that wires the operators and subscribes:
 * source -> decode (rejects to `onRejected`) -> lag -> route -> standardize -> batch -> population
 * step (every member learns; the champion scores) -> evaluate -> detect drift -> tune (the tuner,
 * then the population's exploit/explore round). With `labels.source` (docs/delayed-labels.md) the
 * front is source -> join labels (decode, route, standardize and predict on arrival, wait for the
 * label; dead letters to `onRejected`) -> batch, and each sample is scored with its arrival
 * prediction. The loop closes through `parts.controls`: the tuner writes
 * the hyperparameters and actions there, the next train step reads them. Resolves when the source
 * ends (or the signal aborts it, after the in-flight batch) with the final counts.
 *
 * @example
 * const parts = createTrainingParts(config, schema);
 * const result = await runPipeline({ config, schema, records: readCsv(path), parts, onRejected });
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { config, schema, parts } = options;
  const { population, lags, scaler, evaluator, monitor, tuner, controls, counts } = parts;
  const started = performance.now();
  let lastIndex = -1;

  const raw$ = fromSource(options.records, { rate: config.rate, maxRecords: config.maxRecords, signal: options.signal });
  const join = parts.labels;
  // Labels that arrive later: the join routes, standardizes and predicts each record on arrival
  // and releases it when its label comes; everything it has taken in is done (learned, waiting in
  // the checkpointed set, or dead-lettered), so that is how far a batch covers the source.
  const scaled$: Observable<ScaledSample> | undefined =
    join &&
    raw$.pipe(
      tap((raw) => (lastIndex = raw.index)),
      joinLabels(join, { counts, onRejected: options.onRejected }),
    );
  const samples$ = raw$.pipe(
    tap((raw) => {
      counts.total++;
      lastIndex = raw.index;
    }),
    map((raw) => decode(raw, schema, Date.now())),
    filter((decoded): decoded is Sample => {
      if (!isRejected(decoded)) return true;
      countRejected(counts, decoded.reason);
      options.onRejected(decoded);
      return false;
    }),
    lag(lags),
  );
  const reports$ = (
    scaled$ ??
    samples$.pipe(route({ validationSplit: config.validationSplit, seed: config.splitSeed }), standardize(scaler.settings, scaler))
  ).pipe(
    miniBatch(blockSize(population.maxBatchSize), config.batch.maxWaitMs),
    populationStep(population, controls),
    map((batch) => {
      countBatch(counts, batch);
      return { batch, counts, doneThrough: join ? join.consumedThrough : (batch.samples[batch.samples.length - 1]?.index ?? -1) };
    }),
    rollingMetrics(evaluator.settings, evaluator),
    detectDrift(monitor.settings, monitor),
    tune(tuner, { task: schema.task, controls, population }),
    tap((report) => options.onBatch?.(report)),
  );
  const last = await lastValueFrom(reports$.pipe(map((r) => r.evaluation), defaultIfEmpty(evaluator.get())));
  return { counts, evaluation: last, seconds: (performance.now() - started) / 1000, lastIndex };
}
