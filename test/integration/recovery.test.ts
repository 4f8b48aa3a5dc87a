import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/runCli.js';
import { sharedData } from '../support/sharedData.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-recovery-'));

interface Summary {
  records: { total: number; trained: number; holdout: number; rejected: number };
  rejectedByReason: Record<string, number>;
  prequential: { accuracy: number; crossEntropy: number };
  holdout: { accuracy: number };
  interrupted: boolean;
}

const seeded = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

/** A CSV with bad rows sprinkled in, so the dead letter is part of what must come out exactly once. */
function fileWithRejects(): { path: string; total: number; bad: number } {
  const lines = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split('\n');
  const out = [lines[0]!];
  let bad = 0;
  for (let i = 1; i < lines.length && i <= 20_000; i++) {
    out.push(lines[i]!);
    if (i % 997 === 0) {
      out.push('0.5,2,abc,0.1,0.2,0.3,0.4,0.5,1');
      bad++;
    }
  }
  const path = join(tmp, 'elec2-with-rejects.csv');
  writeFileSync(path, out.join('\n') + '\n');
  return { path, total: out.length - 1, bad };
}

describe('checkpoints and recovery (file source, real processes)', () => {
  it('survives 10 kill -9 at random moments: the final summary counts every record exactly once', async () => {
    const { path, total, bad } = fileWithRejects();
    const dir = join(tmp, 'ckpt-kill');
    const dead = join(tmp, 'kill.dead.jsonl');
    const summaryPath = join(tmp, 'kill.summary.json');
    const args = [
      'train',
      '--source', path,
      '--checkpoint-dir', dir,
      '--checkpoint-every', '1500',
      '--rate', '6000',
      '--metrics-port', '0',
      '--progress', 'off',
      '--dead-letter', dead,
      '--summary-json', summaryPath,
    ];
    const rand = seeded(11);
    let kills = 0;
    while (kills < 10) {
      const run = runCli(args);
      await run.metricsUrl;
      // Die somewhere between 0.3 and 1.5 s into the run: before, during or between checkpoint writes.
      await new Promise((r) => setTimeout(r, 300 + rand() * 1200));
      const killed = run.child.kill('SIGKILL');
      const { code, signal } = await run.done;
      if (killed && signal === 'SIGKILL') kills++;
      else expect(code).toBe(0); // it finished before the kill landed: that is fine too
      if (existsSync(summaryPath)) break;
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    if (!existsSync(summaryPath)) {
      const { code, stderr } = await runCli(args).done;
      expect(code, stderr).toBe(0);
    }
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;
    expect(summary.records.total).toBe(total);
    expect(summary.records.rejected).toBe(bad);
    expect(summary.records.trained + summary.records.holdout + summary.records.rejected).toBe(total);
    // The dead letter holds each bad row once, although rows after a checkpoint were read again.
    const deadLines = readFileSync(dead, 'utf8').trim().split('\n');
    expect(deadLines).toHaveLength(bad);
    expect(new Set(deadLines.map((l) => (JSON.parse(l) as { position: string }).position)).size).toBe(bad);
    // The learned state is the one of a run that saw each record once: same accuracy as an uninterrupted run.
    const fresh = join(tmp, 'fresh.summary.json');
    const clean = await runCli(['train', '--source', path, '--metrics-port', '0', '--progress', 'off', '--dead-letter', join(tmp, 'fresh.dead.jsonl'), '--summary-json', fresh]).done;
    expect(clean.code).toBe(0);
    const reference = JSON.parse(readFileSync(fresh, 'utf8')) as Summary;
    expect(summary.records).toEqual(reference.records);
    expect(summary.prequential.accuracy).toBeCloseTo(reference.prequential.accuracy, 2);
  }, 240_000);

  it('SIGTERM writes a final checkpoint and exits 0; the restart continues from it', async () => {
    const dir = join(tmp, 'ckpt-term');
    const summaryPath = join(tmp, 'term.summary.json');
    const args = ['train', '--source', sharedData('elec2.csv'), '--checkpoint-dir', dir, '--checkpoint-every', '1000000', '--metrics-port', '0', '--progress', 'off', '--summary-json', summaryPath];
    const first = runCli([...args, '--rate', '8000']);
    await first.metricsUrl;
    await new Promise((r) => setTimeout(r, 1200));
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code).toBe(0);
    const partial = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;
    expect(partial.interrupted).toBe(true);
    expect(partial.records.total).toBeGreaterThan(0);
    expect(partial.records.total).toBeLessThan(45_312);

    const inspect = await runCli(['inspect', dir, '--json']).done;
    expect(inspect.code).toBe(0);
    const info = JSON.parse(inspect.stdout) as { records: { total: number }; positions: { kind: string; index: number } };
    expect(info.records.total).toBe(partial.records.total);
    expect(info.positions).toMatchObject({ kind: 'file', index: partial.records.total });

    const second = await runCli(args).done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`resuming from`);
    const final = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;
    expect(final.records.total).toBe(45_312);
    expect(final.interrupted).toBe(false);
  }, 120_000);

  it('a resumed run learns on from the restored state instead of starting from scratch', async () => {
    const dir = join(tmp, 'ckpt-continue');
    const path = sharedData('elec2.csv');
    // The classic single model (batch 32, Adam with momentum) learns slowly enough for a fresh start to show.
    const common = ['--source', path, '--metrics-port', '0', '--progress', 'off', '--config', join(REPO, 'examples/classic.yaml')];
    const first = await runCli(['train', ...common, '--checkpoint-dir', dir, '--max-records', '20000']).done;
    expect(first.code).toBe(0);
    // The resumed run reads records 20,000..; a fresh model on the same records starts from zero.
    const resumedPath = join(tmp, 'resumed.summary.json');
    const resumed = await runCli(['train', ...common, '--checkpoint-dir', dir, '--max-records', '2000', '--summary-json', resumedPath]).done;
    expect(resumed.code).toBe(0);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const tail = join(tmp, 'tail.csv');
    writeFileSync(tail, [lines[0], ...lines.slice(20_001, 22_001)].join('\n') + '\n');
    const freshPath = join(tmp, 'fresh-tail.summary.json');
    const fresh = await runCli(['train', '--source', tail, '--metrics-port', '0', '--progress', 'off', '--config', join(REPO, 'examples/classic.yaml'), '--summary-json', freshPath]).done;
    expect(fresh.code).toBe(0);
    const r = JSON.parse(readFileSync(resumedPath, 'utf8')) as Summary & { window: { train: { accuracy: number } } };
    const f = JSON.parse(readFileSync(freshPath, 'utf8')) as Summary & { window: { train: { accuracy: number } } };
    expect(r.records.total).toBe(22_000);
    // Over the same 2,000 records, the restored model is already trained: its window accuracy beats a fresh model's.
    expect(r.window.train.accuracy).toBeGreaterThan(f.window.train.accuracy + 0.05);
  }, 120_000);

  it('a checkpoint written by one engine resumes with the other, which goes on learning the same way', async () => {
    const path = sharedData('elec2.csv');
    const common = ['--source', path, '--metrics-port', '0', '--progress', 'off', '--no-tuning'];
    const saved = join(tmp, 'ckpt-engines');
    expect((await runCli(['train', ...common, '--engine', 'dense', '--checkpoint-dir', saved, '--max-records', '10000']).done).code).toBe(0);
    const resume = async (engine: string): Promise<Summary & { engine: string; window: { train: { accuracy: number } } }> => {
      const dir = join(tmp, `ckpt-engines-${engine}`);
      cpSync(saved, dir, { recursive: true });
      const out = join(tmp, `resumed-${engine}.summary.json`);
      const run = await runCli(['train', ...common, '--engine', engine, '--checkpoint-dir', dir, '--max-records', '2000', '--summary-json', out]).done;
      expect(run.code).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8'));
    };
    const tfjs = await resume('tfjs');
    const dense = await resume('dense');
    expect(tfjs.engine).toBe('tfjs');
    expect(tfjs.records.total).toBe(12_000);
    expect(dense.records.total).toBe(12_000);
    // Same restored weights, same maths: the two engines score the next 2,000 records alike.
    expect(Math.abs(tfjs.window.train.accuracy - dense.window.train.accuracy)).toBeLessThan(0.005);
    expect(Math.abs(tfjs.prequential.crossEntropy - dense.prequential.crossEntropy)).toBeLessThan(0.002);
  }, 180_000);

  it('refuses a checkpoint taken with another model or feature set, naming the difference', async () => {
    const dir = join(tmp, 'ckpt-mismatch');
    const base = ['train', '--source', sharedData('elec2.csv'), '--checkpoint-dir', dir, '--metrics-port', '0', '--progress', 'off', '--max-records', '500'];
    expect((await runCli(base).done).code).toBe(0);
    const other = await runCli([...base, '--features', 'nswprice,nswdemand']).done;
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('features differ');
    expect(other.stderr).toContain('another --checkpoint-dir');
  }, 60_000);
});
