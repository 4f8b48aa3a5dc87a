import type { Task } from '../types.js';
import { CheckpointError, ConfigError } from '../errors.js';

/** Settings of {@link NoChangeBaseline}. */
export interface NoChangeBaselineSettings {
  /** Multiclass rows are one-hot over `classes`; binary and regression rows are `[previous label]`. */
  readonly task: Task;
  /** Number of classes (multiclass only). */
  readonly classes?: number;
}

/** Learned state of a {@link NoChangeBaseline}: the last label seen. */
export interface NoChangeBaselineSnapshot {
  readonly previous: number;
}

/**
 * Predicts the previous label (before any label: 0). Used prequentially: `predict()` first,
 * then `learn(y)`.
 *
 * @example
 * const b = new NoChangeBaseline({ task: 'binary' });
 * b.predict(); // [0]
 * b.learn(1);
 * b.predict(); // [1]
 */
export class NoChangeBaseline {
  readonly task: Task;
  readonly classes: number;
  #previous = 0;

  constructor(settings: NoChangeBaselineSettings) {
    const { task, classes = 2 } = settings;
    if (task === 'multiclass' && (!Number.isInteger(classes) || classes < 2)) {
      throw new ConfigError(`NoChangeBaseline: "classes" must be an integer >= 2, got ${classes}`);
    }
    this.task = task;
    this.classes = classes;
  }

  /** The prediction row for the next record. */
  predict(): number[] {
    if (this.task !== 'multiclass') return [this.#previous];
    const row = new Array<number>(this.classes).fill(0);
    if (Number.isInteger(this.#previous) && this.#previous >= 0 && this.#previous < this.classes) row[this.#previous] = 1;
    return row;
  }

  learn(y: number): void {
    this.#previous = y;
  }

  snapshot(): NoChangeBaselineSnapshot {
    return { previous: this.#previous };
  }

  restore(snapshot: NoChangeBaselineSnapshot): void {
    const previous = (snapshot as Partial<NoChangeBaselineSnapshot> | undefined)?.previous;
    if (typeof previous !== 'number' || !Number.isFinite(previous)) {
      throw new CheckpointError(
        `NoChangeBaseline.restore: expected {previous: finite number}, got ${JSON.stringify(snapshot)}`,
      );
    }
    this.#previous = previous;
  }
}
