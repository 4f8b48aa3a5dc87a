import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { renderCliDocs } from './docs/renderCliDocs.js';
import { renderConfigDocs } from './docs/renderConfigDocs.js';
import { renderMetricsDocs } from './docs/renderMetricsDocs.js';

/**
 * `streamtune docs [--dir docs] [--check]` (hidden; `npm run docs`): writes docs/config.md,
 * docs/metrics.md and docs/cli.md from the config schema, the metrics registry and the CLI's own
 * help; with `--check`, writes nothing and exits 1 naming the files that differ. Returns the exit code.
 *
 * @example
 * process.exitCode = await docsCommand(program, { dir: 'docs' }, { stdout: process.stdout, stderr: process.stderr });
 */
export async function docsCommand(
  program: Command,
  opts: { readonly dir: string; readonly check?: boolean },
  io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream },
): Promise<number> {
  const pages: ReadonlyArray<readonly [string, string]> = [
    ['config.md', renderConfigDocs()],
    ['metrics.md', await renderMetricsDocs()],
    ['cli.md', renderCliDocs(program)],
  ];
  if (opts.check) {
    const stale: string[] = [];
    for (const [name, text] of pages) {
      const current = await readFile(join(opts.dir, name), 'utf8').catch(() => undefined);
      if (current !== text) stale.push(join(opts.dir, name));
    }
    if (stale.length === 0) return 0;
    io.stderr.write(`streamtune: ${stale.join(', ')} ${stale.length > 1 ? 'are' : 'is'} stale; run \`npm run docs\`\n`);
    return 1;
  }
  await mkdir(opts.dir, { recursive: true });
  for (const [name, text] of pages) {
    await writeFile(join(opts.dir, name), text);
    io.stdout.write(`wrote ${join(opts.dir, name)}\n`);
  }
  return 0;
}
