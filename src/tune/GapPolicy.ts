import { z } from 'zod';
import { CheckpointError, ConfigError } from '../errors.js';
import type { HyperParams } from '../types.js';
import { parseOrThrow } from './parseOrThrow.js';
import type { TuningDecision } from './TuningDecision.js';
import { tuningEvent } from './TuningEvent.js';
import type { TuningSignals } from './TuningSignals.js';
import { withHyperParam } from './withHyperParam.js';

/** Settings of {@link GapPolicy}, with their defaults. Counts are evaluation steps (one per batch). */
export const gapSettingsSchema = z
  .strictObject({
    mode: z.enum(['abs', 'rel']).default('abs').describe('how the gap is measured: `abs` = holdout - train; `rel` = (holdout - train) / train'),
    gapThreshold: z.number().min(0).default(0.05).describe('overfitting: gap above this'),
    smallGap: z.number().default(0.01).describe('underfitting needs a gap below this (and both losses above `highLoss`); must be below `gapThreshold` when `highLoss` is set'),
    highLoss: z.number().positive().optional().describe('underfitting needs both losses above this; absent: underfitting is never detected'),
    patience: z.number().int().positive().default(100).describe('consecutive steps a condition must hold before L2 changes'),
    cooldown: z.number().int().min(0).default(200).describe('steps after a change during which nothing is counted'),
    factor: z.number().gt(1).default(2).describe('L2 is multiplied (overfit) or divided (underfit) by this'),
    minL2: z.number().min(0).default(1e-6).describe('L2 is never lowered below this'),
    maxL2: z.number().positive().default(0.1).describe('L2 is never raised above this'),
  })
  .refine((s) => s.highLoss === undefined || s.smallGap < s.gapThreshold, {
    path: ['smallGap'],
    message: 'must be below gapThreshold (the dead band between them prevents oscillation)',
  })
  .refine((s) => s.minL2 <= s.maxL2, { path: ['minL2'], message: 'must not exceed maxL2' });
export type GapSettings = z.output<typeof gapSettingsSchema>;
export type GapSettingsInput = z.input<typeof gapSettingsSchema>;

/** Learned state of {@link GapPolicy}, JSON-serializable. */
export interface GapState {
  /** Consecutive counted steps with the gap above `gapThreshold`. */
  readonly overfitSteps: number;
  /** Consecutive counted steps with both losses high and the gap below `smallGap`. */
  readonly underfitSteps: number;
  /** Steps of cooldown left. */
  readonly cooldownCounter: number;
  /** Changes made. */
  readonly changes: number;
}

const count = z.number().int().min(0);
const stateSchema = z.strictObject({ overfitSteps: count, underfitSteps: count, cooldownCounter: count, changes: count });

/**
 * Steers the L2 strength by the generalization gap between the windowed holdout and train losses.
 *
 * Overfitting (gap > `gapThreshold`) for `patience` consecutive steps raises L2 to
 * `min(maxL2, max(minL2, l2 * factor))`; underfitting (both losses > `highLoss` and gap <
 * `smallGap`) for `patience` steps lowers it to `max(minL2, l2 / factor)`. A step where the
 * condition fails (or a loss is not finite) restarts its count. After a change a `cooldown`
 * follows during which nothing is counted, so two changes are at least `cooldown + patience`
 * steps apart, and the dead band between `smallGap` and `gapThreshold` keeps one signal from
 * meeting both conditions: the policy cannot oscillate. At a bound nothing changes (no event, no
 * cooldown) and the count keeps growing.
 *
 * @example
 * const policy = new GapPolicy({ gapThreshold: 0.05, patience: 100 });
 * policy.decide({ ...signals, trainLoss: 0.30, holdoutLoss: 0.40 }, hp, now); // after 100 such steps: l2 doubled
 */
export class GapPolicy {
  readonly settings: GapSettings;
  #state: GapState = { overfitSteps: 0, underfitSteps: 0, cooldownCounter: 0, changes: 0 };

  constructor(settings: GapSettingsInput = {}) {
    this.settings = parseOrThrow(gapSettingsSchema, settings, (d) => new ConfigError(`GapPolicy settings: ${d}`));
  }

  /** The learned state. */
  get(): GapState {
    return this.#state;
  }

  /** Restarts both counts (the cooldown stays); the tuner calls it on drift, whose losses mix two concepts. */
  resetPatience(): void {
    this.#state = { ...this.#state, overfitSteps: 0, underfitSteps: 0 };
  }

  decide(signals: TuningSignals, hp: HyperParams, now: string): TuningDecision {
    const unchanged: TuningDecision = { hp, events: [], actions: [] };
    if (this.#state.cooldownCounter > 0) {
      this.#state = { ...this.#state, cooldownCounter: this.#state.cooldownCounter - 1, overfitSteps: 0, underfitSteps: 0 };
      return unchanged;
    }
    const { mode, gapThreshold, smallGap, highLoss, patience, cooldown, factor, minL2, maxL2 } = this.settings;
    const { trainLoss, holdoutLoss } = signals;
    const gap = mode === 'abs' ? holdoutLoss - trainLoss : trainLoss > 0 ? (holdoutLoss - trainLoss) / trainLoss : NaN;
    const finite = Number.isFinite(gap);
    const overfit = finite && gap > gapThreshold;
    const underfit = finite && highLoss !== undefined && trainLoss > highLoss && holdoutLoss > highLoss && gap < smallGap;
    const overfitSteps = overfit ? this.#state.overfitSteps + 1 : 0;
    const underfitSteps = underfit ? this.#state.underfitSteps + 1 : 0;
    this.#state = { ...this.#state, overfitSteps, underfitSteps };

    const old = hp.l2;
    const l2 =
      overfitSteps >= patience && old < maxL2
        ? Math.min(maxL2, Math.max(minL2, old * factor))
        : underfitSteps >= patience && old > minL2
          ? Math.max(minL2, old / factor)
          : old;
    if (l2 === old) return unchanged;
    const event = tuningEvent(signals, now, {
      reason: overfit ? 'overfit' : 'underfit',
      param: 'l2',
      old,
      new: l2,
      signals: { mode, gap, trainLoss, holdoutLoss, steps: overfit ? overfitSteps : underfitSteps },
    });
    this.#state = { overfitSteps: 0, underfitSteps: 0, cooldownCounter: cooldown, changes: this.#state.changes + 1 };
    return { hp: withHyperParam(hp, 'l2', l2), events: [event], actions: [] };
  }

  snapshot(): GapState {
    return { ...this.#state };
  }

  restore(snapshot: GapState): void {
    this.#state = parseOrThrow(stateSchema, snapshot, (d) => new CheckpointError(`GapPolicy.restore: corrupt snapshot: ${d}`));
  }
}
