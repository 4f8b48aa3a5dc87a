import { z } from 'zod';
import { CheckpointError, ConfigError } from '../errors.js';
import type { HyperParams } from '../types.js';
import { parseOrThrow } from './parseOrThrow.js';
import type { TuningDecision } from './TuningDecision.js';
import { tuningEvent } from './TuningEvent.js';
import type { TuningSignals } from './TuningSignals.js';
import { withHyperParam } from './withHyperParam.js';

/** Settings of {@link PlateauPolicy}, with their defaults. Counts are evaluation steps (one per batch). */
export const plateauSettingsSchema = z.strictObject({
  factor: z.number().gt(0).lt(1).default(0.5).describe('the lr is multiplied by this on a plateau'),
  patience: z.number().int().min(0).default(50).describe('steps without improvement before a reduction (Keras `patience`, in batches instead of epochs)'),
  cooldown: z.number().int().min(0).default(20).describe('steps after a reduction during which no wait is counted (Keras `cooldown`)'),
  minLr: z.number().min(0).default(1e-5).describe('the lr is never reduced below this (Keras `min_lr`)'),
  threshold: z.number().min(0).lt(1).default(1e-4).describe('relative improvement needed: a new best iff `loss < best * (1 - threshold) - minDelta`'),
  minDelta: z.number().min(0).default(0).describe('absolute improvement needed (Keras `min_delta`)'),
  monitor: z.enum(['auto', 'holdout', 'train']).default('auto').describe('the loss watched: the windowed holdout loss, the windowed train loss, or `auto` (holdout once it exists, train until then)'),
});
export type PlateauSettings = z.output<typeof plateauSettingsSchema>;
export type PlateauSettingsInput = z.input<typeof plateauSettingsSchema>;

/** Learned state of {@link PlateauPolicy}, JSON-serializable. */
export interface PlateauState {
  /** Best loss since the last reset; null for "none yet" (Keras's +inf). */
  readonly best: number | null;
  /** Steps without improvement, outside cooldown (Keras `wait`). */
  readonly wait: number;
  /** Steps of cooldown left (Keras `cooldown_counter`). */
  readonly cooldownCounter: number;
  /** The loss being watched; null before the first finite one. */
  readonly monitoring: 'holdout' | 'train' | null;
  /** Reductions made. */
  readonly reductions: number;
}

const stateSchema = z.strictObject({
  best: z.number().nullable(),
  wait: z.number().int().min(0),
  cooldownCounter: z.number().int().min(0),
  monitoring: z.enum(['holdout', 'train']).nullable(),
  reductions: z.number().int().min(0),
});

/**
 * Keras `ReduceLROnPlateau` on the windowed loss, with one evaluation step (batch) for an epoch.
 *
 * Each step, as in Keras's `on_epoch_end`: during cooldown the counter goes down by one and
 * `wait` is zeroed; then a new best (`loss < best * (1 - threshold) - minDelta`) becomes the best
 * and zeroes `wait`; otherwise, outside cooldown, `wait` goes up and on reaching `patience` the lr
 * becomes `max(lr * factor, minLr)` (only if `lr > minLr`; at the floor `wait` keeps growing),
 * the cooldown starts and `wait` is zeroed. The best is never reset by a reduction; only by
 * {@link reset} (Keras's `_reset`, which also clears the counters) and by a change of the watched
 * loss (`auto` switching from train to holdout). Non-finite losses are skipped.
 *
 * @example
 * const policy = new PlateauPolicy({ patience: 50, cooldown: 20 });
 * const { hp, events } = policy.decide(signals, hp0, new Date().toISOString());
 */
export class PlateauPolicy {
  readonly settings: PlateauSettings;
  #state: PlateauState = { best: null, wait: 0, cooldownCounter: 0, monitoring: null, reductions: 0 };

  constructor(settings: PlateauSettingsInput = {}) {
    this.settings = parseOrThrow(plateauSettingsSchema, settings, (d) => new ConfigError(`PlateauPolicy settings: ${d}`));
  }

  /** The learned state. */
  get(): PlateauState {
    return this.#state;
  }

  /** Forgets the best and clears `wait` and the cooldown, as Keras's `_reset` (the tuner calls it on drift). */
  reset(): void {
    this.#state = { ...this.#state, best: null, wait: 0, cooldownCounter: 0 };
  }

  decide(signals: TuningSignals, hp: HyperParams, now: string): TuningDecision {
    const unchanged: TuningDecision = { hp, events: [], actions: [] };
    const monitor = this.#monitor(signals);
    if (monitor === null) return unchanged;
    if (monitor !== this.#state.monitoring) this.#state = { ...this.#state, monitoring: monitor, best: null, wait: 0 };
    const loss = monitor === 'holdout' ? signals.holdoutLoss : signals.trainLoss;
    if (!Number.isFinite(loss)) return unchanged;

    const { factor, patience, cooldown, minLr, threshold, minDelta } = this.settings;
    let { best, wait, cooldownCounter } = this.#state;
    if (cooldownCounter > 0) {
      cooldownCounter -= 1;
      wait = 0;
    }
    let decision = unchanged;
    if (best === null || loss < best * (1 - threshold) - minDelta) {
      best = loss;
      wait = 0;
    } else if (cooldownCounter === 0) {
      wait += 1;
      const old = hp.learningRate;
      if (wait >= patience && old > minLr) {
        const lr = Math.max(old * factor, minLr);
        const event = tuningEvent(signals, now, {
          reason: 'plateau',
          param: 'learningRate',
          old,
          new: lr,
          signals: { monitor, loss, best, wait, patience },
        });
        decision = { hp: withHyperParam(hp, 'learningRate', lr), events: [event], actions: [] };
        cooldownCounter = cooldown;
        wait = 0;
      }
    }
    const reductions = this.#state.reductions + decision.events.length;
    this.#state = { ...this.#state, best, wait, cooldownCounter, reductions };
    return decision;
  }

  snapshot(): PlateauState {
    return { ...this.#state };
  }

  restore(snapshot: PlateauState): void {
    this.#state = parseOrThrow(stateSchema, snapshot, (d) => new CheckpointError(`PlateauPolicy.restore: corrupt snapshot: ${d}`));
  }

  /** The loss to watch this step; null when there is none yet. */
  #monitor(signals: TuningSignals): 'holdout' | 'train' | null {
    const { monitor } = this.settings;
    if (monitor !== 'auto') return monitor;
    if (Number.isFinite(signals.holdoutLoss) || this.#state.monitoring === 'holdout') return 'holdout';
    return Number.isFinite(signals.trainLoss) ? 'train' : this.#state.monitoring;
  }
}
