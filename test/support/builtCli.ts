import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

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
 * The compiled CLI to run in a test: `dist/src/cli.js` when it is newer than every source, else
 * one private build in `.tmp/` (removed by `dispose`). Type errors elsewhere in the tree do not
 * stop the build: tsc still emits, and the CLI is what is tested.
 *
 * @example
 * const cli = builtCli(); afterAll(cli.dispose);
 * runCli(cli, ['train', '--help']).stdout;
 */
export function builtCli(): { readonly path: string; readonly dispose: () => void } {
  const built = join(REPO, 'dist/src/cli.js');
  const sourcesAt = Math.max(newestSource(join(REPO, 'src')), newestSource(join(REPO, 'operators')));
  if (existsSync(built) && statSync(built).mtimeMs >= sourcesAt) return { path: built, dispose: () => {} };
  const out = join(REPO, '.tmp', `built-cli-${process.pid}-${Date.now()}`);
  mkdirSync(out, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', out, '--declaration', 'false', '--sourceMap', 'false'], {
      cwd: REPO,
      stdio: 'pipe',
    });
  } catch (error) {
    if (!existsSync(join(out, 'src/cli.js'))) throw error;
  }
  return { path: join(out, 'src/cli.js'), dispose: () => rmSync(out, { recursive: true, force: true }) };
}

/**
 * Runs the compiled CLI with `args` in the repository, with a plain environment (no `STREAMTUNE_*`).
 *
 * @example
 * runCli(cli, ['docs', '--check']).status; // 0
 */
export function runCli(cli: { readonly path: string }, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STREAMTUNE_')));
  const r = spawnSync(process.execPath, [cli.path, ...args], { cwd: REPO, encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
