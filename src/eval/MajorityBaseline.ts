import { CheckpointError, ConfigError } from '../errors.js';

/** Settings of {@link MajorityBaseline}. */
export interface MajorityBaselineSettings {
  /** Binary rows are `[class]` (0 or 1); multiclass rows are one-hot over `classes`. */
  readonly task: 'binary' | 'multiclass';
  /** Number of classes (2 for binary). */
  readonly classes: number;
}

/** Learned state of a {@link MajorityBaseline}: how often each class was seen. */
export interface MajorityBaselineSnapshot {
  readonly counts: number[];
}

/**
 * Predicts the most frequent class seen so far (ties: the smallest class id; before any label:
 * class 0). Used prequentially: `predict()` first, then `learn(y)`.
 *
 * @example
 * const b = new MajorityBaseline({ task: 'multiclass', classes: 3 });
 * b.learn(2); b.learn(2); b.learn(1);
 * b.predict(); // [0, 0, 1]
 */
export class MajorityBaseline {
  readonly task: 'binary' | 'multiclass';
  readonly classes: number;
  #counts: number[];

  constructor(settings: MajorityBaselineSettings) {
    const { task, classes } = settings;
    if (!Number.isInteger(classes) || classes < 2) {
      throw new ConfigError(`MajorityBaseline: "classes" must be an integer >= 2, got ${classes}`);
    }
    this.task = task;
    this.classes = classes;
    this.#counts = new Array<number>(classes).fill(0);
  }

  /** The prediction row for the next record. */
  predict(): number[] {
    const counts = this.#counts;
    let best = 0;
    for (let k = 1; k < counts.length; k++) if ((counts[k] as number) > (counts[best] as number)) best = k;
    if (this.task === 'binary') return [best];
    const row = new Array<number>(this.classes).fill(0);
    row[best] = 1;
    return row;
  }

  /** Counts one label; labels outside [0, classes) are ignored (decode rejects them upstream). */
  learn(y: number): void {
    if (Number.isInteger(y) && y >= 0 && y < this.classes) this.#counts[y] = (this.#counts[y] as number) + 1;
  }

  snapshot(): MajorityBaselineSnapshot {
    return { counts: [...this.#counts] };
  }

  restore(snapshot: MajorityBaselineSnapshot): void {
    const counts = (snapshot as Partial<MajorityBaselineSnapshot> | undefined)?.counts;
    if (
      !Array.isArray(counts) ||
      counts.length !== this.classes ||
      !counts.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0)
    ) {
      throw new CheckpointError(
        `MajorityBaseline.restore: expected {counts: ${this.classes} integers >= 0}, got ${JSON.stringify(snapshot)}`,
      );
    }
    this.#counts = [...counts];
  }
}
