/** The actions of the control API, as `POST /control` and `streamtune ctl` name them. */
export const CONTROL_ACTIONS = ['pause-learning', 'resume-learning', 'set', 'rollback', 'reset-scaler', 'checkpoint-now'] as const;

/** One of {@link CONTROL_ACTIONS}. */
export type ControlActionName = (typeof CONTROL_ACTIONS)[number];

/**
 * One validated control request: what to do, with its arguments, and who asked (for the event).
 * `rollback` goes to the newest checkpoint taken at or before `beforeRecords` records or
 * `beforeTime` (ISO time); with neither, to the newest checkpoint.
 *
 * @example
 * const request: ControlRequest = { action: 'set', learningRate: 0.001, who: 'ana@ops' };
 */
export type ControlRequest = { readonly who: string } & (
  | { readonly action: 'pause-learning' | 'resume-learning' | 'reset-scaler' | 'checkpoint-now' }
  | { readonly action: 'set'; readonly learningRate?: number; readonly l2?: number }
  | { readonly action: 'rollback'; readonly beforeRecords?: number; readonly beforeTime?: string }
);
