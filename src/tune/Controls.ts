import type { WeightData } from '../model/Engine.js';
import type { HyperParams, ScoredBatch } from '../types.js';
import type { TuningDecision } from './TuningDecision.js';

/** What the controls act on: the engine's weights and optimizer, the scaler's forgetting. */
export interface ControlTargets {
  readonly engine: {
    getWeights(): WeightData[];
    setWeights(weights: readonly WeightData[]): void;
    resetOptimizer(): void;
  };
  readonly scaler: { forgetWith(halfLife: number | undefined): void };
}

/** The read side of {@link Controls}: what a train step needs. */
export interface HyperParamsSource {
  readonly hyperParams: HyperParams;
  /** True while an operator has paused learning: the train step scores the records without learning them. */
  readonly paused?: boolean;
}

/**
 * The one owner of what tuning changes. It holds the hyperparameters in force (read by every train
 * step, written only through {@link apply}) and carries out a decision's actions on the training
 * state: it keeps a copy of the last good weights (every `keepEvery` applied, finite steps) to
 * restore after a divergence, resets Adam's moments, and speeds up the scaler's forgetting for a
 * number of batches, then puts it back. The engine's own learning rate and L2 are set from here
 * by the train step before each step; checkpoints store {@link hyperParams}.
 *
 * @example
 * const controls = new Controls({ learningRate: 0.001, l2: 0.001 }, { engine, scaler });
 * batches$.pipe(trainStep(engine, controls), ..., tune(tuner, 'binary', controls));
 * controls.apply({ hp: { learningRate: 0.003, l2: 0.001 }, events: [], actions: [{ type: 'reset_moments' }] }, batch, 1);
 */
export class Controls implements HyperParamsSource {
  #hp: HyperParams;
  #good: WeightData[] | undefined;
  #sinceGood = Infinity;
  #forgetUntil: number | undefined;
  #paused = false;

  constructor(
    initial: HyperParams,
    private readonly targets: ControlTargets,
    private readonly keepEvery = 50,
  ) {
    this.#hp = initial;
  }

  get hyperParams(): HyperParams {
    return this.#hp;
  }

  /**
   * True while learning is paused (an operator's `pause-learning`): the train step still predicts
   * and the records are still evaluated, but no member learns them. Not part of checkpoints.
   */
  get paused(): boolean {
    return this.#paused;
  }

  /** Pauses (true) or resumes (false) learning from the next train step on; returns whether it changed. */
  setPaused(paused: boolean): boolean {
    const changed = this.#paused !== paused;
    this.#paused = paused;
    return changed;
  }

  /** True when a copy of good weights exists to restore. */
  get hasGoodWeights(): boolean {
    return this.#good !== undefined;
  }

  /**
   * Takes the tuner's decision after batch `batchNo` (1-based count of batches so far): refreshes
   * the good weights from `batch`, ends a forgetting boost when due, carries out the actions, and
   * puts the decision's hyperparameters in force for the next step.
   */
  apply(decision: TuningDecision, batch: ScoredBatch, batchNo: number): void {
    this.#afterBatch(batch, batchNo);
    for (const action of decision.actions) {
      if (action.type === 'restore_weights') {
        if (this.#good) this.targets.engine.setWeights(this.#good);
      } else if (action.type === 'reset_moments') {
        this.targets.engine.resetOptimizer();
      } else {
        this.targets.scaler.forgetWith(action.halfLife);
        this.#forgetUntil = batchNo + action.batches;
      }
    }
    this.#hp = decision.hp;
  }

  /** Puts restored hyperparameters in force (from a checkpoint). */
  restore(hp: HyperParams): void {
    this.#hp = hp;
  }

  #afterBatch(batch: ScoredBatch, batchNo: number): void {
    this.#sinceGood++;
    if (batch.applied && Number.isFinite(batch.loss) && this.#sinceGood >= this.keepEvery) {
      this.#good = this.targets.engine.getWeights();
      this.#sinceGood = 0;
    }
    if (this.#forgetUntil !== undefined && batchNo >= this.#forgetUntil) {
      this.targets.scaler.forgetWith(undefined);
      this.#forgetUntil = undefined;
    }
  }
}
