import type { WeightData } from '../model/Trainer.js';
import type { ScoredBatch } from '../types.js';
import type { TuningAction } from './TuningAction.js';

/** What the effects act on: the trainer's weights and optimizer, the scaler's forgetting. */
export interface TuningTargets {
  readonly trainer: {
    getWeights(): WeightData[];
    setWeights(weights: readonly WeightData[]): void;
    resetOptimizer(): void;
  };
  readonly scaler: { forgetWith(halfLife: number | undefined): void };
}

/**
 * Carries out the tuner's actions on the training state: keeps a copy of the last good weights
 * (every `keepEvery` applied, finite steps) to restore after a divergence, resets Adam's moments,
 * and speeds up the scaler's forgetting for a number of batches, then puts it back.
 *
 * @example
 * const effects = new TuningEffects({ trainer, scaler });
 * effects.afterBatch(batch, counts.batches);
 * effects.apply(decision.actions, counts.batches);
 */
export class TuningEffects {
  private good: WeightData[] | undefined;
  private sinceGood = Infinity;
  private forgetUntil: number | undefined;

  constructor(
    private readonly targets: TuningTargets,
    private readonly keepEvery = 50,
  ) {}

  /** True when a copy of good weights exists to restore. */
  get hasGoodWeights(): boolean {
    return this.good !== undefined;
  }

  /** Call after every batch, before `apply`: refreshes the good weights, ends a forgetting boost when due. */
  afterBatch(batch: ScoredBatch, batchNo: number): void {
    this.sinceGood++;
    if (batch.applied && Number.isFinite(batch.loss) && this.sinceGood >= this.keepEvery) {
      this.good = this.targets.trainer.getWeights();
      this.sinceGood = 0;
    }
    if (this.forgetUntil !== undefined && batchNo >= this.forgetUntil) {
      this.targets.scaler.forgetWith(undefined);
      this.forgetUntil = undefined;
    }
  }

  apply(actions: readonly TuningAction[], batchNo: number): void {
    for (const action of actions) {
      if (action.type === 'restore_weights') {
        if (this.good) this.targets.trainer.setWeights(this.good);
      } else if (action.type === 'reset_moments') {
        this.targets.trainer.resetOptimizer();
      } else {
        this.targets.scaler.forgetWith(action.halfLife);
        this.forgetUntil = batchNo + action.batches;
      }
    }
  }
}
