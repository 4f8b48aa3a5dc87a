import { CheckpointError, ConfigError } from '../errors.js';
import { RunningMoments, type RunningMomentsSnapshot } from './RunningMoments.js';

/** Settings of {@link Standardizer}. */
export interface StandardizerSettings {
  /** Number of features. */
  readonly dim: number;
  /** Forgetting half-life in records (see {@link RunningMoments}); absent: no forgetting. */
  readonly halfLife?: number;
  /** Maximum |z|; standardized values are clipped to ±clip when set. */
  readonly clip?: number;
  /** Also track the target's moments (regression), for `targetShift` / `targetScale`. */
  readonly standardizeTarget?: boolean;
  /** Standard deviations below this count as zero: the feature maps to 0. Default 1e-8. */
  readonly minStd?: number;
}

/** Learned state of {@link Standardizer}, JSON-serializable. */
export interface StandardizerSnapshot {
  readonly features: RunningMomentsSnapshot;
  /** Target moments; null without target standardization. */
  readonly target: RunningMomentsSnapshot | null;
}

/**
 * What a standardizer learned since its last {@link Standardizer.takeDelta}: the moments of those
 * records alone, and what their forgetting did to the weight seen before them. Another trainer's
 * standardizer folds it in with {@link Standardizer.mergeDelta}; each delta is merged once.
 */
export interface StandardizerDelta {
  readonly features: RunningMomentsSnapshot;
  readonly target: RunningMomentsSnapshot | null;
  /** Factor applied to the older weight by those records (1 without forgetting). */
  readonly decay: number;
}

/** The moments since the last delta was taken (see {@link Standardizer.trackDeltas}). */
interface Since {
  readonly features: RunningMoments;
  readonly target: RunningMoments | undefined;
  decay: number;
}

/**
 * Online z-score standardizer of features (and optionally the target) from running moments.
 * Never yields NaN: a feature with (near) zero variance, or no data yet, maps to 0.
 *
 * @example
 * const s = new Standardizer({ dim: 1, clip: 5 });
 * s.update([1]);
 * s.update([3]);
 * s.transform([4]); // Float32Array [2]  ((4 - 2) / 1)
 */
export class Standardizer {
  /** The settings, with defaults filled in. */
  readonly settings: StandardizerSettings & { readonly standardizeTarget: boolean; readonly minStd: number };
  readonly #features: RunningMoments;
  readonly #target: RunningMoments | undefined;
  /** Scratch for the target's one value (no array per record). */
  readonly #y = new Float64Array(1);
  /** The records since the last delta, when deltas are tracked (syncing trainers). */
  #since: Since | undefined;

  constructor(settings: StandardizerSettings) {
    const { dim, halfLife, clip, standardizeTarget = false, minStd = 1e-8 } = settings;
    if (clip !== undefined && !(clip > 0)) {
      throw new ConfigError(`Standardizer: "clip" must be a positive number, got ${clip}`);
    }
    if (!(minStd >= 0) || !Number.isFinite(minStd)) {
      throw new ConfigError(`Standardizer: "minStd" must be a finite number >= 0, got ${minStd}`);
    }
    this.settings = { dim, halfLife, clip, standardizeTarget, minStd };
    this.#features = new RunningMoments({ dim, halfLife });
    this.#target = standardizeTarget ? new RunningMoments({ dim: 1, halfLife }) : undefined;
  }

  /** Number of features. */
  get dim(): number {
    return this.settings.dim;
  }

  /** Total (possibly decayed) weight of the feature records seen. */
  get count(): number {
    return this.#features.count;
  }

  /** Running mean of feature `i`. */
  mean(i: number): number {
    return this.#features.mean(i);
  }

  /** Running standard deviation of feature `i`. */
  std(i: number): number {
    return this.#features.std(i);
  }

  /** Learns from one record; `y` is only used with `standardizeTarget`. */
  update(x: ArrayLike<number>, y?: number): void {
    const since = this.#since;
    if (since !== undefined) {
      since.decay *= this.#features.decayPerRecord;
      since.features.update(x);
    }
    this.#features.update(x);
    if (this.#target !== undefined && y !== undefined) {
      this.#y[0] = y;
      this.#target.update(this.#y);
      since?.target?.update(this.#y);
    }
  }

  /**
   * From now on, also keeps the moments of the records learned since the last {@link takeDelta}
   * (twice the update cost), so that a trainer can share what it learned without sharing twice.
   */
  trackDeltas(): void {
    if (this.#since !== undefined) return;
    const { dim, halfLife } = this.settings;
    const features = new RunningMoments({ dim, halfLife });
    const target = this.#target ? new RunningMoments({ dim: 1, halfLife }) : undefined;
    features.forgetWith(halfLifeOf(this.#features.decayPerRecord));
    target?.forgetWith(halfLifeOf(this.#features.decayPerRecord));
    this.#since = { features, target, decay: 1 };
  }

  /** The moments of the records learned since the last call (or {@link trackDeltas}), and starts over. */
  takeDelta(): StandardizerDelta {
    const since = this.#since;
    if (since === undefined) throw new Error('Standardizer.takeDelta: call trackDeltas() first');
    const delta = { features: since.features.snapshot(), target: since.target?.snapshot() ?? null, decay: since.decay };
    this.#resetSince();
    return delta;
  }

  /**
   * Folds another standardizer's {@link StandardizerDelta} in (Chan et al.): the weight already
   * seen is decayed as those records would have decayed it, then their moments are merged. The
   * result equals a standardizer that learned both record sets, this one's first.
   */
  mergeDelta(delta: StandardizerDelta): void {
    const { dim } = this.settings;
    this.#features.decay(delta.decay);
    this.#features.merge(momentsOf(dim, delta.features));
    if (this.#target !== undefined && delta.target !== null) {
      this.#target.decay(delta.decay);
      this.#target.merge(momentsOf(1, delta.target));
    }
  }

  /** Learns the target alone (its features were learned earlier, as when a label arrives after its record). */
  updateTarget(y: number): void {
    if (this.#target === undefined) return;
    this.#y[0] = y;
    this.#target.update(this.#y);
  }

  /** Standardizes `x`: (x - mean) / std, 0 where std < minStd or nothing was learned, clipped to ±clip. */
  transform(x: ArrayLike<number>): Float32Array {
    const { dim, minStd, clip } = this.settings;
    if (x.length !== dim) {
      throw new RangeError(`Standardizer.transform: expected ${dim} features, got ${x.length}`);
    }
    const out = new Float32Array(dim);
    this.#features.standardizeInto(x, out, minStd, clip ?? Infinity);
    return out;
  }

  /** Mean of the target when it is standardized and its std >= minStd; else 0. */
  get targetShift(): number {
    return this.#targetUsable() ? (this.#target as RunningMoments).mean(0) : 0;
  }

  /** Std of the target when it is standardized and its std >= minStd; else 1. */
  get targetScale(): number {
    return this.#targetUsable() ? (this.#target as RunningMoments).std(0) : 1;
  }

  /** The learned state as plain JSON. */
  /** Temporarily forgets faster (or, with `undefined`, as configured again); see RunningMoments.forgetWith. */
  forgetWith(halfLife: number | undefined): void {
    this.#features.forgetWith(halfLife);
    this.#target?.forgetWith(halfLife);
    this.#since?.features.forgetWith(halfLife);
    this.#since?.target?.forgetWith(halfLife);
  }

  snapshot(): StandardizerSnapshot {
    return { features: this.#features.snapshot(), target: this.#target?.snapshot() ?? null };
  }

  /** Replaces the learned state with a snapshot from a standardizer with the same settings. */
  restore(snapshot: StandardizerSnapshot): void {
    const target = snapshot?.target ?? null;
    if (this.#target === undefined ? target !== null : target === null) {
      throw new CheckpointError(
        `Standardizer.restore: the snapshot ${target === null ? 'lacks' : 'has'} target moments but ` +
          `standardizeTarget is ${this.settings.standardizeTarget}; restore with the settings it was taken with`,
      );
    }
    this.#features.restore(snapshot.features);
    if (this.#target !== undefined && target !== null) this.#target.restore(target);
    this.#resetSince(); // what was tracked belongs to the state just replaced
  }

  #resetSince(): void {
    const since = this.#since;
    if (since === undefined) return;
    const zero = (dim: number): RunningMomentsSnapshot => ({ count: 0, mean: new Array<number>(dim).fill(0), m2: new Array<number>(dim).fill(0) });
    since.features.restore(zero(this.settings.dim));
    since.target?.restore(zero(1));
    since.decay = 1;
  }

  #targetUsable(): boolean {
    return this.#target !== undefined && this.#target.count > 0 && this.#target.std(0) >= this.settings.minStd;
  }
}

/** Moments restored from a snapshot of `dim` features. */
function momentsOf(dim: number, snapshot: RunningMomentsSnapshot): RunningMoments {
  const moments = new RunningMoments({ dim });
  moments.restore(snapshot);
  return moments;
}

/** The half-life (records) whose per-record decay is `alpha`; undefined for no forgetting. */
function halfLifeOf(alpha: number): number | undefined {
  return alpha === 1 ? undefined : -1 / Math.log2(alpha);
}
