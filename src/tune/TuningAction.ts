/**
 * Something the tuner asks its caller to do beside changing hyperparameters.
 * - `restore_weights`: put back the last good weights snapshot (after a divergence);
 * - `reset_moments`: zero the optimizer's first and second moments (after a drift);
 * - `speed_up_forgetting`: run the standardizer with `halfLife` (records) for the next `batches`
 *   batches, then go back to its configured forgetting (after a drift).
 *
 * @example
 * for (const action of decision.actions) {
 *   if (action.type === 'restore_weights') trainer.setWeights(lastGood);
 * }
 */
export type TuningAction =
  | { readonly type: 'restore_weights' }
  | { readonly type: 'reset_moments' }
  | { readonly type: 'speed_up_forgetting'; readonly halfLife: number; readonly batches: number };
