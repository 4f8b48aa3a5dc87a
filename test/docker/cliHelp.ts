import { execFileSync } from 'node:child_process';
import { builtCli, REPO } from '../support/builtCli.js';

/**
 * The `--help` text of a CLI subcommand, from `dist/src/cli.js` when it is newer than every source
 * (as after the test run's build), else from a private build in `.tmp/` (unit runs without a build).
 *
 * @example
 * const help = cliHelp('train'); // 'Usage: streamtune train [options] ...'
 */
export function cliHelp(subcommand: string): string {
  const cli = builtCli();
  try {
    return execFileSync(process.execPath, [cli.path, subcommand, '--help'], { cwd: REPO, encoding: 'utf8' });
  } finally {
    cli.dispose();
  }
}

/**
 * The long flags a `--help` text lists (`--source`, `--no-metrics`, `--help`, ...).
 *
 * @example
 * helpFlags(cliHelp('replay')).has('--brokers'); // true
 */
export function helpFlags(helpText: string): Set<string> {
  const flags = new Set<string>();
  for (const line of helpText.split('\n')) {
    const m = /^\s+(?:-\w,\s+)?(--[\w-]+)/.exec(line);
    if (m?.[1]) flags.add(m[1]);
  }
  return flags;
}
