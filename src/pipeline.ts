import { BehaviorSubject, defaultIfEmpty, filter, lastValueFrom, map, tap } from 'rxjs';
import { detectDrift } from '../operators/detectDrift.js';
import { miniBatch } from '../operators/miniBatch.js';
import { rollingMetrics } from '../operators/rollingMetrics.js';
import { route } from '../operators/route.js';
import { standardize } from '../operators/standardize.js';
import { trainStep } from '../operators/trainStep.js';
import { tune } from '../operators/tune.js';
import type { Config } from './config.js';
import { decode, isRejected } from './records/decode.js';
import type { DetectorSpec } from './drift/createDetector.js';
import { DriftMonitor, type DriftDetection } from './drift/DriftMonitor.js';
import { Evaluator, type Evaluation } from './eval/Evaluator.js';
import type { Trainer } from './model/Trainer.js';
import { fromSource } from './sources/fromSource.js';
import { Standardizer } from './stats/Standardizer.js';
import { Tuner } from './tune/Tuner.js';
import type { TuningDecision } from './tune/TuningDecision.js';
import { TuningEffects } from './tune/TuningEffects.js';
import type { HyperParams, RawRecord, Rejected, RejectReason, Sample, ScoredBatch, Schema } from './types.js';

/** Record counts: `total = trained + holdout + rejected`. */
export interface RecordCounts {
  total: number;
  trained: number;
  holdout: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  skippedSteps: number;
  batches: number;
}

/** What the pipeline reports after each batch (telemetry, progress, metrics log). */
export interface BatchReport {
  readonly batch: ScoredBatch;
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
  /** The tuner's decision after this batch (hyperparameters for the next step, events, actions). */
  readonly decision: TuningDecision;
}

export interface PipelineOptions {
  readonly config: Config;
  readonly schema: Schema;
  readonly records: AsyncIterable<RawRecord>;
  readonly trainer: Trainer;
  /** The one piece of state that closes the loop: read by every train step, written by the tuner. */
  readonly hyperParams: BehaviorSubject<HyperParams>;
  /** Side effects at the edges: dead letter, telemetry, logs. */
  readonly onRejected: (record: Rejected) => void;
  readonly onBatch?: (report: BatchReport) => void;
  readonly signal?: AbortSignal;
  /** Restored state (from a checkpoint); fresh state when absent. */
  readonly scaler?: Standardizer;
  readonly evaluator?: Evaluator;
  readonly counts?: RecordCounts;
  readonly monitor?: DriftMonitor;
  readonly tuner?: Tuner;
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
 * source -> decode (rejects to the dead letter) -> route -> standardize -> batch -> train step
 * -> evaluate -> detect drift -> tune, closing the loop through `hyperParams` (read by the next
 * step) and the tuner's actions. Resolves when the source ends (or the signal aborts it, after
 * the in-flight batch) with the final counts.
 *
 * @example
 * const result = await runPipeline({ config, schema, records: readCsv(path), trainer, hyperParams, onRejected });
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { config, schema, trainer, hyperParams } = options;
  const counts: RecordCounts = options.counts ?? emptyCounts();
  const scaler = options.scaler ?? createScaler(config, schema);
  const evaluator = options.evaluator ?? createEvaluator(config, schema);
  const monitor = options.monitor ?? createMonitor(config, schema);
  const tuner = options.tuner ?? new Tuner(config.tuning);
  const effects = new TuningEffects({ trainer, scaler });
  const started = performance.now();
  let lastBatch: ScoredBatch | undefined;
  let lastIndex = -1;

  const samples$ = fromSource(options.records, {
    rate: config.rate,
    maxRecords: config.maxRecords,
    signal: options.signal,
  }).pipe(
    tap((raw) => {
      counts.total++;
      lastIndex = raw.index;
    }),
    map((raw) => decode(raw, schema)),
    tap((decoded) => {
      if (isRejected(decoded)) {
        counts.rejected++;
        counts.rejectedByReason[decoded.reason] = (counts.rejectedByReason[decoded.reason] ?? 0) + 1;
        options.onRejected(decoded);
      }
    }),
    filter((decoded): decoded is Sample => !isRejected(decoded)),
  );
  const batches$ = samples$.pipe(
    route({ validationSplit: config.validationSplit, seed: config.splitSeed }),
    standardize(scaler.settings, scaler),
    miniBatch(config.batch.size, config.batch.maxWaitMs),
    trainStep(trainer, () => hyperParams.value),
    tap((batch) => {
      lastBatch = batch;
      counts.batches++;
      for (const s of batch.samples) {
        if (s.split === 'train') counts.trained++;
        else counts.holdout++;
      }
      if (!batch.applied) counts.skippedSteps++;
    }),
  );
  const evaluations$ = batches$.pipe(
    rollingMetrics(evaluator.settings, evaluator),
    // rollingMetrics emits exactly once per batch, synchronously, so lastBatch is the one it scored.
    map((evaluation) => {
      const batch = lastBatch as ScoredBatch;
      return { batch, evaluation, counts, doneThrough: batch.samples[batch.samples.length - 1]?.index ?? -1 };
    }),
    detectDrift(monitor.settings, monitor),
    tune(config.tuning, schema.task, () => hyperParams.value, undefined, tuner),
    tap((report) => {
      // Close the loop: the next step reads the new hyperparameters; actions change the state.
      effects.afterBatch(report.batch, counts.batches);
      effects.apply(report.decision.actions, counts.batches);
      if (report.decision.hp !== hyperParams.value) hyperParams.next(report.decision.hp);
      options.onBatch?.(report);
    }),
    map((report) => report.evaluation),
    defaultIfEmpty(evaluator.get()),
  );

  const evaluation = await lastValueFrom(evaluations$);
  return { counts, evaluation, seconds: (performance.now() - started) / 1000, lastIndex };
}

export function emptyCounts(): RecordCounts {
  return { total: 0, trained: 0, holdout: 0, rejected: 0, rejectedByReason: {}, skippedSteps: 0, batches: 0 };
}

/** The scaler a config asks for (regression targets are standardized unless told otherwise). */
export function createScaler(config: Config, schema: Schema): Standardizer {
  return new Standardizer({
    dim: schema.features.length,
    halfLife: config.standardize.halfLife,
    clip: config.standardize.clip,
    standardizeTarget: config.standardize.target ?? schema.task === 'regression',
  });
}

export function createEvaluator(config: Config, schema: Schema): Evaluator {
  return new Evaluator({ task: schema.task, classes: schema.classes, window: config.eval.window });
}

/** The drift monitor a config asks for (the signal defaults to the prequential error, or loss for regression). */
export function createMonitor(config: Config, schema: Schema): DriftMonitor {
  return new DriftMonitor({
    task: schema.task,
    signal: config.drift.signal ?? (schema.task === 'regression' ? 'prequential_loss' : 'prequential_error'),
    detectors: (config.drift.detectors as unknown as DetectorSpec[] | undefined) ?? defaultDetectors(schema.task),
  });
}

/**
 * Classification: Page-Hinkley on the 0/1 error, looking for increases only (a falling error is
 * learning, not drift). On SEA it fires once after each of the three drifts and never between.
 * Regression: ADWIN on the squared error, whose bound adapts to the loss's own scale.
 */
function defaultDetectors(task: Schema['task']): DetectorSpec[] {
  return task === 'regression' ? [{ type: 'adwin' }] : [{ type: 'pageHinkley', mode: 'up' }];
}
