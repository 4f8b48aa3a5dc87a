import type { Logger } from '../telemetry/logger.js';

/** Where the stop signals come from (the process, or a test's emitter). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Turns SIGINT/SIGTERM into a graceful stop: the first aborts `abort` (the pipeline finishes the
 * in-flight batch, checkpoints and commits), a second one calls `onForce` (the CLI exits there;
 * library code never calls process.exit). Returns the function that stops listening.
 *
 * @example
 * const stopListening = listenForStop({ abort, log, onForce: () => process.exit(130) });
 * try { await run(abort.signal); } finally { stopListening(); }
 */
export function listenForStop(options: {
  readonly abort: AbortController;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  readonly onForce: () => void;
  readonly signals?: SignalSource;
  /** What the first signal stops: the run (finish the in-flight batch), or the closing (stop retrying the final commit). */
  readonly during?: 'run' | 'closing';
}): () => void {
  const { abort, log, onForce, signals = process, during = 'run' } = options;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now');
      onForce();
      return;
    }
    log.info({ signal }, during === 'run' ? 'stopping: finishing the in-flight batch' : 'stopping: no more retries of the final commit');
    abort.abort();
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  return () => {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  };
}
