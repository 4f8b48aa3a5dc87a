import type { CliRun } from './runCli.js';

/** What a finished CLI run gave: exit code or signal, and everything it printed. */
export type CliResult = Awaited<CliRun['done']>;

/**
 * Waits for a CLI run to exit; after `ms` it is killed (SIGKILL) and the promise rejects with the
 * end of its stderr, so a hung process fails the test instead of outliving it.
 *
 * @example
 * const { code, stdout } = await exitWithin(runCli(['train', '--source', 'kafka://127.0.0.1:9092/t', '--stop-at-end']), 60_000);
 */
export async function exitWithin(run: CliRun, ms: number): Promise<CliResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit within ${ms} ms; stderr ends with:\n${run.stderrSoFar().slice(-3000)}`));
    }, ms);
  });
  try {
    return await Promise.race([run.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
