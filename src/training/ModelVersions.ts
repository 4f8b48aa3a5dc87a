import type { TrainingParts } from './TrainingParts.js';

/**
 * The model version behind each prequential prediction: the champion's updates applied (its
 * `iterations`) when the record was scored. Call {@link mark} after each block is handled (the
 * champion and its step size for the next block are then known); {@link of} then numbers the rows
 * of the next block: the rows of a block's c-th step chunk were scored after the chunks before it
 * that held train rows had each taken one step.
 *
 * @example
 * const versions = new ModelVersions(parts); // after a restore
 * const v = versions.of(report.batch);       // one version per sample
 * versions.mark();                            // at the end of onBatch
 */
export class ModelVersions {
  #start = 0;
  #stepSize = 1;

  constructor(private readonly parts: Pick<TrainingParts, 'engine' | 'population'>) {
    this.mark();
  }

  /** The version the next block starts from: the champion's updates so far. */
  get current(): number {
    return this.#start;
  }

  /** Records the champion's updates and step size now, for the next block. */
  mark(): void {
    const { population } = this.parts;
    this.#start = this.parts.engine.iterations;
    const champion = population.status().find((m) => m.id === population.championId);
    this.#stepSize = Math.max(1, champion?.batchSize ?? 1);
  }

  /** The version each sample of `batch` was scored with. */
  of(batch: { readonly samples: readonly { readonly split: string }[]; readonly steps: number }): Float64Array {
    const { samples, steps } = batch;
    const n = samples.length;
    const out = new Float64Array(n).fill(this.#start);
    if (steps === 0) return out;
    const chunk = Math.min(this.#stepSize, n);
    let taken = 0;
    for (let from = 0; from < n; from += chunk) {
      const to = Math.min(n, from + chunk);
      let train = false;
      for (let i = from; i < to; i++) {
        out[i] = this.#start + taken;
        if (samples[i]!.split === 'train') train = true;
      }
      if (train && taken < steps) taken++;
    }
    return out;
  }
}
