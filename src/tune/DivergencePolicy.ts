import { z } from 'zod';
import { CheckpointError, ConfigError } from '../errors.js';
import type { HyperParams } from '../types.js';
import { parseOrThrow } from './parseOrThrow.js';
import type { TuningDecision } from './TuningDecision.js';
import { tuningEvent } from './TuningEvent.js';
import type { TuningSignals } from './TuningSignals.js';
import { withHyperParam } from './withHyperParam.js';

/** Settings of {@link DivergencePolicy}, with their defaults. */
export const divergenceSettingsSchema = z.strictObject({
  spikeFactor: z.number().gt(1).default(10).describe('a finite batch loss above `spikeFactor` times the EWMA of recent batch losses is a spike'),
  warmupBatches: z.number().int().min(0).default(20).describe('finite batch losses to average before spikes are looked for'),
  alpha: z.number().gt(0).max(1).default(0.1).describe('weight of the newest loss in the EWMA'),
  factor: z.number().gt(0).max(1).default(0.5).describe('the lr is multiplied by this on a divergence'),
  minLr: z.number().min(0).default(1e-6).describe('the lr is never cut below this'),
  cooldownBatches: z.number().int().min(0).default(20).describe('batches after a divergence during which further triggers are ignored (and counted)'),
});
export type DivergenceSettings = z.output<typeof divergenceSettingsSchema>;
export type DivergenceSettingsInput = z.input<typeof divergenceSettingsSchema>;

/** What set a divergence off. */
export type DivergenceTrigger = 'skipped_step' | 'non_finite' | 'spike';

/** Learned state of {@link DivergencePolicy}, JSON-serializable. */
export interface DivergenceState {
  /** EWMA of the finite, non-spike batch losses; null before the first. */
  readonly ewma: number | null;
  /** Losses folded into the EWMA. */
  readonly seen: number;
  /** Batches at the last divergence acted upon; null before the first. */
  readonly lastFired: number | null;
  /** Divergences acted upon. */
  readonly fired: number;
  /** Triggers ignored because they came during the cooldown. */
  readonly ignored: number;
}

const stateSchema = z.strictObject({
  ewma: z.number().nullable(),
  seen: z.number().int().min(0),
  lastFired: z.number().nullable(),
  fired: z.number().int().min(0),
  ignored: z.number().int().min(0),
});

/**
 * Catches a diverging model: a skipped step (`applied: false`, the trainer's NaN guard), an
 * infinite batch loss, or a loss spike (`batchLoss > spikeFactor * EWMA` once `warmupBatches`
 * finite losses are in the EWMA). It asks the caller to restore its last good weights and cuts
 * the lr to `max(minLr, lr * factor)`; triggers within `cooldownBatches` of the last divergence
 * are ignored and counted. A NaN loss with `applied: true` is a batch without train rows, as in
 * `ScoredBatch`, and is not a divergence. Spikes and bad steps are kept out of the EWMA.
 *
 * @example
 * const policy = new DivergencePolicy();
 * policy.decide({ ...signals, batchLoss: NaN, applied: false }, { learningRate: 1e-3, l2: 0 }, now);
 * // hp: { learningRate: 5e-4, l2: 0 }, actions: [{ type: 'restore_weights' }]
 */
export class DivergencePolicy {
  readonly settings: DivergenceSettings;
  #state: DivergenceState = { ewma: null, seen: 0, lastFired: null, fired: 0, ignored: 0 };

  constructor(settings: DivergenceSettingsInput = {}) {
    this.settings = parseOrThrow(divergenceSettingsSchema, settings, (d) => new ConfigError(`DivergencePolicy settings: ${d}`));
  }

  /** The learned state. */
  get(): DivergenceState {
    return this.#state;
  }

  decide(signals: TuningSignals, hp: HyperParams, now: string): TuningDecision {
    const { spikeFactor, warmupBatches, alpha, factor, minLr, cooldownBatches } = this.settings;
    const { batchLoss: loss, batches } = signals;
    const { ewma, seen, lastFired } = this.#state;
    const trigger: DivergenceTrigger | null = !signals.applied
      ? 'skipped_step'
      : loss === Infinity || loss === -Infinity
        ? 'non_finite'
        : ewma !== null && seen >= warmupBatches && loss > spikeFactor * ewma
          ? 'spike'
          : null;
    if (trigger === null) {
      if (Number.isFinite(loss)) {
        this.#state = { ...this.#state, ewma: ewma === null ? loss : ewma + alpha * (loss - ewma), seen: seen + 1 };
      }
      return { hp, events: [], actions: [] };
    }
    if (lastFired !== null && batches - lastFired < cooldownBatches) {
      this.#state = { ...this.#state, ignored: this.#state.ignored + 1 };
      return { hp, events: [], actions: [] };
    }
    this.#state = { ...this.#state, lastFired: batches, fired: this.#state.fired + 1 };
    const cause = { trigger, batchLoss: Number.isFinite(loss) ? loss : String(loss), ewma: ewma ?? 'none', applied: String(signals.applied) };
    const events = [
      tuningEvent(signals, now, { reason: 'divergence', param: 'weights', old: null, new: null, signals: cause, action: 'restore_weights' }),
    ];
    const old = hp.learningRate;
    const lr = old > minLr ? Math.max(minLr, old * factor) : old;
    if (lr !== old) {
      events.push(tuningEvent(signals, now, { reason: 'divergence', param: 'learningRate', old, new: lr, signals: cause }));
    }
    return { hp: withHyperParam(hp, 'learningRate', lr), events, actions: [{ type: 'restore_weights' }] };
  }

  snapshot(): DivergenceState {
    return { ...this.#state };
  }

  restore(snapshot: DivergenceState): void {
    this.#state = parseOrThrow(stateSchema, snapshot, (d) => new CheckpointError(`DivergencePolicy.restore: corrupt snapshot: ${d}`));
  }
}
