import { CheckpointError, ConfigError } from '../errors.js';
import type { HyperParams } from '../types.js';
import { DivergencePolicy, type DivergenceState } from './DivergencePolicy.js';
import { DriftPolicy, type DriftState } from './DriftPolicy.js';
import { GapPolicy, type GapState } from './GapPolicy.js';
import { parseOrThrow } from './parseOrThrow.js';
import { PlateauPolicy, type PlateauState } from './PlateauPolicy.js';
import type { TuningAction } from './TuningAction.js';
import type { TuningDecision } from './TuningDecision.js';
import type { TuningEvent } from './TuningEvent.js';
import type { TuningSignals } from './TuningSignals.js';
import { tuningSchema, type TunerSettings, type TunerSettingsInput } from './tuningSchema.js';

/** Learned state of a {@link Tuner}: each enabled policy's state, null for disabled ones. */
export interface TunerSnapshot {
  readonly divergence: DivergenceState | null;
  readonly drift: DriftState | null;
  readonly plateau: PlateauState | null;
  readonly gap: GapState | null;
}

interface Policies {
  divergence?: DivergencePolicy;
  drift?: DriftPolicy;
  plateau?: PlateauPolicy;
  gap?: GapPolicy;
}

/**
 * Composes the enabled policies, in priority divergence > drift > plateau > gap, so that no two
 * change the same hyperparameter in one step:
 * - a step where divergence fires is the divergence's alone (restore weights, cut the lr): the
 *   other policies skip it, since its losses come from a broken step (a drift flagged in it is dropped);
 * - while a drift boost is open (from the step that opens it to the step that closes it) the
 *   drift owns the lr: plateau is not consulted and is kept reset (Keras `_reset`), so after the
 *   boost it starts afresh on the new concept; an accepted drift also restarts gap's patience;
 * - a divergence cut during a boost rescales the boost's schedule (see {@link DriftPolicy});
 * - L2 belongs to gap alone.
 * Global bounds (`minLr`, `maxLr`, `minL2`, `maxL2`) tighten each policy's own bounds. With
 * `enabled: false` it returns `hp` unchanged, no events, and its state does not move.
 *
 * @example
 * const tuner = new Tuner({ plateau: { patience: 100 }, gap: false });
 * const { hp, events, actions } = tuner.decide(signals, hyperParams$.value, new Date().toISOString());
 * if (actions.some((a) => a.type === 'restore_weights')) trainer.setWeights(lastGood);
 * hyperParams$.next(hp);
 */
export class Tuner {
  readonly settings: TunerSettings;
  #policies: Policies;

  constructor(settings: TunerSettingsInput = {}) {
    this.settings = parseOrThrow(tuningSchema, settings, (d) => new ConfigError(`Tuner settings: ${d}`));
    this.#policies = this.#build();
  }

  /** Each policy's learned state (null when disabled): counts of ignored drifts, divergences, changes. */
  get(): TunerSnapshot {
    const { divergence, drift, plateau, gap } = this.#policies;
    return {
      divergence: divergence?.get() ?? null,
      drift: drift?.get() ?? null,
      plateau: plateau?.get() ?? null,
      gap: gap?.get() ?? null,
    };
  }

  decide(signals: TuningSignals, hp: HyperParams, now: string): TuningDecision {
    if (!this.settings.enabled) return { hp, events: [], actions: [] };
    const { divergence, drift, plateau, gap } = this.#policies;
    if (divergence !== undefined) {
      const decision = divergence.decide(signals, hp, now);
      if (decision.actions.length > 0) return decision;
    }
    let current = hp;
    const events: TuningEvent[] = [];
    const actions: TuningAction[] = [];
    const take = (decision: TuningDecision): void => {
      current = decision.hp;
      events.push(...decision.events);
      actions.push(...decision.actions);
    };
    let driftOwnsLr = false;
    if (drift !== undefined) {
      const wasActive = drift.active;
      const accepted = drift.get().accepted;
      take(drift.decide(signals, current, now));
      if (drift.get().accepted > accepted) gap?.resetPatience();
      driftOwnsLr = wasActive || drift.active;
    }
    if (plateau !== undefined) {
      if (driftOwnsLr) plateau.reset();
      else take(plateau.decide(signals, current, now));
    }
    if (gap !== undefined) take(gap.decide(signals, current, now));
    return { hp: current, events, actions };
  }

  snapshot(): TunerSnapshot {
    return structuredClone(this.get());
  }

  /** Restores a snapshot of a tuner with the same policies enabled; on a corrupt one it throws and changes nothing. */
  restore(snapshot: TunerSnapshot): void {
    const fresh = this.#build();
    for (const name of ['divergence', 'drift', 'plateau', 'gap'] as const) {
      const policy = fresh[name];
      if (policy === undefined) continue;
      const state = (snapshot as Partial<TunerSnapshot> | null | undefined)?.[name];
      if (state === undefined || state === null) {
        throw new CheckpointError(`Tuner.restore: no state for the "${name}" policy; the checkpoint was taken with it disabled`);
      }
      (policy as { restore(s: unknown): void }).restore(state);
    }
    this.#policies = fresh;
  }

  /** The enabled policies, their bounds tightened by the global ones. */
  #build(): Policies {
    const { divergence, drift, plateau, gap, minLr = 0, maxLr = Infinity, minL2 = 0, maxL2 = Infinity } = this.settings;
    return {
      divergence: divergence === false ? undefined : new DivergencePolicy({ ...divergence, minLr: Math.max(divergence.minLr, minLr) }),
      drift: drift === false ? undefined : new DriftPolicy({ ...drift, maxLr: Math.min(drift.maxLr, maxLr) }),
      plateau: plateau === false ? undefined : new PlateauPolicy({ ...plateau, minLr: Math.max(plateau.minLr, minLr) }),
      gap:
        gap === false
          ? undefined
          : new GapPolicy({ ...gap, minL2: Math.max(gap.minL2, minL2), maxL2: Math.min(gap.maxL2, maxL2) }),
    };
  }
}
