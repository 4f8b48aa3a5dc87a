import { CheckpointError } from '../errors.js';
import { pointLoss } from '../eval/pointLoss.js';
import { BlockLearner, type LearnedBlock } from '../model/BlockLearner.js';
import type { Engine, EngineSnapshot, WeightData } from '../model/Engine.js';
import type { HyperParams, ScaledSample } from '../types.js';
import { explore, type Explored } from './explore.js';
import { initialMembers, type MemberParams } from './initialMembers.js';
import type { PopulationSettings } from './populationSchema.js';

/** One member as telemetry, the summary and the report see it. */
export interface MemberStatus extends MemberParams {
  readonly id: number;
  /** Its recent prequential loss (half-life `halfLife` records); NaN before its first scored record. */
  readonly loss: number;
}

/** What the population did with a block: the reported predictions (champion's or blend), the champion's steps. */
export interface PopulationBlock extends LearnedBlock {
  /** The champion's hyperparameters in force for this block (tuner's scale applied). */
  readonly hyperParams: HyperParams;
  readonly champion: number;
}

/** Learned state of a {@link Population}, JSON-serializable. */
export interface PopulationSnapshot {
  readonly members: readonly (MemberParams & { readonly loss: number | null; readonly engine: EngineSnapshot })[];
  readonly champion: number;
  readonly records: number;
  readonly lastRound: number;
  readonly rounds: number;
}

interface Member {
  readonly id: number;
  readonly engine: Engine;
  readonly learner: BlockLearner;
  params: MemberParams;
  /** Recent loss (exponential average): picks the champion. */
  loss: number;
  /** Sum and count of its losses since the last round: ranks it in the next round. */
  roundLoss: number;
  roundCount: number;
}

/**
 * K models learning the same stream, each with its own learning rate, L2 and batch size (online
 * population-based training). Every member scores each record before learning it; its recent
 * loss ranks it. The champion (lowest recent loss, chosen before a block is seen) gives the
 * block's predictions, or a loss-weighted blend of all when `blend` is on. {@link explore} rounds
 * let the worst copy a better member's weights and Adam state and perturb its hyperparameters.
 * The tuner's policies act on all members at once: its learning rate and L2, divided by the base
 * ones (`base`), scale every member's. With `size: 1` it is exactly one model.
 *
 * @example
 * const population = new Population(settings, { learningRate: 0.001, l2: 0.001, batchSize: 1 }, 'binary', (id) => createEngine('dense', settingsFor(id)));
 * const block = population.learn(samples, controls.hyperParams);
 * const events = population.explore(...); // at intervals
 */
export class Population {
  readonly #settings: PopulationSettings;
  readonly #base: MemberParams;
  readonly #task: Engine['task'];
  readonly #members: Member[];
  readonly #alpha: number;
  #champion = 0;
  #records = 0;
  #lastRound = 0;
  #rounds = 0;
  #out = new Float32Array(0);

  constructor(settings: PopulationSettings, base: MemberParams, task: Engine['task'], createMember: (id: number) => Engine) {
    this.#settings = settings;
    this.#base = base;
    this.#task = task;
    this.#alpha = 1 - Math.pow(2, -1 / settings.halfLife);
    this.#members = initialMembers(settings, base).map((params, id) => {
      const engine = createMember(id);
      return { id, engine, learner: new BlockLearner(engine), params, loss: NaN, roundLoss: 0, roundCount: 0 };
    });
  }

  get size(): number {
    return this.#members.length;
  }

  /** The engine of the champion: the model the run reports, checkpoints and exports. */
  get champion(): Engine {
    return (this.#members[this.#champion] as Member).engine;
  }

  get championId(): number {
    return this.#champion;
  }

  /** The largest batch size any member may use (the pipeline's block is a multiple of it). */
  get maxBatchSize(): number {
    return this.size > 1 ? Math.max(this.#base.batchSize, ...this.#settings.batchSizes) : this.#base.batchSize;
  }

  /** Every member with its own hyperparameters (before the tuner's scale) and recent loss. */
  status(): MemberStatus[] {
    return this.#members.map((m) => ({ id: m.id, ...m.params, loss: m.loss }));
  }

  /** The champion's learning rate and L2 with the tuner's `scale` applied: what the run reports as in force. */
  championHyperParams(scale: HyperParams): HyperParams {
    return this.#effective((this.#members[this.#champion] as Member).params, scale);
  }

  /**
   * Every member learns the block (each at its own batch size, with the tuner's `scale` applied);
   * returns the champion's predictions (or the blend), in the model's units, and the champion's steps.
   */
  learn(samples: readonly ScaledSample[], scale: HyperParams): PopulationBlock {
    const n = samples.length;
    const champion = this.#members[this.#champion] as Member;
    const width = champion.engine.width;
    if (this.#out.length < n * width) this.#out = new Float32Array(n * width);
    const out = this.#out.subarray(0, n * width);
    const weights = this.#settings.blend ? this.#blendWeights() : undefined;
    if (weights) out.fill(0);
    let championBlock: LearnedBlock | undefined;
    for (const member of this.#members) {
      const hp = this.#effective(member.params, scale);
      member.engine.learningRate = hp.learningRate;
      member.engine.l2 = hp.l2;
      const block = member.learner.learn(samples, member.params.batchSize);
      if (weights) {
        const w = weights[member.id] as number;
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + w * (block.predictions[i] as number);
      } else if (member === champion) {
        out.set(block.predictions.subarray(0, n * width));
      }
      if (member === champion) championBlock = { ...block };
      this.#score(member, samples, block.predictions, width);
    }
    this.#records += n;
    const { lossSum, steps, skipped } = championBlock as LearnedBlock;
    const result = { predictions: out, lossSum, steps, skipped, hyperParams: this.#effective(champion.params, scale), champion: champion.id };
    this.#champion = this.#best();
    return result;
  }

  /**
   * An exploit/explore round when `interval` records have passed since the last one, or at once
   * (and with the perturbation squared) after a `drift` when `widenOnDrift`. Returns what changed.
   */
  explore(drift: boolean): Explored[] {
    const widen = drift && this.#settings.widenOnDrift;
    if (this.size < 2) return [];
    if (!widen && this.#records - this.#lastRound < this.#settings.interval) return [];
    this.#lastRound = this.#records;
    const ranked = this.#members
      .map((m) => ({ id: m.id, params: m.params, loss: m.roundCount > 0 ? m.roundLoss / m.roundCount : NaN }))
      .sort((a, b) => rank(a.loss) - rank(b.loss) || a.id - b.id);
    const changes = explore(ranked, this.#settings, this.#rounds++, widen);
    for (const change of changes) {
      const to = this.#members[change.member] as Member;
      const from = this.#members[change.from] as Member;
      to.engine.setWeights(from.engine.getWeights());
      to.engine.optimizerState = from.engine.optimizerState;
      to.params = change.params;
      to.loss = from.loss;
    }
    for (const m of this.#members) {
      m.roundLoss = 0;
      m.roundCount = 0;
    }
    return changes;
  }

  /** Every member's weights, one after the other (the tuner's divergence guard keeps and restores them). */
  getWeights(): WeightData[] {
    return this.#members.flatMap((m) => m.engine.getWeights());
  }

  setWeights(weights: readonly WeightData[]): void {
    const per = weights.length / this.size;
    this.#members.forEach((m, i) => m.engine.setWeights(weights.slice(i * per, (i + 1) * per)));
  }

  resetOptimizer(): void {
    for (const m of this.#members) m.engine.resetOptimizer();
  }

  snapshot(): PopulationSnapshot {
    return {
      members: this.#members.map((m) => ({ ...m.params, loss: Number.isFinite(m.loss) ? m.loss : null, engine: m.engine.snapshot() })),
      champion: this.#champion,
      records: this.#records,
      lastRound: this.#lastRound,
      rounds: this.#rounds,
    };
  }

  restore(snapshot: PopulationSnapshot): void {
    if (snapshot?.members?.length !== this.size) {
      throw new CheckpointError(
        `the checkpoint holds a population of ${snapshot?.members?.length ?? 'no'} members, this run has ${this.size}; set tuning.population.size to match or use another --checkpoint-dir`,
      );
    }
    snapshot.members.forEach((s, i) => {
      const m = this.#members[i] as Member;
      m.engine.restore(s.engine);
      m.params = { learningRate: s.learningRate, l2: s.l2, batchSize: s.batchSize };
      m.loss = s.loss ?? NaN;
    });
    this.#champion = snapshot.champion;
    this.#records = snapshot.records;
    this.#lastRound = snapshot.lastRound;
    this.#rounds = snapshot.rounds;
  }

  dispose(): void {
    for (const m of this.#members) m.engine.dispose();
  }

  /** The member's hyperparameters with the tuner's changes (relative to the base) applied. */
  #effective(params: MemberParams, scale: HyperParams): HyperParams {
    const base = this.#base;
    return {
      learningRate: params.learningRate * (scale.learningRate / base.learningRate),
      l2: base.l2 > 0 ? params.l2 * (scale.l2 / base.l2) : params.l2 + scale.l2,
    };
  }

  /** Updates the member's recent loss with its prequential loss on each record of the block. */
  #score(member: Member, samples: readonly ScaledSample[], predictions: Float32Array, width: number): void {
    let loss = member.loss;
    for (let i = 0; i < samples.length; i++) {
      const l = pointLoss(this.#task, (samples[i] as ScaledSample).target, predictions, i, width);
      if (!Number.isFinite(l)) continue;
      loss = Number.isNaN(loss) ? l : loss + this.#alpha * (l - loss);
      member.roundLoss += l;
      member.roundCount++;
    }
    member.loss = loss;
  }

  #best(): number {
    let best = this.#champion;
    for (const m of this.#members) if (rank(m.loss) < rank((this.#members[best] as Member).loss)) best = m.id;
    return best;
  }

  /** Blend weights: softmax of minus the recent losses relative to the best (equal while unscored). */
  #blendWeights(): number[] {
    const losses = this.#members.map((m) => m.loss);
    const min = Math.min(...losses.map(rank));
    const raw = losses.map((l) => (Number.isFinite(l) && Number.isFinite(min) ? Math.exp(-(l - min) / Math.max(min, 1e-9) * 10) : 1));
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w / total);
  }
}

/** A loss for ranking: NaN (never scored) ranks last. */
function rank(loss: number): number {
  return Number.isNaN(loss) ? Infinity : loss;
}
