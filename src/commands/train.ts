import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Checkpointer } from '../checkpoint/Checkpointer.js';
import type { Config } from '../config.js';
import { startExporting } from '../training/startExporting.js';
import { selectBackend } from '../model/selectBackend.js';
import { runPipeline } from '../pipeline.js';
import { emptyCounts } from '../records/RecordCounts.js';
import { parseKafkaUri } from '../sources/kafka/kafkaClient.js';
import { openSource, type OpenedSource } from '../sources/openSource.js';
import { KafkaTopicWriter } from '../sinks/KafkaTopicWriter.js';
import { kafkaSettings } from '../sources/kafka/openKafka.js';
import type { Logger } from '../telemetry/logger.js';
import { MetricsLog } from '../telemetry/MetricsLog.js';
import { writeRunReport } from '../report/writeRunReport.js';
import { Progress } from '../telemetry/Progress.js';
import { Telemetry } from '../telemetry/registry.js';
import { serveMetrics } from '../telemetry/server.js';
import { BatchReporter } from '../training/BatchReporter.js';
import type { ControlPlane } from '../control/ControlPlane.js';
import { liveRunOf } from '../control/liveRunOf.js';
import { openControl } from '../control/openControl.js';
import { openCheckpoints, startCheckpointing, type Checkpoints } from '../training/checkpointing.js';
import type { Handover } from '../training/Handover.js';
import { openHandover } from '../training/openHandover.js';
import { CommitGate } from '../training/CommitGate.js';
import type { Schema } from '../types.js';
import { openDeadLetter, type DeadLetterSink } from '../training/openDeadLetter.js';
import { openPredictions, type PredictionsSink } from '../training/openPredictions.js';
import { openPredict } from '../predict/openPredict.js';
import type { PredictEndpoint } from '../predict/PredictEndpoint.js';
import { expectLabelLanes, labelsSourceUri } from '../training/labelsSource.js';
import { resolveSchema } from '../training/resolveSchema.js';
import { Resources } from '../training/Resources.js';
import { listenForStop } from '../training/stopSignals.js';
import { openSync, type OpenedSync } from '../sync/openSync.js';
import { buildSummary, formatSummary, summaryJson, type Summary } from '../training/summary.js';
import { createEvaluator, createTrainingParts, modelSchema, type TrainingParts } from '../training/TrainingParts.js';

export interface TrainIO {
  readonly log: Logger;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Called on a second SIGINT/SIGTERM: the CLI exits there (library code never exits the process). */
  readonly forceExit?: () => void;
}

/** What the run shares between its steps. */
interface Run {
  readonly config: Config;
  readonly io: TrainIO;
  readonly telemetry: Telemetry;
  readonly backend: string;
  readonly checkpoints: Checkpoints | undefined;
  readonly resources: Resources;
  /** The control API (when a token is configured). */
  readonly control: ControlPlane | undefined;
  /** POST /predict (when predict.enabled). */
  readonly predict: PredictEndpoint | undefined;
  /** Partition handover between syncing trainers (with --sync, --checkpoint-dir and a kafka:// source). */
  readonly handover: Handover | undefined;
}

/**
 * `streamtune train`: selects the backend, restores the newest checkpoint (if any), serves
 * metrics, opens the source at the checkpoint's positions, runs the pipeline until the source ends
 * (or SIGINT/SIGTERM, which finish the in-flight batch), checkpoints, commits what the durable
 * state covers, and prints the summary. Returns the process exit code.
 *
 * @example
 * const code = await train(parseConfig({ source: 'data/elec2.csv' }), { log, stdout: process.stdout, stderr: process.stderr });
 */
export async function train(config: Config, io: TrainIO): Promise<number> {
  const backend = await selectBackend(config.backend === 'auto' ? undefined : config.backend);
  io.log.info({ backend: backend.name, fallbacks: backend.fallbacks }, `backend: ${backend.name}`);
  const resources = new Resources(io.log);
  const closing = new AbortController();
  try {
    const telemetry = new Telemetry();
    telemetry.setBackend(backend.name, config.engine); // the configured engine until the source's schema resolves `auto`
    const checkpoints = await openCheckpoints(config, io.log);
    // Serve /metrics and /healthz first: a trainer waiting for its first Kafka message is alive.
    const control = openControl(config, io.log, process.env);
    const predict = openPredict(config, io.log);
    if (config.metrics.enabled) {
      const handle = (req: IncomingMessage, res: ServerResponse): boolean => (control?.handle(req, res) ?? false) || (predict?.handle(req, res) ?? false);
      const served = { ...config.metrics, handle };
      const server = resources.add(await serveMetrics(telemetry.registry, served), (s) => s.close());
      io.log.info({ url: `${server.url}/metrics` }, `metrics on ${server.url}/metrics`);
    }
    const handover = openHandover(config, io.log);
    const run: Run = { config, io, telemetry, backend: backend.name, checkpoints, resources, control, predict, handover };
    // Closing commits the last offsets: retried while the broker is down, until a stop signal (below).
    const source = resources.add(await openTrainingSource(run), (s) => s.close?.({ signal: closing.signal }));
    telemetry.setSourceUp(true);
    return source.columns.length === 0 ? nothingToRead(run, source.name) : await trainOn(run, source);
  } finally {
    // While closing, a first SIGINT/SIGTERM gives up retrying the final commit, a second exits at once.
    const stopListening = listenForStop({ abort: closing, log: io.log, onForce: io.forceExit ?? (() => {}), during: 'closing' });
    await resources.release();
    stopListening();
  }
}

/** Opens the configured source at the checkpoint's positions, with the Kafka status going to the log and metrics. */
function openTrainingSource({ config, io, telemetry, checkpoints, handover }: Run): Promise<OpenedSource> {
  const { log } = io;
  const loaded = checkpoints?.loaded;
  const summary = loaded?.checkpoint.configSummary;
  return openSource(labelsSourceUri(config), { // with --labels: the features and labels topics, one group
    ...config,
    ...(loaded && summary ? { resume: loaded.checkpoint.positions, fallbackColumns: [...summary.features, summary.label] } : {}),
    kafkaHooks: {
      logger: log,
      onStatus: (status) => {
        telemetry.setSourceUp(status.up);
        if (status.up) log.info({ event: 'source.up' }, 'Kafka source is up');
        else log.warn({ event: 'source.down', reason: status.reason }, `Kafka source is down, retrying: ${status.reason ?? ''}`);
      },
      onPartition: (p) => telemetry.setPartition(p),
      ...(handover ? { onRebalance: handover.listener } : {}),
    },
  });
}

/** What a run builds around the pipeline once the source is open. */
interface Session {
  readonly schema: Schema;
  readonly parts: TrainingParts;
  readonly deadLetter: DeadLetterSink;
  readonly predictions: PredictionsSink | undefined;
  readonly events: KafkaTopicWriter | undefined;
  readonly gate: CommitGate;
  readonly checkpointer: Checkpointer | undefined;
  /** The model exchange with the group's other trainers (sync.topic). */
  readonly sync: OpenedSync | undefined;
}

/** Trains on an opened source: builds the session, runs the pipeline, finishes the run. */
async function trainOn(run: Run, source: OpenedSource): Promise<number> {
  const session = await openSession(run, source);
  const { config, io, telemetry } = run;
  const { schema, parts, checkpointer, gate } = session;
  const startRecords = parts.counts.total;
  const abort = new AbortController();
  const stopListening = run.resources.add(listenForStop({ abort, log: io.log, onForce: io.forceExit ?? (() => {}) }), (stop) => stop());
  const { reporter, progress, metricsLog } = startReporting(run, session);
  const exporter = startExporting(config, schema, parts, io.log); // --export-dir: versioned exports and `latest`
  let doneThrough = -1;
  session.predictions?.begin();
  run.predict?.attach({ schema: modelSchema(schema, parts.lags), parts });
  if (checkpointer) run.handover?.attach((through) => checkpointer.takeNow(parts.counts.total, through));
  run.control?.attach(liveRunOf({ config, schema, parts, checkpoints: run.checkpoints, checkpointer, source, doneThrough: () => doneThrough }));
  const result = await runPipeline({
    config,
    schema,
    records: source.records,
    parts,
    signal: abort.signal,
    onRejected: (rejected) => {
      session.deadLetter.write(rejected);
      telemetry.recordRejected(rejected.reason);
    },
    onBatch: (batchReport) => {
      doneThrough = batchReport.doneThrough;
      const report = run.control?.drain(batchReport) ?? batchReport; // operator actions, on the pipeline's turn
      metricsLog?.observe(report); // before the reporter writes its line, which the log completes
      reporter.report(report);
      exporter?.maybe(report.counts.total);
      session.predictions?.write(report); // before the checkpoint that covers them
      session.sync?.maybe(report.counts.trained); // publish and merge between blocks, before the checkpoint
      if (checkpointer) checkpointer.maybe(report.counts.total, report.doneThrough);
      else gate.allow(source.positionsThrough(report.doneThrough));
      run.handover?.progress(report.doneThrough); // after the periodic checkpoint: a handover's one is written after it
    },
  });
  stopListening();
  run.control?.detach();
  run.predict?.detach();
  progress.finish();
  await exporter?.final(result.counts.total);
  await session.sync?.close(result.counts.trained); // the last round: in the final checkpoint
  let finalCheckpointFailed = false;
  if (result.lastIndex >= 0) {
    if (checkpointer) finalCheckpointFailed = !(await checkpointer.final(result.counts.total, result.lastIndex));
    else gate.allow(source.positionsThrough(result.lastIndex));
  }
  run.handover?.detach(); // a handover waiting for the last records goes on: the final checkpoint covers them
  await gate.settled();
  const { deadLetter } = session;
  if (deadLetter.count > 0) {
    io.log.warn({ count: deadLetter.count, deadLetter: deadLetter.where }, `${deadLetter.count} rejected records written to ${deadLetter.where}`);
  }
  const summary = buildSummary({
    source: source.name,
    task: schema.task,
    backend: run.backend,
    engine: parts.engine.kind,
    counts: result.counts,
    evaluation: result.evaluation,
    seconds: result.seconds,
    recordsThisRun: result.counts.total - startRecords,
    tuningEvents: reporter.tuningEvents,
    hyperParams: parts.population.championHyperParams(parts.controls.hyperParams),
    ...(parts.population.size > 1 ? { population: { champion: parts.population.championId, members: parts.population.status() } } : {}),
    interrupted: abort.signal.aborted,
  });
  if (config.report && metricsLog) writeRunReport(config.report, metricsLog.path, summary, io.log);
  return finish(run, summary, finalCheckpointFailed);
}

/** Resolves the schema, builds the parts, opens the dead letter and events topic, restores and starts checkpointing. */
async function openSession(run: Run, source: OpenedSource): Promise<Session> {
  const { config, io, telemetry, resources, checkpoints } = run;
  const { log } = io;
  const schema = resolveSchema(config, source.columns, source.name);
  log.info({ source: source.name, task: schema.task, label: schema.label, features: schema.features }, 'source opened');
  const parts = createTrainingParts(config, schema, { nativeBackend: run.backend.startsWith('tensorflow') });
  resources.add(parts.population, (p) => p.dispose());
  const engine = parts.engine.kind;
  log.info({ engine, requested: config.engine, backend: run.backend }, `engine: ${engine}${config.engine === 'auto' ? ' (auto)' : ''}`);
  telemetry.setBackend(run.backend, engine);
  if (parts.labels) {
    telemetry.labels.track(parts.labels);
    await expectLabelLanes(config, parts.labels, log); // every partition of both topics holds expiry back until it delivers
  }
  const brokers = source.name.startsWith('kafka://') ? parseKafkaUri(source.name).brokers : [];
  const deadLetter = resources.add(await openDeadLetter(config, brokers, log), (d) => d.close());
  const predictions = await openPredictions(config, schema, parts, brokers, log);
  if (predictions) resources.add(predictions, (p) => p.close());
  const events = config.kafka.eventsTopic
    ? resources.add(await KafkaTopicWriter.open(kafkaSettings(config, brokers), config.kafka.eventsTopic, log), (w) => w.close())
    : undefined;
  const gate = new CommitGate({
    commit: source.allowCommit && ((positions) => source.allowCommit?.(positions)),
    flush: async () => void (await Promise.all([deadLetter.flush(), predictions?.flush()])),
    onError: (error) => log.error({ err: error }, `offsets not committed: ${(error as Error).message}`),
  });
  const restoredRecords = checkpoints?.loaded?.checkpoint.records.trained; // a member without its own checkpoint joins from the group's models
  const sync = await openSync(config, parts, { log, metrics: telemetry.sync, restoredRecords });
  if (sync) resources.add(sync, (s) => s.close());
  const checkpointer = await startCheckpointing({ config, schema, parts, checkpoints, deadLetter, predictions, source, gate, telemetry, log });
  telemetry.setTensors(parts.engine.numTensors);
  telemetry.declareDetectors(parts.monitor.detectors.map((d) => d.name));
  return { schema, parts, deadLetter, predictions, events, gate, checkpointer, sync };
}

/** The progress line and the batch reporter (log, metrics, metrics log, events topic). */
function startReporting(run: Run, session: Session): { reporter: BatchReporter; progress: Progress; metricsLog: MetricsLog | undefined } {
  const { config, io, telemetry, resources } = run;
  const { parts, events } = session;
  const opened = MetricsLog.forRun(config);
  const metricsLog = opened && resources.add(opened, (m) => m.close());
  const mode = config.progress === 'auto' ? (io.stderr.isTTY ? 'tty' : 'json') : config.progress;
  const progress = resources.add(new Progress(mode, { stream: io.stderr, log: io.log }), (p) => p.finish());
  const reporter = new BatchReporter(
    { telemetry, log: io.log, progress, ...(metricsLog ? { metricsLog } : {}), ...(events ? { events } : {}) },
    {
      hyperParams: () => parts.population.championHyperParams(parts.controls.hyperParams),
      detectorStats: () => parts.monitor.stats(),
      tensors: () => parts.engine.numTensors,
      population: () =>
        parts.population.size > 1 ? { members: parts.population.status(), champion: parts.population.championId } : undefined,
    },
    { logEvery: config.eval.logEvery },
  );
  return { reporter, progress, metricsLog };
}

/** Writes the summary (JSON file and table); exit code 1 when the final checkpoint could not be written. */
function finish({ config, io }: Run, summary: Summary, finalCheckpointFailed: boolean): number {
  if (config.summaryJson) writeFileSync(config.summaryJson, summaryJson(summary) + '\n');
  io.stdout.write(formatSummary(summary) + '\n');
  if (!finalCheckpointFailed) return 0;
  io.log.error('the final checkpoint could not be written: the next start resumes from the last durable one');
  io.stderr.write(`streamtune: the final checkpoint could not be written to ${config.checkpoint.dir}; the next start resumes from the last durable one\n`);
  return 1;
}

/** Stop-at-end on a topic the group has already read to the end: an empty summary, exit 0. */
function nothingToRead(run: Run, name: string): number {
  const { config } = run;
  run.io.log.info({ source: name }, `nothing left to read in ${name}`);
  const summary = buildSummary({
    source: name,
    task: config.task,
    backend: run.backend,
    engine: config.engine,
    counts: emptyCounts(),
    evaluation: createEvaluator(config, { task: config.task, classes: config.classes ?? 2 }).get(),
    seconds: 0,
    hyperParams: { learningRate: config.optimizer.learningRate, l2: config.l2 },
    interrupted: false,
  });
  return finish(run, summary, false);
}
