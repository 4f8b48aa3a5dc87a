import { CheckpointError } from '../errors.js';

/** Learned state of a {@link MeanBaseline}. */
export interface MeanBaselineSnapshot {
  readonly mean: number;
  readonly count: number;
}

/**
 * Regression baseline: predicts the running mean of the targets seen so far (before any: 0).
 * Used prequentially: `predict()` first, then `learn(y)`.
 *
 * @example
 * const b = new MeanBaseline();
 * b.predict(); // [0]
 * b.learn(2); b.learn(4);
 * b.predict(); // [3]
 */
export class MeanBaseline {
  #mean = 0;
  #count = 0;

  /** The prediction row for the next record. */
  predict(): number[] {
    return [this.#mean];
  }

  learn(y: number): void {
    this.#count += 1;
    this.#mean += (y - this.#mean) / this.#count;
  }

  snapshot(): MeanBaselineSnapshot {
    return { mean: this.#mean, count: this.#count };
  }

  restore(snapshot: MeanBaselineSnapshot): void {
    const { mean, count } = (snapshot ?? {}) as Partial<MeanBaselineSnapshot>;
    if (typeof mean !== 'number' || !Number.isFinite(mean) || typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new CheckpointError(
        `MeanBaseline.restore: expected {mean: finite number, count: integer >= 0}, got ${JSON.stringify(snapshot)}`,
      );
    }
    this.#mean = mean;
    this.#count = count;
  }
}
