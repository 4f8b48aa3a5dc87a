import type { Logger } from '../../telemetry/logger.js';

const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 10_000;

/**
 * The final offset commit of a source: `commit` is tried; with a `signal` (a stop the caller
 * listens for), a failure (the broker is down) is retried after 0.5 s, then twice as long each
 * time up to 10 s, until it succeeds or the signal aborts. Without a signal, or once aborted, the
 * failure is logged, not thrown: the group reads the uncommitted records again (duplicates, never
 * loss). An attempt still in flight when the signal aborts is abandoned. Resolves true when the
 * commit succeeded.
 *
 * @example
 * await commitUntilDone(() => source.flush(), { signal: stop.signal, log, describe: String });
 */
export async function commitUntilDone(
  commit: () => Promise<void>,
  options: { readonly signal?: AbortSignal | undefined; readonly log?: Pick<Logger, 'warn'> | undefined; readonly describe: (error: unknown) => string; readonly firstWaitMs?: number },
): Promise<boolean> {
  const { signal, log, describe } = options;
  for (let wait = options.firstWaitMs ?? FIRST_WAIT_MS; ; wait = Math.min(wait * 2, MAX_WAIT_MS)) {
    try {
      // A commit in flight when the broker dies can hang in the client's own retries: a stop ends the wait.
      if (!(await untilAborted(commit, signal))) {
        log?.warn({}, 'final Kafka offset commit abandoned at the stop signal; the group reads the uncommitted records again');
        return false;
      }
      return true;
    } catch (error) {
      if (!signal || signal.aborted) {
        log?.warn({ err: error }, `final Kafka offset commit failed: ${describe(error)}; the group reads the uncommitted records again`);
        return false;
      }
      log?.warn({ err: error, retryInMs: wait }, `final Kafka offset commit failed: ${describe(error)}; retrying in ${wait} ms until it succeeds or the run is stopped (SIGINT/SIGTERM)`);
      await abortableSleep(wait, signal);
    }
  }
}

/** Runs `start` unless `signal` has aborted: true when it resolves, false as soon as `signal` aborts first; rejects with its failure. */
function untilAborted(start: () => Promise<void>, signal: AbortSignal | undefined): Promise<boolean> {
  if (!signal) return start().then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  const work = start();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
