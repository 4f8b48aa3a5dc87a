import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.js';
import { dotted, mutatedConfig } from '../fuzz/validConfig.js';

/**
 * `streamtune train --config FILE` with bad files, as a user runs it: exit code 2 and ONE line on
 * stderr that names the offending field (nothing else: no logs, no stack, no banner).
 */

const dir = mkdtempSync(join(tmpdir(), 'streamtune-config-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let serial = 0;
function file(ext: 'yaml' | 'json', text: string): string {
  const path = join(dir, `c${++serial}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function train(config: string): Promise<{ code: number | null; lines: string[] }> {
  const { code, stdout, stderr } = await runCli(['train', '--config', config, '--metrics-port', '0', '--progress', 'off']).done;
  expect(stdout).toBe('');
  return { code, lines: stderr.split('\n').filter((line) => line !== '') };
}

describe('streamtune train --config with a bad file', () => {
  const cases: Array<[string, 'yaml' | 'json', string, string]> = [
    ['an unknown nested key', 'yaml', 'source: x.csv\noptimizer:\n  lr: 0.1\n', 'unknown key "lr" in "optimizer"'],
    ['an unknown key three levels down', 'yaml', 'source: x.csv\ntuning:\n  drift:\n    forgetting: { halfLife: 10, batches: 2, extra: 1 }\n', 'unknown key "extra" in "tuning.drift.forgetting"'],
    ['a number given as text', 'json', '{"source": "x.csv", "batch": {"size": "32"}}', 'field "batch.size"'],
    ['NaN', 'yaml', 'source: x.csv\nvalidationSplit: .nan\n', 'field "validationSplit"'],
    ['infinity', 'yaml', 'source: x.csv\nrate: .inf\n', 'field "rate"'],
    ['a bad value in a list', 'yaml', 'source: x.csv\nmodel:\n  layers:\n    - { type: dense, units: 4 }\n    - { type: dense, units: 0 }\n', 'field "model.layers.1.units"'],
    ['a wrong enum', 'json', '{"source": "x.csv", "task": "ranking"}', 'field "task"'],
    ['a section that is not a mapping', 'yaml', 'source: x.csv\nkafka: yes\n', 'field "kafka"'],
    ['a list at the top level', 'yaml', '- source: x.csv\n', 'must hold a mapping'],
  ];
  for (const [what, ext, text, named] of cases) {
    it(`${what}: exit 2, one line naming it`, async () => {
      const { code, lines } = await train(file(ext, text));
      expect(code).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^streamtune: /);
      expect(lines[0]).toContain(named);
    });
  }

  it('a missing file: exit 2, one line naming the path', async () => {
    const missing = join(dir, 'missing.yaml');
    const { code, lines } = await train(missing);
    expect(code).toBe(2);
    expect(lines).toEqual([expect.stringContaining(`cannot read config file ${missing}`)]);
  });

  it('fuzzed single-fault configs: exit 2, one line naming the field', async () => {
    const samples = fc.sample(mutatedConfig, { seed: 20_261_129, numRuns: 6 });
    for (const m of samples) {
      const { code, lines } = await train(file('json', JSON.stringify(m.config)));
      const where = dotted(m.path);
      expect(code, `${m.kind} at ${where}`).toBe(2);
      expect(lines, `${m.kind} at ${where}`).toHaveLength(1);
      expect(lines[0]).toMatch(/^streamtune: invalid configuration: /);
      expect(lines[0]).toContain(m.kind === 'unknown key' ? `unknown key "${m.key}"` : `field "${where.startsWith('kafka.ssl.') ? 'kafka.ssl' : where}`);
    }
  }, 60_000);

  it('invalid YAML: exit 2 with ONE line (the yaml parser\'s code frame is left out)', async () => {
    const { code, lines } = await train(file('yaml', 'source: x.csv\nbatch: {size: 3\n'));
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/is not valid YAML.*line 3, column 1/);
  });

  it('a bad drift detector setting: exit 2 with one line naming drift.detectors.0, before any startup log', async () => {
    const { code, lines } = await train(file('yaml', 'source: synth:sea?n=100\ndrift:\n  detectors:\n    - { type: adwin, delt: 0.1 }\n'));
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('drift.detectors.0');
  });
});
