import { CheckpointError, ConfigError } from '../errors.js';
import type { ScoredBatch, Split, Task } from '../types.js';
import { Accuracy } from './Accuracy.js';
import { LogLoss } from './LogLoss.js';
import { MajorityBaseline } from './MajorityBaseline.js';
import { MeanBaseline } from './MeanBaseline.js';
import type { Metric } from './Metric.js';
import { Mse } from './Mse.js';
import { NoChangeBaseline } from './NoChangeBaseline.js';
import { Rolling } from './Rolling.js';

/** Settings of {@link Evaluator}. */
export interface EvaluatorSettings {
  readonly task: Task;
  /** Number of classes (2 for binary; ignored for regression). */
  readonly classes: number;
  /** Rolling window size in records, per split and per baseline (default 1000). */
  readonly window?: number;
}

/**
 * The metrics of one split; cross-entropy and accuracy for classification only. NaN when empty.
 * A type alias (not an interface) so that it is assignable to `Record<string, number>`-like types.
 */
export type SplitMetrics = {
  readonly mse: number;
  readonly crossEntropy?: number;
  readonly accuracy?: number;
};

/** A baseline's scores over the rolling window and since the start. */
export interface BaselineMetrics<M> {
  readonly window: M;
  readonly cumulative: M;
}

/** What {@link Evaluator.get} reports: plain data, ready for telemetry. */
export interface Evaluation {
  /** Records scored per split since the start. */
  readonly records: { readonly train: number; readonly holdout: number };
  /** Metrics over the last `window` records of each split. */
  readonly window: { readonly train: SplitMetrics; readonly holdout: SplitMetrics };
  /** Metrics over all records of each split since the start. */
  readonly cumulative: { readonly train: SplitMetrics; readonly holdout: SplitMetrics };
  /** Baselines, scored prequentially on all records of both splits in stream order. */
  readonly baselines: {
    /** Classification: the most frequent class so far. */
    readonly majority?: BaselineMetrics<{ readonly accuracy: number }>;
    /** Classification: the previous label. */
    readonly noChange?: BaselineMetrics<{ readonly accuracy: number }>;
    /** Regression: the running mean of the targets. */
    readonly mean?: BaselineMetrics<{ readonly mse: number }>;
  };
}

/** Learned state of a set of named metrics, windowed and cumulative. */
export interface ScoresSnapshot {
  readonly window: Record<string, unknown>;
  readonly cumulative: Record<string, unknown>;
}

/** Learned state of an {@link Evaluator}, JSON-serializable. */
export interface EvaluatorSnapshot {
  readonly splits: Record<Split, ScoresSnapshot>;
  readonly baselines: Record<string, { readonly model: unknown; readonly scores: ScoresSnapshot }>;
}

/** What the evaluator needs from a baseline model. */
interface Baseline {
  predict(): number[];
  learn(y: number): void;
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

/** Named metrics, each kept both over a rolling window and since the start; `M` maps the names to their values. */
class Scores<M extends object> {
  readonly #window: Record<string, Rolling> = {};
  readonly #cumulative: Record<string, Metric> = {};
  /** Every metric, window ones first, as a list for the per-record loop. */
  #all: Metric[] | undefined;

  constructor(metrics: Record<string, Metric>, window: number) {
    for (const [name, metric] of Object.entries(metrics)) {
      this.#window[name] = new Rolling(metric, window);
      this.#cumulative[name] = metric.clone();
    }
  }

  /** Records counted since the start. */
  get count(): number {
    return Object.values(this.#cumulative)[0]?.count ?? 0;
  }

  update(y: number, p: ArrayLike<number>): void {
    const all = (this.#all ??= [...Object.values(this.#window), ...Object.values(this.#cumulative)]);
    for (let k = 0; k < all.length; k++) (all[k] as Metric).update(y, p);
  }

  get(): BaselineMetrics<M> {
    const read = (ms: Record<string, Metric>) =>
      Object.fromEntries(Object.entries(ms).map(([k, m]) => [k, m.get()])) as M;
    return { window: read(this.#window), cumulative: read(this.#cumulative) };
  }

  snapshot(): ScoresSnapshot {
    const take = (ms: Record<string, Metric>) => Object.fromEntries(Object.entries(ms).map(([k, m]) => [k, m.snapshot()]));
    return { window: take(this.#window), cumulative: take(this.#cumulative) };
  }

  restore(snapshot: ScoresSnapshot, where: string): void {
    for (const [part, ms] of [
      ['window', this.#window],
      ['cumulative', this.#cumulative],
    ] as const) {
      const stored = (snapshot as Partial<ScoresSnapshot> | undefined)?.[part];
      for (const [name, metric] of Object.entries(ms)) {
        if (stored?.[name] === undefined) {
          throw new CheckpointError(
            `Evaluator.restore: ${where}.${part}.${name} is missing; the checkpoint is corrupt or from another task`,
          );
        }
        metric.restore(stored[name]);
      }
    }
  }
}

/**
 * Windowed and cumulative evaluation of scored batches: MSE for every task, plus cross-entropy
 * and accuracy for classification, kept apart for the train (prequential) and holdout splits;
 * and baselines (majority and no-change for classification, the running mean for regression)
 * scored prequentially on every record of both splits in stream order.
 *
 * @example
 * const ev = new Evaluator({ task: 'binary', classes: 2, window: 500 });
 * ev.update(batch);
 * ev.get().window.holdout.crossEntropy;
 * ev.get().baselines.majority?.window.accuracy;
 */
export class Evaluator {
  /** The settings in force, with the window default filled in. */
  readonly settings: Required<EvaluatorSettings>;
  /** Width of a prediction row: the number of classes for multiclass, else 1. */
  readonly width: number;
  #splits: Record<Split, Scores<SplitMetrics>>;
  #baselines: Record<string, { model: Baseline; scores: Scores<object> }>;
  /** Scratch row for width-1 predictions (metrics copy what they keep); Float64 like the windows' rows. */
  readonly #row = new Float64Array(1);

  constructor(settings: EvaluatorSettings) {
    const { task, classes, window = 1000 } = settings;
    if (!Number.isInteger(window) || window < 1) {
      throw new ConfigError(`Evaluator: "window" must be a positive integer of records, got ${window}`);
    }
    if (task === 'multiclass' && (!Number.isInteger(classes) || classes < 2)) {
      throw new ConfigError(`Evaluator: "classes" must be an integer >= 2 for multiclass, got ${classes}`);
    }
    this.settings = { task, classes, window };
    this.width = task === 'multiclass' ? classes : 1;
    const baselineClasses = task === 'binary' ? 2 : classes;
    const metrics = (): Record<string, Metric> =>
      task === 'regression'
        ? { mse: new Mse() }
        : { mse: new Mse(), crossEntropy: new LogLoss(), accuracy: new Accuracy() };
    this.#splits = {
      train: new Scores<SplitMetrics>(metrics(), window),
      holdout: new Scores<SplitMetrics>(metrics(), window),
    };
    this.#baselines =
      task === 'regression'
        ? { mean: { model: new MeanBaseline(), scores: new Scores({ mse: new Mse() }, window) } }
        : {
            majority: {
              model: new MajorityBaseline({ task, classes: baselineClasses }),
              scores: new Scores({ accuracy: new Accuracy() }, window),
            },
            noChange: {
              model: new NoChangeBaseline({ task, classes: baselineClasses }),
              scores: new Scores({ accuracy: new Accuracy() }, window),
            },
          };
  }

  /** Scores every sample of the batch against its prediction row, in its split and in the baselines. */
  update(batch: ScoredBatch): void {
    const { samples, predictions, width } = batch;
    if (width !== this.width || predictions.length !== samples.length * width) {
      throw new RangeError(
        `Evaluator.update: expected ${samples.length} prediction rows of width ${this.width} (${this.settings.task}), ` +
          `got ${predictions.length} values of width ${width}`,
      );
    }
    const baselines = Object.values(this.#baselines);
    const row = width === 1 ? this.#row : new Float64Array(width);
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i] as ScoredBatch['samples'][number];
      const y = sample.y;
      for (let j = 0; j < width; j++) row[j] = predictions[i * width + j] as number;
      this.#splits[sample.split].update(y, row);
      for (const { model, scores } of baselines) {
        scores.update(y, model.predict());
        model.learn(y);
      }
    }
  }

  /** The current evaluation as plain data (NaN for metrics of an empty split or window). */
  get(): Evaluation {
    const train = this.#splits.train.get();
    const holdout = this.#splits.holdout.get();
    const baselines = Object.fromEntries(
      Object.entries(this.#baselines).map(([name, { scores }]) => [name, scores.get()]),
    ) as Evaluation['baselines'];
    return {
      records: { train: this.#splits.train.count, holdout: this.#splits.holdout.count },
      window: { train: train.window, holdout: holdout.window },
      cumulative: { train: train.cumulative, holdout: holdout.cumulative },
      baselines,
    };
  }

  snapshot(): EvaluatorSnapshot {
    return {
      splits: { train: this.#splits.train.snapshot(), holdout: this.#splits.holdout.snapshot() },
      baselines: Object.fromEntries(
        Object.entries(this.#baselines).map(([name, { model, scores }]) => [
          name,
          { model: model.snapshot(), scores: scores.snapshot() },
        ]),
      ),
    };
  }

  /**
   * Restores a snapshot taken from an evaluator of the same task (a different window size is fine).
   * On a corrupt snapshot it throws and leaves this evaluator as it was.
   */
  restore(snapshot: EvaluatorSnapshot): void {
    const fresh = new Evaluator(this.settings);
    fresh.#load(snapshot);
    this.#splits = fresh.#splits;
    this.#baselines = fresh.#baselines;
  }

  #load(snapshot: EvaluatorSnapshot): void {
    const { splits, baselines } = (snapshot ?? {}) as Partial<EvaluatorSnapshot>;
    for (const split of ['train', 'holdout'] as const) {
      this.#splits[split].restore(splits?.[split] as ScoresSnapshot, `splits.${split}`);
    }
    for (const [name, { model, scores }] of Object.entries(this.#baselines)) {
      const stored = baselines?.[name];
      if (stored === undefined) {
        throw new CheckpointError(
          `Evaluator.restore: baselines.${name} is missing; the checkpoint is corrupt or from another task`,
        );
      }
      model.restore(stored.model);
      scores.restore(stored.scores, `baselines.${name}.scores`);
    }
  }
}
