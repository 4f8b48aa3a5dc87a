import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run bench -- --smoke` end to end: the real driver, the real CLI on Elec2's first records,
 * the stage breakdown, and River's per-record loop when a venv with River exists (.venv-bench, or
 * the .venv-river that CI makes for the drift tests). Asserts the JSON it writes, not timings.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const driver = join(repo, 'test/bench/run.mjs');
// The driver's own choice in --smoke: STREAMTUNE_BENCH_PYTHON, else the first venv that exists.
const riverPython = [process.env.STREAMTUNE_BENCH_PYTHON, ...['.venv-bench', '.venv-river'].map((v) => join(repo, v, 'bin', 'python'))]
  .filter((p): p is string => Boolean(p))
  .find((p) => existsSync(p));
const hasRiver = riverPython !== undefined && spawnSync(riverPython, ['-c', 'import river'], { stdio: 'ignore' }).status === 0;

interface Rate {
  n: number;
  median: number | null;
}
interface E2e {
  dataset: string;
  system: string;
  variant: string;
  records: number | null;
  recordsPerSecond: Rate;
  accuracy: number | null;
  logLoss: number | null;
  error?: string;
}
interface Result {
  smoke: boolean;
  machine: { nproc: number; cpu: string; memoryGiB: number; node: string; tfjs: string };
  e2e: E2e[];
  ratios: Array<{ base: string; peer: string; ratio: Rate }>;
  stages: Array<{ backend: string; records: number; stages: Array<{ stage: string; usPerRecord: number }>; profile: { stepKernels: number } }>;
  backends: Record<string, string>;
  malformedCsv: { rows: number; records: number; good: number; malformedCsv: number; expected: { good: number; malformedCsv: number }; mismatches: number } | null;
  learning: {
    quick: boolean;
    recordsPerFile: number;
    files: Array<{ name: string; metric: string; rows: Array<{ system: string; variant: string; records: number; accuracy?: number; mse?: number; recordsPerSecond: number; population?: number; error?: string }> }>;
    memberCost: { rows: Array<{ population: number; recordsPerSecond: Rate; costRatio: Rate }> };
    speedRatio: { ratio: Rate } | null;
  } | null;
  ran: string[];
  notRun: Array<{ what: string; why: string }>;
}

describe('npm run bench -- --smoke', () => {
  let dir: string;
  let result: Result;
  let stdout: string;

  beforeAll(() => {
    // The unit project does not build; `npm test` builds dist/ in the integration global setup.
    if (!existsSync(join(repo, 'dist/src/cli.js'))) {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: repo, stdio: 'inherit' });
    }
    dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const json = join(dir, 'bench.json');
    stdout = execFileSync(process.execPath, [driver, '--smoke', '--json', json, '--md', join(dir, 'bench.md')], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 110_000,
    });
    process.stdout.write(stdout); // says what ran and what did not
    result = JSON.parse(readFileSync(json, 'utf8')) as Result;
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs streamtune through the CLI on Elec2 and reports a positive throughput and sane scores', () => {
    expect(result.smoke).toBe(true);
    expect(result.machine.nproc).toBeGreaterThan(0);
    expect(result.machine.tfjs).toMatch(/^\d+\.\d+\.\d+$/);
    const st = result.e2e.find((e) => e.system === 'streamtune' && e.variant === 'dense b32');
    expect(st?.error).toBeUndefined();
    expect(st?.records).toBe(3000);
    expect(st?.recordsPerSecond.n).toBe(1);
    expect(st?.recordsPerSecond.median).toBeGreaterThan(0);
    expect(st?.accuracy).toBeGreaterThan(0.5);
    expect(st?.accuracy).toBeLessThanOrEqual(1);
    expect(st?.logLoss).toBeGreaterThan(0);
    const tfjs = result.e2e.find((e) => e.system === 'streamtune' && e.variant === 'tfjs wasm b32');
    expect(tfjs?.error).toBeUndefined();
    expect(tfjs?.accuracy).toBeGreaterThan(0.5);
  });

  it('breaks the time down per stage, with the train step profiled', () => {
    const [s] = result.stages;
    expect(s?.records).toBe(3000);
    expect(s?.stages.map((x) => x.stage)).toEqual([
      'read',
      'decode',
      'route',
      'standardize',
      'batch',
      'train step',
      'evaluation',
      'drift + tuner',
      'telemetry',
    ]);
    for (const x of s?.stages ?? []) expect(x.usPerRecord).toBeGreaterThan(0);
    expect(s?.profile.stepKernels).toBeGreaterThan(0);
    expect(result.backends.tensorflow).toMatch(/not installed|installed/);
  });

  it.runIf(hasRiver)("runs River's per-record loop beside it, with a ratio", () => {
    const river = result.e2e.find((e) => e.system === 'river' && e.variant === 'one');
    expect(river?.error).toBeUndefined();
    expect(river?.records).toBe(3000);
    expect(river?.recordsPerSecond.median).toBeGreaterThan(0);
    expect(river?.accuracy).toBeGreaterThan(0.5);
    const ratio = result.ratios.find((r) => r.peer === 'river' && r.base === 'dense b32');
    expect(ratio?.ratio.median).toBeGreaterThan(0);
    expect(stdout).toMatch(/e2e elec2 river one: 1 run\(s\)/);
  });

  it('reads 100,000 CSV rows with 1% malformed quoting to the end: every good row, every bad one dead-lettered once', () => {
    const m = result.malformedCsv;
    expect(m?.rows).toBe(100_000);
    expect(m?.mismatches).toBe(0);
    expect(m?.malformedCsv).toBe(m?.expected.malformedCsv);
    expect(m?.malformedCsv).toBeGreaterThan(800);
    expect(m?.good).toBe(m?.expected.good);
  });

  it("learns Elec2, SEA and Bike's first 3,000 records with the default population, River's LR beside it, and prices a population", () => {
    const l = result.learning;
    expect(l?.quick).toBe(true);
    expect(l?.files.map((f) => f.name)).toEqual(['elec2', 'sea', 'bike']);
    for (const file of l?.files ?? []) {
      const st = file.rows.find((r) => r.system === 'streamtune' && r.variant === 'default');
      expect(st?.error, file.name).toBeUndefined();
      expect(st?.records).toBe(3000);
      expect(st?.population).toBe(4);
      expect(st?.recordsPerSecond).toBeGreaterThan(0);
      if (file.metric === 'accuracy') expect(st?.accuracy).toBeGreaterThan(0.6);
      else expect(st?.mse).toBeGreaterThan(0);
      if (hasRiver) {
        const lr = file.rows.find((r) => r.system === 'river' && r.variant === 'lr');
        expect(lr?.error, file.name).toBeUndefined();
        expect(lr?.records).toBe(3000);
      }
    }
    expect(l?.memberCost.rows.map((r) => r.population)).toEqual([1, 4]);
    for (const row of l?.memberCost.rows ?? []) expect(row.costRatio.median).toBeGreaterThan(0);
    if (hasRiver) expect(l?.speedRatio?.ratio.median).toBeGreaterThan(0);
  });

  it('says what it did not run, and why', () => {
    expect(result.notRun.map((n) => n.what)).toEqual(expect.arrayContaining(['memory soak', 'Kafka']));
    if (!hasRiver) expect(stdout).toMatch(/NOT RUN: Python peers|NOT RUN: river/);
    expect(stdout).toMatch(/\[bench\] ran:/);
  });
});
