import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Evaluation, SplitMetrics } from '../eval/Evaluator.js';
import { TUNING_SERIES } from '../tune/tuningSeries.js';
import { LabelMetrics } from './LabelMetrics.js';
import { PopulationMetrics, type MemberMetrics } from './PopulationMetrics.js';
import { SyncMetrics } from './SyncMetrics.js';
import { REJECT_REASONS, type RejectReason, type ScoredBatch, type Split } from '../types.js';

const SPLITS: readonly Split[] = ['train', 'holdout'];

/**
 * The trainer's own prom-client registry (with default process metrics) and the
 * `streamtune_*` metrics, updated from batches and evaluations.
 *
 * @example
 * const telemetry = new Telemetry();
 * telemetry.observeBatch(scored); telemetry.observeEvaluation(evaluator.get());
 * await telemetry.registry.metrics(); // Prometheus text format
 */
export class Telemetry {
  readonly registry = new Registry();

  private readonly records = new Counter({
    name: 'streamtune_records_total',
    help: 'Valid records processed, by split (train: learned after prequential scoring; holdout: only scored).',
    labelNames: ['split'] as const,
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'streamtune_records_rejected_total',
    help: 'Records rejected by validation and sent to the dead letter, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly batches = new Counter({
    name: 'streamtune_batches_total',
    help: 'Mini-batches processed.',
    registers: [this.registry],
  });
  private readonly skippedSteps = new Counter({
    name: 'streamtune_steps_skipped_total',
    help: 'Train steps not applied because the loss or the gradients were not finite.',
    registers: [this.registry],
  });
  private readonly trainLoss = new Gauge({
    name: 'streamtune_train_loss',
    help: 'Loss of the last applied train step (data loss plus the L2 term).',
    registers: [this.registry],
  });
  private readonly windowMse = new Gauge({
    name: 'streamtune_window_mse',
    help: 'Mean squared error over the rolling window, in the target units (Brier score for classification).',
    labelNames: ['split'] as const,
    registers: [this.registry],
  });
  private readonly windowCrossEntropy = new Gauge({
    name: 'streamtune_window_cross_entropy',
    help: 'Cross-entropy (log loss) over the rolling window (classification only).',
    labelNames: ['split'] as const,
    registers: [this.registry],
  });
  private readonly windowAccuracy = new Gauge({
    name: 'streamtune_window_accuracy',
    help: 'Accuracy over the rolling window (classification only).',
    labelNames: ['split'] as const,
    registers: [this.registry],
  });
  private readonly baselineAccuracy = new Gauge({
    name: 'streamtune_baseline_window_accuracy',
    help: 'Accuracy of a baseline predictor over the rolling window (majority class, no-change).',
    labelNames: ['baseline'] as const,
    registers: [this.registry],
  });
  private readonly baselineMse = new Gauge({
    name: 'streamtune_baseline_window_mse',
    help: 'Mean squared error of the running-mean baseline over the rolling window (regression).',
    labelNames: ['baseline'] as const,
    registers: [this.registry],
  });
  private readonly learningRate = new Gauge({
    name: 'streamtune_learning_rate',
    help: 'Learning rate in force.',
    registers: [this.registry],
  });
  private readonly l2 = new Gauge({
    name: 'streamtune_l2',
    help: 'L2 strength on dense kernels in force.',
    registers: [this.registry],
  });
  private readonly recordLatency = new Histogram({
    name: 'streamtune_record_latency_seconds',
    help: 'From a record\'s source timestamp (Kafka: the message timestamp; files: when it was read) to the end of the batch that learned or scored it.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly batchDuration = new Histogram({
    name: 'streamtune_batch_duration_seconds',
    help: 'Wall time of one train step (forward, backward, update, scoring).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly tensors = new Gauge({
    name: 'streamtune_tensors',
    help: 'Live TensorFlow.js tensors; flat on a healthy run.',
    registers: [this.registry],
  });
  private readonly backend = new Gauge({
    name: 'streamtune_backend_info',
    help: 'The engine computing the model (dense or tfjs) and the TensorFlow.js backend in use (value 1).',
    labelNames: ['backend', 'engine'] as const,
    registers: [this.registry],
  });

  /** Labels that arrive later: the waiting set and the label delay (`labels.track(join)`). */
  readonly labels = new LabelMetrics(this.registry);
  /** The model exchange between the trainers of a group (sync:). */
  readonly sync = new SyncMetrics(this.registry);
  /** Per-member gauges; a single model is a population of one (member 0, the champion). */
  private readonly population = new PopulationMetrics(this.registry);
  private checkpointAgeOf: () => number | undefined = () => undefined;
  private readonly checkpointAge: Gauge = new Gauge({
    name: 'streamtune_checkpoint_age_seconds',
    help: 'Seconds since the last durable checkpoint (absent before the first, or without checkpoints).',
    registers: [this.registry],
    collect: () => {
      const age = this.checkpointAgeOf();
      if (age !== undefined) this.checkpointAge.set(age);
    },
  });
  private readonly checkpointFailures = new Counter({
    name: 'streamtune_checkpoint_failures_total',
    help: 'Checkpoints that could not be written; no offsets are committed past the last durable one.',
    registers: [this.registry],
  });
  private readonly checkpoints = new Counter({
    name: 'streamtune_checkpoints_total',
    help: 'Durable checkpoints written.',
    registers: [this.registry],
  });

  private readonly driftDetected = new Counter({
    name: 'streamtune_drift_detected_total',
    help: 'Drifts detected, by detector.',
    labelNames: ['detector'] as const,
    registers: [this.registry],
  });
  private readonly tuningAdjustments = new Counter({
    name: 'streamtune_tuning_adjustments_total',
    help: `Tuner adjustments, by parameter (${[...new Set(TUNING_SERIES.map((s) => s.param))].join(', ')}) and reason.`,
    labelNames: ['param', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly detectorStat = new Gauge({
    name: 'streamtune_detector_statistic',
    help: 'Internal statistics of the drift detectors (e.g. ADWIN width and mean, Page-Hinkley sums).',
    labelNames: ['detector', 'stat'] as const,
    registers: [this.registry],
  });

  private readonly sourceUp = new Gauge({
    name: 'streamtune_source_up',
    help: '1 while the source is reachable (Kafka: the consumer is in its group), 0 while it retries.',
    registers: [this.registry],
  });
  private readonly kafkaLag = new Gauge({
    name: 'streamtune_kafka_lag',
    help: 'Messages between the next offset to read and the end of the partition.',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  private readonly kafkaPosition = new Gauge({
    name: 'streamtune_kafka_position',
    help: 'Next offset the trainer reads in each partition.',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  private readonly kafkaCommitted = new Gauge({
    name: 'streamtune_kafka_committed_offset',
    help: 'Offset committed by the trainer group in each partition (only what durable state covers).',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Make every series exist from the start, so dashboards and rate() see zeros, not gaps.
    for (const split of SPLITS) this.records.inc({ split }, 0);
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
  }

  setBackend(name: string, engine: string): void {
    this.backend.reset();
    this.backend.set({ backend: name, engine }, 1);
  }

  /** Reads the checkpoint age at scrape time, and makes the checkpoint counters exist. */
  trackCheckpointAge(age: () => number | undefined): void {
    this.checkpointAgeOf = age;
    this.checkpointFailures.inc(0);
    this.checkpoints.inc(0);
  }

  recordCheckpoint(ok: boolean): void {
    if (ok) this.checkpoints.inc();
    else this.checkpointFailures.inc();
  }

  setSourceUp(up: boolean): void {
    this.sourceUp.set(up ? 1 : 0);
  }

  setPartition(p: { topic: string; partition: number; position: string; committed: string; lag: number }): void {
    const labels = { topic: p.topic, partition: String(p.partition) };
    this.kafkaLag.set(labels, p.lag);
    this.kafkaPosition.set(labels, Number(p.position));
    if (Number(p.committed) >= 0) this.kafkaCommitted.set(labels, Number(p.committed));
  }

  recordDrift(detector: string): void {
    this.driftDetected.inc({ detector });
  }

  recordTuning(event: { param: string; reason: string }): void {
    this.tuningAdjustments.inc({ param: event.param, reason: event.reason });
  }

  /** Makes the drift and tuning series exist from the start (zeros), so rate() and changes() see the first one. */
  declareDetectors(names: readonly string[]): void {
    for (const detector of names) this.driftDetected.inc({ detector }, 0);
    for (const { param, reason } of TUNING_SERIES) this.tuningAdjustments.inc({ param, reason }, 0);
  }

  setDetectorStats(stats: Record<string, Record<string, number>>): void {
    for (const [detector, values] of Object.entries(stats)) {
      for (const [stat, value] of Object.entries(values)) {
        if (Number.isFinite(value)) this.detectorStat.set({ detector, stat }, value);
      }
    }
  }

  /** The population's per-member gauges and champion. */
  observePopulation(members: readonly MemberMetrics[], champion: number): void {
    this.population.observe(members, champion);
  }

  setTensors(count: number): void {
    this.tensors.set(count);
  }

  recordRejected(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }

  observeBatch(batch: ScoredBatch): void {
    this.batches.inc();
    let train = 0;
    for (const s of batch.samples) if (s.split === 'train') train++;
    if (train > 0) this.records.inc({ split: 'train' }, train);
    if (batch.samples.length > train) this.records.inc({ split: 'holdout' }, batch.samples.length - train);
    if (batch.skipped > 0) this.skippedSteps.inc(batch.skipped);
    if (train > 0 && Number.isFinite(batch.loss)) this.trainLoss.set(batch.loss);
    this.learningRate.set(batch.hyperParams.learningRate);
    this.l2.set(batch.hyperParams.l2);
    this.batchDuration.observe(batch.seconds);
  }

  /** Observes each sample's latency: `nowMs` minus its `time` (samples without one are left out). */
  observeLatency(samples: ScoredBatch['samples'], nowMs: number): void {
    for (let i = 0; i < samples.length; i++) {
      const time = (samples[i] as ScoredBatch['samples'][number]).time;
      if (time !== undefined) this.recordLatency.observe(Math.max(0, nowMs - time) / 1000);
    }
  }

  observeEvaluation(evaluation: Evaluation): void {
    for (const split of SPLITS) {
      const m: SplitMetrics = evaluation.window[split];
      setIfFinite(this.windowMse, split, m.mse);
      setIfFinite(this.windowCrossEntropy, split, m.crossEntropy);
      setIfFinite(this.windowAccuracy, split, m.accuracy);
    }
    const { majority, noChange, mean } = evaluation.baselines;
    if (majority) setIfFinite(this.baselineAccuracy, 'majority', majority.window.accuracy, 'baseline');
    if (noChange) setIfFinite(this.baselineAccuracy, 'no_change', noChange.window.accuracy, 'baseline');
    if (mean) setIfFinite(this.baselineMse, 'mean', mean.window.mse, 'baseline');
  }
}

/** Only finite values are exported: an empty window (NaN) leaves the series absent rather than NaN. */
function setIfFinite(gauge: Gauge<string>, value: string, x: number | undefined, label = 'split'): void {
  if (x !== undefined && Number.isFinite(x)) gauge.set({ [label]: value }, x);
}
