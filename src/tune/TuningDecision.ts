import type { HyperParams } from '../types.js';
import type { TuningAction } from './TuningAction.js';
import type { TuningEvent } from './TuningEvent.js';

/**
 * What a policy (or the tuner) decided in one step: the hyperparameters for the next batch (the
 * very object passed in when nothing changed), the events explaining every change, and the
 * actions the caller must carry out.
 *
 * @example
 * const { hp, events, actions } = tuner.decide(signals, hyperParams$.value, new Date().toISOString());
 * if (hp !== hyperParams$.value) hyperParams$.next(hp);
 */
export interface TuningDecision {
  readonly hp: HyperParams;
  readonly events: readonly TuningEvent[];
  readonly actions: readonly TuningAction[];
}
