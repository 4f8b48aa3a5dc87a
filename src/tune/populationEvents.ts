import type { Explored } from './explore.js';
import { tuningEvent, type TuningEvent } from './TuningEvent.js';

/**
 * The tuning events (reason `population`) of one member replaced in an exploit/explore round: its
 * weights copied from a better member, and each hyperparameter that changed.
 *
 * @example
 * populationEvents({ member: 3, from: 0, old, params, loss: 0.61, fromLoss: 0.42 }, { records: 4000, batches: 125 }, now);
 * // [{ reason: 'population', param: 'weights', signals: { member: 3, from: 0, ... } }, { param: 'learningRate', old: 0.012, new: 0.0015, ... }]
 */
export function populationEvents(change: Explored, at: { readonly total: number; readonly batches: number }, time: string): TuningEvent[] {
  const signals = { member: change.member, from: change.from, loss: change.loss, fromLoss: change.fromLoss };
  const stamp = { records: at.total, batches: at.batches };
  const events = [tuningEvent(stamp, time, { reason: 'population', param: 'weights', old: null, new: null, signals })];
  for (const param of ['learningRate', 'l2', 'batchSize'] as const) {
    const [old, now] = [change.old[param], change.params[param]];
    if (old !== now) events.push(tuningEvent(stamp, time, { reason: 'population', param, old, new: now, signals }));
  }
  return events;
}
