import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Newest modification time of the TypeScript sources the CLI is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The `--help` text of a CLI subcommand, from `dist/src/cli.js` when it is newer than every source
 * (as after the test run's build), else from a private build in `.tmp/` (unit runs without a build).
 *
 * @example
 * const help = cliHelp('train'); // 'Usage: streamtune train [options] ...'
 */
export function cliHelp(subcommand: string): string {
  const built = join(REPO, 'dist/src/cli.js');
  const sourcesAt = Math.max(newestSource(join(REPO, 'src')), newestSource(join(REPO, 'operators')));
  if (existsSync(built) && statSync(built).mtimeMs >= sourcesAt) return help(built, subcommand);
  const out = join(REPO, '.tmp', `cli-help-${process.pid}`);
  mkdirSync(out, { recursive: true });
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', out, '--declaration', 'false', '--sourceMap', 'false'], {
      cwd: REPO,
      stdio: 'pipe',
    });
    return help(join(out, 'src/cli.js'), subcommand);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function help(cli: string, subcommand: string): string {
  return execFileSync(process.execPath, [cli, subcommand, '--help'], { cwd: REPO, encoding: 'utf8' });
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
