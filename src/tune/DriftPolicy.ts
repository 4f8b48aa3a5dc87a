import { z } from 'zod';
import { CheckpointError, ConfigError } from '../errors.js';
import type { HyperParams } from '../types.js';
import { parseOrThrow } from './parseOrThrow.js';
import type { TuningAction } from './TuningAction.js';
import type { TuningDecision } from './TuningDecision.js';
import { tuningEvent, type TuningEvent } from './TuningEvent.js';
import type { TuningSignals } from './TuningSignals.js';
import { withHyperParam } from './withHyperParam.js';

/** Settings of {@link DriftPolicy}, with their defaults. */
export const driftSettingsSchema = z.strictObject({
  factor: z.number().min(1).default(3).describe('the learning rate after a drift: `base * factor` (bounded by `maxLr`), base = the lr before the boost'),
  maxLr: z.number().positive().default(0.01).describe('upper bound of the boosted learning rate'),
  decayBatches: z.number().int().positive().default(200).describe('batches over which the boost decays geometrically back to the base'),
  cooldownBatches: z.number().int().min(0).default(50).describe('batches after an accepted drift during which further drifts are ignored (and counted)'),
  resetMoments: z.boolean().default(false).describe("ask the caller to zero the optimizer's moments on each accepted drift"),
  forgetting: z
    .strictObject({
      halfLife: z.number().positive().describe("the standardizer's half-life (records) while forgetting faster"),
      batches: z.number().int().positive().describe('batches the faster forgetting lasts'),
    })
    .optional()
    .describe('ask the caller to run the standardizer with this half-life (records) for this many batches'),
});
export type DriftSettings = z.output<typeof driftSettingsSchema>;
export type DriftSettingsInput = z.input<typeof driftSettingsSchema>;

/** Learned state of {@link DriftPolicy}, JSON-serializable. */
export interface DriftState {
  /** The boost in progress: its base and peak lr, the batch it started at and the lr last set; null when none. */
  readonly episode: { readonly base: number; readonly peak: number; readonly start: number; readonly last: number } | null;
  /** Batches at the last accepted drift (the cooldown's origin); null before the first. */
  readonly lastDrift: number | null;
  /** Drifts acted upon. */
  readonly accepted: number;
  /** Drifts ignored because they came during the cooldown. */
  readonly ignored: number;
}

const stateSchema = z.strictObject({
  episode: z
    .strictObject({ base: z.number().min(0), peak: z.number().min(0), start: z.number(), last: z.number().min(0) })
    .nullable(),
  lastDrift: z.number().nullable(),
  accepted: z.number().int().min(0),
  ignored: z.number().int().min(0),
});

const initial: DriftState = { episode: null, lastDrift: null, accepted: 0, ignored: 0 };

/**
 * Raises the learning rate when a drift detector fires, then decays it back to where it was.
 *
 * On an accepted drift the lr becomes `peak = max(base, min(base * factor, maxLr))`, where `base`
 * is the lr before the boost; a drift during a boost restarts it from the same base, so boosts
 * never compound. `e` batches later the lr is `base * (peak / base) ** (1 - e / decayBatches)`,
 * changing every batch, and exactly `base` after `decayBatches` batches, when the single
 * `drift_decay` event is emitted. Drifts within `cooldownBatches` of the last accepted one are
 * ignored and counted. If the lr is changed from outside during a boost (a divergence cut), the
 * whole schedule is rescaled by the same ratio, so the decay continues from the new level
 * instead of undoing the change. Batches are read from `signals.batches`.
 *
 * @example
 * const policy = new DriftPolicy({ factor: 3, decayBatches: 200 });
 * policy.decide({ ...signals, drift: { detector: 'adwin', signal: 'drift' } }, { learningRate: 1e-3, l2: 0 }, now).hp;
 * // { learningRate: 0.003, l2: 0 }
 */
export class DriftPolicy {
  readonly settings: DriftSettings;
  #state: DriftState = initial;

  constructor(settings: DriftSettingsInput = {}) {
    this.settings = parseOrThrow(driftSettingsSchema, settings, (d) => new ConfigError(`DriftPolicy settings: ${d}`));
  }

  /** True while a boost is decaying (the drift owns the learning rate). */
  get active(): boolean {
    return this.#state.episode !== null;
  }

  /** The learned state (counts of accepted and ignored drifts, the boost in progress). */
  get(): DriftState {
    return this.#state;
  }

  decide(signals: TuningSignals, hp: HyperParams, now: string): TuningDecision {
    const { batches } = signals;
    const { factor, maxLr, decayBatches, cooldownBatches } = this.settings;
    let episode = this.#state.episode;
    if (episode !== null && hp.learningRate !== episode.last && episode.last > 0) {
      const ratio = hp.learningRate / episode.last;
      episode = { ...episode, base: episode.base * ratio, peak: episode.peak * ratio, last: hp.learningRate };
    }
    const { drift } = signals;
    if (drift !== null) {
      const { lastDrift } = this.#state;
      if (lastDrift === null || batches - lastDrift >= cooldownBatches) {
        const base = episode?.base ?? hp.learningRate;
        const peak = Math.max(base, Math.min(base * factor, maxLr));
        this.#state = {
          ...this.#state,
          episode: { base, peak, start: batches, last: peak },
          lastDrift: batches,
          accepted: this.#state.accepted + 1,
        };
        return this.#boost(signals, drift, hp, base, peak, now);
      }
      this.#state = { ...this.#state, ignored: this.#state.ignored + 1 };
    }
    if (episode === null) return { hp, events: [], actions: [] };
    const elapsed = Math.max(0, batches - episode.start);
    if (elapsed >= decayBatches) {
      this.#state = { ...this.#state, episode: null };
      const event = tuningEvent(signals, now, {
        reason: 'drift_decay',
        param: 'learningRate',
        old: hp.learningRate,
        new: episode.base,
        signals: { decayBatches, peak: episode.peak },
      });
      return { hp: withHyperParam(hp, 'learningRate', episode.base), events: [event], actions: [] };
    }
    const lr =
      episode.peak === episode.base ? episode.base : episode.base * (episode.peak / episode.base) ** (1 - elapsed / decayBatches);
    this.#state = { ...this.#state, episode: { ...episode, last: lr } };
    return { hp: withHyperParam(hp, 'learningRate', lr), events: [], actions: [] };
  }

  snapshot(): DriftState {
    return structuredClone(this.#state);
  }

  restore(snapshot: DriftState): void {
    this.#state = parseOrThrow(stateSchema, snapshot, (d) => new CheckpointError(`DriftPolicy.restore: corrupt snapshot: ${d}`));
  }

  #boost(
    signals: TuningSignals,
    drift: NonNullable<TuningSignals['drift']>,
    hp: HyperParams,
    base: number,
    peak: number,
    now: string,
  ): TuningDecision {
    const cause = { detector: drift.detector, signal: drift.signal };
    const events: TuningEvent[] = [
      tuningEvent(signals, now, {
        reason: 'drift',
        param: 'learningRate',
        old: hp.learningRate,
        new: peak,
        signals: { ...cause, base, factor: this.settings.factor },
      }),
    ];
    const actions: TuningAction[] = [];
    if (this.settings.resetMoments) {
      actions.push({ type: 'reset_moments' });
      events.push(
        tuningEvent(signals, now, { reason: 'drift', param: 'optimizer', old: null, new: null, signals: cause, action: 'reset_moments' }),
      );
    }
    const { forgetting } = this.settings;
    if (forgetting !== undefined) {
      actions.push({ type: 'speed_up_forgetting', ...forgetting });
      events.push(
        tuningEvent(signals, now, {
          reason: 'drift',
          param: 'standardizer',
          old: null,
          new: forgetting.halfLife,
          signals: { ...cause, batches: forgetting.batches },
          action: 'speed_up_forgetting',
        }),
      );
    }
    return { hp: withHyperParam(hp, 'learningRate', peak), events, actions };
  }
}

