import { writeFileSync } from 'node:fs';
import { BehaviorSubject } from 'rxjs';
import type { Config } from './config.js';
import { CheckpointError } from './errors.js';
import { DeadLetterFile } from './DeadLetterFile.js';
import type { Logger } from './logger.js';
import { selectBackend } from './model/selectBackend.js';
import { Trainer } from './model/Trainer.js';
import { CheckpointStore } from './checkpoint/CheckpointStore.js';
import { Checkpointer } from './checkpoint/Checkpointer.js';
import type { ConfigSummary } from './checkpoint/Checkpoint.js';
import { restoreCheckpoint, takeCheckpoint, type TrainingParts } from './checkpoint/trainingCheckpoint.js';
import { createEvaluator, createMonitor, createScaler, emptyCounts, runPipeline } from './pipeline.js';
import { Tuner } from './tune/Tuner.js';
import type { TuningEvent } from './tune/TuningEvent.js';
import { resolveSchema } from './resolveSchema.js';
import { openSource } from './sources/openSource.js';
import { buildSummary, formatSummary, summaryJson } from './summary.js';
import { MetricsLog } from './telemetry/MetricsLog.js';
import { Progress } from './telemetry/Progress.js';
import { Telemetry } from './telemetry/registry.js';
import { serveMetrics, type MetricsServer } from './telemetry/server.js';
import type { HyperParams } from './types.js';

export interface TrainIO {
  readonly log: Logger;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/**
 * `streamtune train`: selects the backend, opens the source, serves metrics, runs the pipeline
 * until the source ends (or SIGINT/SIGTERM, which finish the in-flight batch), then prints the
 * summary. Returns the process exit code.
 */
export async function train(config: Config, io: TrainIO): Promise<number> {
  const { log } = io;
  const backend = await selectBackend(config.backend === 'auto' ? undefined : config.backend);
  log.info({ backend: backend.name, fallbacks: backend.fallbacks }, `backend: ${backend.name}`);

  // The columns decide the schema, the schema decides what a checkpoint must match, and the
  // checkpoint decides where the source resumes: so look first, then open for reading.
  const probe = await openSource(config.source, config);
  const schema = resolveSchema(config, probe.columns, probe.name);
  const summaryOfConfig: ConfigSummary = { ...schema, layers: config.model.layers };

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
  const hyperParams = new BehaviorSubject<HyperParams>({ learningRate: config.optimizer.learningRate, l2: config.l2 });
  const deadLetter = new DeadLetterFile(config.deadLetter);
  const monitor = createMonitor(config, schema);
  const tuner = new Tuner(config.tuning);
  const tuningEvents: TuningEvent[] = [];
  const parts: TrainingParts = {
    trainer,
    scaler: createScaler(config, schema),
    evaluator: createEvaluator(config, schema),
    counts: emptyCounts(),
    hyperParams,
    extra: { deadLetter, monitor, tuner },
  };
  const store = config.checkpoint.dir ? new CheckpointStore({ dir: config.checkpoint.dir, keep: config.checkpoint.keep }) : undefined;
  const loaded = await store?.loadLatest();
  for (const skipped of loaded?.skipped ?? []) {
    log.warn({ path: skipped.path, reason: skipped.reason }, `skipping unreadable checkpoint ${skipped.path}: ${skipped.reason}`);
  }
  if (loaded) {
    restoreCheckpoint(parts, summaryOfConfig, loaded.checkpoint, loaded.path);
    log.info(
      { path: loaded.path, records: loaded.checkpoint.records.total, positions: loaded.checkpoint.positions },
      `resuming from ${loaded.path} (${loaded.checkpoint.records.total} records)`,
    );
  }
  const source = loaded ? await openSource(config.source, { ...config, resume: loaded.checkpoint.positions }) : probe;
  log.info({ source: source.name, task: schema.task, label: schema.label, features: schema.features }, 'source opened');

  const telemetry = new Telemetry();
  telemetry.setBackend(backend.name);
  telemetry.setTensors(trainer.numTensors);
  telemetry.declareDetectors(monitor.detectors.map((d) => d.name));
  const startRecords = parts.counts.total;
  const checkpointer = store
    ? new Checkpointer(
        store,
        { everyRecords: config.checkpoint.everyRecords, everySeconds: config.checkpoint.everySeconds },
        {
          take: (doneThrough) => takeCheckpoint(parts, summaryOfConfig, source.positionsThrough(doneThrough)),
          onDurable: (doneThrough, path) => {
            telemetry.recordCheckpoint(true);
            log.debug({ path, doneThrough }, 'checkpoint durable');
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
  const mode = config.progress === 'auto' ? (io.stderr.isTTY ? 'tty' : 'json') : config.progress;
  const progress = new Progress(mode, { stream: io.stderr, log });
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

  let server: MetricsServer | undefined;
  try {
    if (config.metrics.enabled) {
      server = await serveMetrics(telemetry.registry, { host: config.metrics.host, port: config.metrics.port });
      log.info({ url: `${server.url}/metrics` }, `metrics on ${server.url}/metrics`);
    }
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
        }
        for (const event of decision.events) {
          tuningEvents.push(event);
          telemetry.recordTuning(event);
          log.info({ event: 'tuner.adjusted', ...event }, `tuner: ${event.reason} ${event.param} ${event.old} -> ${event.new}`);
          metricsLog?.write({ type: 'tuning', ...event });
        }
        telemetry.setDetectorStats(monitor.stats());
        checkpointer?.maybe(counts.total, doneThrough);
        telemetry.observeBatch(batch);
        telemetry.observeEvaluation(evaluation);
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
      },
    });
    progress.finish();
    if (checkpointer && result.lastIndex >= 0 && !(await checkpointer.final(result.counts.total, result.lastIndex))) {
      log.error('the final checkpoint could not be written: the next start resumes from the last durable one');
    }
    const thisRun = result.counts.total - startRecords;
    const summary = buildSummary({
      source: source.name,
      task: schema.task,
      backend: backend.name,
      counts: result.counts,
      evaluation: result.evaluation,
      seconds: result.seconds,
      recordsThisRun: thisRun,
      tuningEvents,
      hyperParams: hyperParams.value,
      interrupted,
    });
    if (config.summaryJson) writeFileSync(config.summaryJson, summaryJson(summary) + '\n');
    if (deadLetter.count > 0) log.warn({ path: deadLetter.path, count: deadLetter.count }, `${deadLetter.count} rejected records written to ${deadLetter.path}`);
    io.stdout.write(formatSummary(summary) + '\n');
    return 0;
  } finally {
    progress.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    deadLetter.close();
    metricsLog?.close();
    await server?.close();
    trainer.dispose();
  }
}
