import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/checkpoint/Checkpoint.js';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';

const storeModule = new URL('../../dist/src/checkpoint/CheckpointStore.js', import.meta.url).href;
const KEEP = 3;
const WEIGHTS = 200_000; // ~1 MB per file, so a kill often lands mid-write

/**
 * The child: resumes from the latest checkpoint, then saves checkpoint n+1, n+2, ... forever,
 * printing `saved n` after each save resolves. Checkpoint n holds `total = n` and weights that are a
 * function of n, so the parent can tell a torn or mixed-up file from a good one.
 */
const child = `
import { CheckpointStore } from ${JSON.stringify(storeModule)};
const store = new CheckpointStore({ dir: process.argv[2], keep: ${KEEP} });
const latest = await store.loadLatest();
let n = latest ? latest.checkpoint.records.total : 0;
for (;;) {
  n++;
  const w = new Array(${WEIGHTS});
  for (let i = 0; i < w.length; i++) w[i] = Math.fround(Math.sin(i + n));
  await store.save({
    format: 1,
    createdAt: new Date().toISOString(),
    configHash: 'h',
    configSummary: { task: 'binary', features: ['a'], label: 'y', classes: 2, layers: [] },
    records: { total: n, trained: n, holdout: 0, rejected: 0, rejectedByReason: {} },
    hyperParams: { learningRate: 0.001, l2: 0 },
    positions: { kind: 'synthetic', uri: 'crash://', index: n },
    state: { trainer: { weights: w }, scaler: {}, evaluator: {} },
  });
  process.stdout.write('saved ' + n + '\\n');
}
`;

/**
 * Runs the child until it has reported `minSaves` saves, then kill -9s it: after a random moment
 * (`at: 'random'`), or as soon as the next save writes data (`at: 'write'`, i.e. mid-save).
 * Returns the last save the child reported as done before the kill.
 */
async function runAndKill(
  script: string,
  dir: string,
  options: { minSaves: number; at: 'random' | 'write'; rand: () => number },
): Promise<number> {
  const proc = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let lastSaved = 0;
  let armed = false;
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  // Data written to any file of the store: the save in progress is writing its bytes.
  const watcher = watch(dir, (event) => {
    if (armed && event === 'change') proc.kill('SIGKILL');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      proc.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const lines = stdout.split('\n');
        stdout = lines.pop() ?? '';
        for (const line of lines) {
          lastSaved = Number(line.replace('saved ', ''));
          if (++seen === options.minSaves) resolve();
        }
      });
      proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited (${code}): ${stderr}`))));
    });
    if (options.at === 'write') armed = true;
    else setTimeout(() => proc.kill('SIGKILL'), options.rand() * 120);
    await exited;
  } finally {
    watcher.close();
  }
  return lastSaved;
}

describe('checkpoint crash safety (kill -9 mid-save)', () => {
  it('always leaves a valid latest checkpoint that includes every save reported as done', async () => {
    const work = mkdtempSync(join(tmpdir(), 'streamtune-crash-'));
    const dir = join(work, 'checkpoints');
    const script = join(work, 'child.mjs');
    writeFileSync(script, child);
    mkdirSync(dir);
    let killedMidWrite = 0;
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let previous = 0;
    for (let round = 0; round < 10; round++) {
      const at = round % 2 === 0 ? 'random' : 'write';
      const reported = await runAndKill(script, dir, { minSaves: 1 + Math.floor(rand() * 3), at, rand });
      if (readdirSync(dir).some((n) => n.endsWith('.tmp'))) killedMidWrite++;
      const loaded = await new CheckpointStore({ dir, keep: KEEP }).loadLatest();
      expect(loaded, `round ${round}`).toBeDefined();
      const cp = loaded?.checkpoint as Checkpoint;
      expect(loaded?.skipped, `round ${round}`).toEqual([]);
      const total = cp.records.total;
      expect(total).toBeGreaterThanOrEqual(reported);
      expect(total).toBeGreaterThan(previous);
      const weights = (cp.state.trainer as { weights: number[] }).weights;
      expect(weights).toHaveLength(WEIGHTS);
      expect(weights.every((v, i) => v === Math.fround(Math.sin(i + total)))).toBe(true);
      const files = readdirSync(dir).filter((n) => n.startsWith('checkpoint-'));
      expect(files.length).toBeLessThanOrEqual(KEEP + 1);
      previous = total;
    }
    // The kills did hit the dangerous window (a temp file was left behind) at least once.
    expect(killedMidWrite).toBeGreaterThan(0);
  });
});
