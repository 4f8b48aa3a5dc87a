import type { DriftDetection } from '../drift/DriftMonitor.js';
import type { BatchReport } from '../pipeline.js';
import type { Logger } from '../telemetry/logger.js';
import type { Progress } from '../telemetry/Progress.js';
import type { Telemetry } from '../telemetry/registry.js';
import type { TuningEvent } from '../tune/TuningEvent.js';
import type { MemberStatus } from '../tune/Population.js';
import type { HyperParams } from '../types.js';

/** Where the reporter writes: each is optional except the registry, the log and progress. */
export interface ReportSinks {
  readonly telemetry: Telemetry;
  readonly log: Pick<Logger, 'info' | 'debug'>;
  readonly progress: Pick<Progress, 'update'>;
  /** `--metrics-log`: tuning events as they happen, and a line every `logEvery` records. */
  readonly metricsLog?: { write(entry: object): void };
  /** `kafka.eventsTopic`: drift detections and tuning events as JSON messages. */
  readonly events?: { write(message: { value: string }): void };
}

/** What the reporter reads besides the report: the live state it exports. */
export interface ReportSources {
  readonly hyperParams: () => HyperParams;
  readonly detectorStats: () => Record<string, Record<string, number>>;
  readonly tensors: () => number;
  /** The population's members and champion, when there is more than one member. */
  readonly population?: () => { readonly members: readonly MemberStatus[]; readonly champion: number } | undefined;
}

/**
 * Tells the world about each batch: drift detections and tuning events to the log, the metrics,
 * the metrics log and the events topic; batch and evaluation metrics, detector statistics and the
 * tensor count to the registry; the progress line; and a metrics-log line every `logEvery`
 * records. Keeps the run's tuning events for the summary.
 *
 * @example
 * const reporter = new BatchReporter(sinks, sources, { logEvery: 1000 });
 * runPipeline({ ..., onBatch: (report) => reporter.report(report) });
 * buildSummary({ ..., tuningEvents: reporter.tuningEvents });
 */
export class BatchReporter {
  readonly tuningEvents: TuningEvent[] = [];
  #nextLog: number;

  constructor(
    private readonly sinks: ReportSinks,
    private readonly sources: ReportSources,
    private readonly settings: { readonly logEvery: number },
  ) {
    this.#nextLog = settings.logEvery;
  }

  report({ batch, evaluation, counts, drift, decision }: BatchReport): void {
    const { telemetry, progress, metricsLog } = this.sinks;
    if (drift) this.#drift(drift, counts.total);
    for (const event of decision.events) this.#tuning(event);
    telemetry.observeBatch(batch);
    telemetry.observeLatency(batch.samples, Date.now());
    telemetry.observeEvaluation(evaluation);
    telemetry.setDetectorStats(this.sources.detectorStats());
    telemetry.setTensors(this.sources.tensors());
    const hyperParams = this.sources.hyperParams();
    const population = this.sources.population?.();
    if (population) telemetry.observePopulation(population.members, population.champion);
    progress.update({ records: counts.total, rejected: counts.rejected, evaluation, hyperParams });
    if (metricsLog && counts.total >= this.#nextLog) {
      metricsLog.write({
        time: new Date().toISOString(),
        records: counts.total,
        trained: counts.trained,
        holdout: counts.holdout,
        rejected: counts.rejected,
        window: evaluation.window,
        learningRate: hyperParams.learningRate,
        l2: hyperParams.l2,
        ...(population ? { champion: population.champion, members: population.members.map(memberEntry) } : {}),
      });
      const every = this.settings.logEvery;
      this.#nextLog = (Math.floor(counts.total / every) + 1) * every;
    }
  }

  #drift(drift: DriftDetection, records: number): void {
    this.sinks.telemetry.recordDrift(drift.detector);
    this.sinks.log.info({ event: 'drift.detected', ...drift, records }, `drift detected by ${drift.detector} at record ${drift.index}`);
    this.sinks.events?.write({ value: JSON.stringify({ type: 'drift', time: new Date().toISOString(), records, ...drift }) });
  }

  #tuning(event: TuningEvent): void {
    this.tuningEvents.push(event);
    this.sinks.telemetry.recordTuning(event);
    // A population's rounds are routine (a few members every interval): logged at debug, still counted and published.
    const level = event.reason === 'population' ? 'debug' : 'info';
    const member = event.reason === 'population' ? ` member ${event.signals.member}` : '';
    this.sinks.log[level]({ event: 'tuner.adjusted', tuning: event }, `tuner: ${event.reason}${member} ${event.param} ${event.old} -> ${event.new}`);
    this.sinks.metricsLog?.write({ type: 'tuning', ...event });
    this.sinks.events?.write({ value: JSON.stringify({ type: 'tuning', ...event }) });
  }
}

/** A member in a metrics-log line: JSON has no NaN (a member not yet scored has a null loss). */
function memberEntry(m: MemberStatus): Record<string, number | null> {
  return { id: m.id, loss: Number.isFinite(m.loss) ? m.loss : null, learningRate: m.learningRate, l2: m.l2, batchSize: m.batchSize };
}
