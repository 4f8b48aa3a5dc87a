import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configKeys } from '../../src/commands/configKeys.js';
import { TRAIN_FLAGS } from '../../src/commands/trainFlags.js';
import { configSchema } from '../../src/config.js';
import { builtCli, runCli } from '../support/builtCli.js';

/** Each option of a `--help` text with its description, wrapped lines joined. */
function optionsOf(help: string): Map<string, string> {
  const options = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split('\n')) {
    const start = /^ {2}(?:-\w, )?(--[\w-]+)(?: <[^>]+>)?\s+(.*)$/.exec(line);
    if (start?.[1]) {
      current = start[1];
      options.set(current, start[2] ?? '');
    } else if (current && /^ {4,}\S/.test(line)) {
      options.set(current, `${options.get(current)} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  return options;
}

describe('the CLI help and docs/cli.md', () => {
  let cli: ReturnType<typeof builtCli>;
  beforeAll(() => {
    cli = builtCli();
  }, 180_000);
  afterAll(() => cli.dispose());

  it('train --help prints the schema default, description and choices of every flag that maps to a key', () => {
    const help = optionsOf(runCli(cli, ['train', '--help']).stdout);
    const keys = new Map(configKeys(configSchema).map((k) => [k.path, k]));
    let checked = 0;
    for (const f of TRAIN_FLAGS) {
      const name = f.flag.replace(/ .*/, '');
      const printed = help.get(name);
      expect(printed, `${name} is missing from train --help`).toBeDefined();
      for (const path of f.keys) {
        const key = keys.get(path);
        if (key?.presence === 'default') {
          checked++;
          const shown = f.keys.length === 1 ? `(default: ${JSON.stringify(key.defaultValue)})` : JSON.stringify(key.defaultValue);
          expect(printed, `${name}: the schema default of ${path}`).toContain(shown);
        }
        if (f.keys.length === 1 && key?.description) expect(printed).toContain(key.description.split(' ').slice(0, 3).join(' '));
        if (key?.choices) expect(printed).toContain(`(choices: ${key.choices.map((c) => JSON.stringify(c)).join(', ')})`);
      }
    }
    expect(checked).toBeGreaterThan(12);
  });

  it('docs/cli.md, docs/config.md and docs/metrics.md are what `streamtune docs` writes (run `npm run docs` when this fails)', () => {
    const r = runCli(cli, ['docs', '--check', '--dir', 'docs']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('docs writes the pages; docs --check then names the one changed by hand and says how to regenerate it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamtune-docs-'));
    try {
      expect(runCli(cli, ['docs', '--dir', dir]).status).toBe(0);
      expect(runCli(cli, ['docs', '--check', '--dir', dir]).status).toBe(0);
      writeFileSync(join(dir, 'cli.md'), readFileSync(join(dir, 'cli.md'), 'utf8').replace('--batch-size', '--batch-sise'));
      const r = runCli(cli, ['docs', '--check', '--dir', dir]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`streamtune: ${join(dir, 'cli.md')} is stale; run \`npm run docs\`\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
