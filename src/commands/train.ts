import { writeFileSync } from 'node:fs';
import { BehaviorSubject } from 'rxjs';
import type { Checkpoint, ConfigSummary } from '../checkpoint/Checkpoint.js';
import { CheckpointStore } from '../checkpoint/CheckpointStore.js';
import { Checkpointer } from '../checkpoint/Checkpointer.js';
import { restoreCheckpoint, takeCheckpoint, type TrainingParts } from '../checkpoint/trainingCheckpoint.js';
import type { Config } from '../config.js';
import { DeadLetterFile } from '../sinks/DeadLetterFile.js';
import { CheckpointError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { selectBackend } from '../model/selectBackend.js';
import { Trainer } from '../model/Trainer.js';
import { createEvaluator, createMonitor, createScaler, emptyCounts, runPipeline } from '../pipeline.js';
import { resolveSchema } from '../training/resolveSchema.js';
import { KafkaDeadLetter } from '../sinks/KafkaDeadLetter.js';
import { KafkaTopicWriter } from '../sinks/KafkaTopicWriter.js';
import { kafkaSettings } from '../sources/openKafka.js';
import { parseKafkaUri } from '../sources/kafkaClient.js';
import { openSource, type OpenedSource } from '../sources/openSource.js';
import { buildSummary, formatSummary, summaryJson } from '../training/summary.js';
import { MetricsLog } from '../telemetry/MetricsLog.js';
import { Progress } from '../telemetry/Progress.js';
import { Telemetry } from '../telemetry/registry.js';
import { serveMetrics } from '../telemetry/server.js';
import { Tuner } from '../tune/Tuner.js';
import type { TuningEvent } from '../tune/TuningEvent.js';
import type { HyperParams, Rejected } from '../types.js';

export interface TrainIO {
  readonly log: Logger;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Where rejected records go: a JSONL file, or a Kafka topic. */
interface DeadLetterSink {
  readonly count: number;
  write(record: Rejected): void;
  flush(): Promise<void>;
  close(): void | Promise<void>;
}

/**
 * `streamtune train`: selects the backend, restores the newest checkpoint (if any), opens the
 * source at the checkpoint's positions, serves metrics, runs the pipeline until the source ends
 * (or SIGINT/SIGTERM, which finish the in-flight batch), checkpoints, commits what the durable
 * state covers, and prints the summary. Returns the process exit code.
 *
 * Commit rule: source offsets are allowed to be committed only once the dead letters before them
 * are written and, with checkpoints, once the checkpoint holding them is durable.
 */
export async function train(config: Config, io: TrainIO): Promise<number> {
  const { log } = io;
  const backend = await selectBackend(config.backend === 'auto' ? undefined : config.backend);
  log.info({ backend: backend.name, fallbacks: backend.fallbacks }, `backend: ${backend.name}`);

  const store = config.checkpoint.dir ? new CheckpointStore({ dir: config.checkpoint.dir, keep: config.checkpoint.keep }) : undefined;
  const loaded = await store?.loadLatest();
  for (const skipped of loaded?.skipped ?? []) {
    log.warn({ path: skipped.path, reason: skipped.reason }, `skipping unreadable checkpoint ${skipped.path}: ${skipped.reason}`);
  }

  const telemetry = new Telemetry();
  telemetry.setBackend(backend.name);
  // Serve /metrics and /healthz first: a trainer waiting for its first Kafka message is alive.
  const server = config.metrics.enabled
    ? await serveMetrics(telemetry.registry, { host: config.metrics.host, port: config.metrics.port })
    : undefined;
  if (server) log.info({ url: `${server.url}/metrics` }, `metrics on ${server.url}/metrics`);
  const resources: Array<() => unknown> = [() => server?.close()];
  try {
    const source = await openSource(config.source, {
      ...config,
      ...(loaded
        ? {
            resume: loaded.checkpoint.positions,
            fallbackColumns: [...loaded.checkpoint.configSummary.features, loaded.checkpoint.configSummary.label],
          }
        : {}),
      kafkaHooks: {
        logger: log,
        onStatus: (status) => {
          telemetry.setSourceUp(status.up);
          if (status.up) log.info({ event: 'source.up' }, 'Kafka source is up');
          else log.warn({ event: 'source.down', reason: status.reason }, `Kafka source is down, retrying: ${status.reason ?? ''}`);
        },
        onPartition: (p) => telemetry.setPartition(p),
      },
    });
    resources.push(() => source.close?.());
    telemetry.setSourceUp(true);
    return await trainOn(source, config, io, { telemetry, backend: backend.name, store, loaded, resources });
  } finally {
    for (const release of resources.reverse()) {
      try {
        await release();
      } catch (error) {
        log.warn({ err: error }, `while shutting down: ${(error as Error).message}`);
      }
    }
  }
}

async function trainOn(
  source: OpenedSource,
  config: Config,
  io: TrainIO,
  ctx: {
    telemetry: Telemetry;
    backend: string;
    store: CheckpointStore | undefined;
    loaded: Awaited<ReturnType<CheckpointStore['loadLatest']>>;
    resources: Array<() => unknown>;
  },
): Promise<number> {
  const { log } = io;
  const { telemetry, store, loaded, resources } = ctx;
  if (source.columns.length === 0) return nothingToRead(source.name, ctx.backend, config, io);
  const schema = resolveSchema(config, source.columns, source.name);
  const summaryOfConfig: ConfigSummary = { ...schema, layers: config.model.layers };
  log.info({ source: source.name, task: schema.task, label: schema.label, features: schema.features }, 'source opened');

  const trainer = new Trainer({
    task: schema.task,
    classes: schema.classes,
    inputDim: schema.features.length,
    model: { layers: config.model.layers, initializer: config.model.initializer, seed: config.model.seed },
    adam: {
      beta1: config.optimizer.beta1,
      beta2: config.optimizer.beta2,
      epsilon: config.optimizer.epsilon,
      amsgrad: config.optimizer.amsgrad,
    },
    learningRate: config.optimizer.learningRate,
    l2: config.l2,
    clipNorm: config.optimizer.clipNorm,
  });
  resources.push(() => trainer.dispose());
  const hyperParams = new BehaviorSubject<HyperParams>({ learningRate: config.optimizer.learningRate, l2: config.l2 });
  const kafkaBrokers = source.name.startsWith('kafka://') ? parseKafkaUri(source.name).brokers : undefined;
  const deadLetterFile = config.kafka.deadLetterTopic ? undefined : new DeadLetterFile(config.deadLetter);
  const deadLetter: DeadLetterSink =
    deadLetterFile ??
    (await KafkaDeadLetter.open(kafkaSettings(config, kafkaBrokers ?? []), config.kafka.deadLetterTopic as string, log));
  resources.push(() => deadLetter.close());
  const events = config.kafka.eventsTopic
    ? await KafkaTopicWriter.open(kafkaSettings(config, kafkaBrokers ?? []), config.kafka.eventsTopic, log)
    : undefined;
  if (events) resources.push(() => events.close());
  const monitor = createMonitor(config, schema);
  const tuner = new Tuner(config.tuning);
  const tuningEvents: TuningEvent[] = [];
  const parts: TrainingParts = {
    trainer,
    scaler: createScaler(config, schema),
    evaluator: createEvaluator(config, schema),
    counts: emptyCounts(),
    hyperParams,
    extra: { monitor, tuner, ...(deadLetterFile ? { deadLetter: deadLetterFile } : {}) },
  };
  if (loaded) {
    restoreCheckpoint(parts, summaryOfConfig, loaded.checkpoint, loaded.path);
    log.info(
      { path: loaded.path, records: loaded.checkpoint.records.total, positions: loaded.checkpoint.positions },
      `resuming from ${loaded.path} (${loaded.checkpoint.records.total} records)`,
    );
  }

  telemetry.setTensors(trainer.numTensors);
  telemetry.declareDetectors(monitor.detectors.map((d) => d.name));

  // Offsets may be committed only after the dead letters before them are written (and, with
  // checkpoints, only the positions of a durable checkpoint). Commits run one after another.
  let commits = Promise.resolve();
  const allowCommit = (positions: Checkpoint['positions']): void => {
    if (!source.allowCommit) return;
    commits = commits
      .then(() => deadLetter.flush())
      .then(() => source.allowCommit?.(positions))
      .catch((error: unknown) => log.error({ err: error }, `offsets not committed: ${(error as Error).message}`));
  };
  const startRecords = parts.counts.total;
  const checkpointer = store
    ? new Checkpointer(
        store,
        { everyRecords: config.checkpoint.everyRecords, everySeconds: config.checkpoint.everySeconds },
        {
          take: (doneThrough) => takeCheckpoint(parts, summaryOfConfig, source.positionsThrough(doneThrough)),
          onDurable: (checkpoint, path) => {
            telemetry.recordCheckpoint(true);
            log.debug({ path, records: checkpoint.records.total }, 'checkpoint durable');
            allowCommit(checkpoint.positions);
          },
          onFailure: (error) => {
            telemetry.recordCheckpoint(false);
            log.error({ err: error }, `CHECKPOINT FAILED: ${(error as Error).message}; nothing past the last durable checkpoint is committed`);
          },
        },
        startRecords,
      )
    : undefined;
  if (checkpointer) telemetry.trackCheckpointAge(() => checkpointer.ageSeconds);
  // A first run checkpoints its starting point, so a crash before the first periodic checkpoint
  // still restarts from a known state (the dead letter, for one, is cut back to it).
  if (checkpointer && !loaded && !(await checkpointer.final(0, -1))) {
    throw new CheckpointError(`cannot write the initial checkpoint to ${config.checkpoint.dir}; see the error above`);
  }

  const metricsLog = config.metricsLog ? new MetricsLog(config.metricsLog) : undefined;
  if (metricsLog) resources.push(() => metricsLog.close());
  const mode = config.progress === 'auto' ? (io.stderr.isTTY ? 'tty' : 'json') : config.progress;
  const progress = new Progress(mode, { stream: io.stderr, log });
  resources.push(() => progress.finish());
  const abort = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    interrupted = true;
    log.info({ signal }, 'stopping: finishing the in-flight batch');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  resources.push(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

  let nextLog = config.eval.logEvery;
  const result = await runPipeline({
    config,
    schema,
    records: source.records,
    trainer,
    hyperParams,
    scaler: parts.scaler,
    evaluator: parts.evaluator,
    counts: parts.counts,
    monitor,
    tuner,
    signal: abort.signal,
    onRejected: (rejected) => {
      deadLetter.write(rejected);
      telemetry.recordRejected(rejected.reason);
    },
    onBatch: ({ batch, evaluation, counts, doneThrough, drift, decision }) => {
      if (drift) {
        telemetry.recordDrift(drift.detector);
        log.info({ event: 'drift.detected', ...drift, records: counts.total }, `drift detected by ${drift.detector} at record ${drift.index}`);
        events?.write({ value: JSON.stringify({ type: 'drift', time: new Date().toISOString(), records: counts.total, ...drift }) });
      }
      for (const event of decision.events) {
        tuningEvents.push(event);
        telemetry.recordTuning(event);
        log.info({ event: 'tuner.adjusted', tuning: event }, `tuner: ${event.reason} ${event.param} ${event.old} -> ${event.new}`);
        metricsLog?.write({ type: 'tuning', ...event });
        events?.write({ value: JSON.stringify({ type: 'tuning', ...event }) });
      }
      telemetry.observeBatch(batch);
      telemetry.observeEvaluation(evaluation);
      telemetry.setDetectorStats(monitor.stats());
      telemetry.setTensors(trainer.numTensors);
      progress.update({ records: counts.total, rejected: counts.rejected, evaluation, hyperParams: hyperParams.value });
      if (metricsLog && counts.total >= nextLog) {
        metricsLog.write({
          time: new Date().toISOString(),
          records: counts.total,
          trained: counts.trained,
          holdout: counts.holdout,
          rejected: counts.rejected,
          window: evaluation.window,
          learningRate: hyperParams.value.learningRate,
          l2: hyperParams.value.l2,
        });
        nextLog = (Math.floor(counts.total / config.eval.logEvery) + 1) * config.eval.logEvery;
      }
      if (checkpointer) checkpointer.maybe(counts.total, doneThrough);
      else if (source.allowCommit) allowCommit(source.positionsThrough(doneThrough));
    },
  });
  progress.finish();
  let finalCheckpointFailed = false;
  if (result.lastIndex >= 0) {
    if (checkpointer) {
      finalCheckpointFailed = !(await checkpointer.final(result.counts.total, result.lastIndex));
      if (finalCheckpointFailed) {
        log.error('the final checkpoint could not be written: the next start resumes from the last durable one');
      }
    } else if (source.allowCommit) {
      allowCommit(source.positionsThrough(result.lastIndex));
    }
  }
  await commits;
  const summary = buildSummary({
    source: source.name,
    task: schema.task,
    backend: ctx.backend,
    counts: result.counts,
    evaluation: result.evaluation,
    seconds: result.seconds,
    recordsThisRun: result.counts.total - startRecords,
    tuningEvents,
    hyperParams: hyperParams.value,
    interrupted,
  });
  if (config.summaryJson) writeFileSync(config.summaryJson, summaryJson(summary) + '\n');
  if (deadLetter.count > 0) {
    const where = deadLetterFile ? deadLetterFile.path : `topic ${config.kafka.deadLetterTopic}`;
    log.warn({ count: deadLetter.count, deadLetter: where }, `${deadLetter.count} rejected records written to ${where}`);
  }
  io.stdout.write(formatSummary(summary) + '\n');
  if (finalCheckpointFailed) {
    io.stderr.write(`streamtune: the final checkpoint could not be written to ${config.checkpoint.dir}; the next start resumes from the last durable one\n`);
    return 1;
  }
  return 0;
}

/** Stop-at-end on a topic the group has already read to the end: an empty summary, exit 0. */
function nothingToRead(name: string, backend: string, config: Config, io: TrainIO): number {
  io.log.info({ source: name }, `nothing left to read in ${name}`);
  const evaluation = createEvaluator(config, { task: config.task, features: [], label: '', classes: config.classes ?? 2 }).get();
  const summary = buildSummary({
    source: name,
    task: config.task,
    backend,
    counts: emptyCounts(),
    evaluation,
    seconds: 0,
    hyperParams: { learningRate: config.optimizer.learningRate, l2: config.l2 },
    interrupted: false,
  });
  if (config.summaryJson) writeFileSync(config.summaryJson, summaryJson(summary) + '\n');
  io.stdout.write(formatSummary(summary) + '\n');
  return 0;
}
