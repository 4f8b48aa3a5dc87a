/* global process, URL */
/**
 * The bench's `learning` section: issue 12's table regenerated in one run. streamtune (the built
 * CLI, as users run it: the default population and five other settings) and River 0.26.1
 * learners (peers/river_learners.py) on the same shared files in the same order, prequential
 * (predict, score, then learn every record); SEA's accuracy in the 2,000 records after each drift
 * from a library-API run (learningWindows.mjs), the CLI giving no per-record predictions; the
 * per-member cost of a population of K on Elec2 and the speed ratio streamtune default / River's
 * per-record logistic regression, interleaved run by run.
 *
 * @example
 * const learning = await learningBench({ repo, work, python, log, quick: false, smoke: false, repeats: 3 });
 * learning.files[0].rows; learning.memberCost.rows; learning.speedRatio.ratio.median;
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './lib/runProcess.mjs';
import { summarize } from './lib/summarize.mjs';

/** Records per file in quick and smoke runs. */
export const QUICK_RECORDS = 3000;
const SEA_DRIFTS = [12_500, 25_000, 37_500];
const WINDOW = 2000;

const FILES = [
  { name: 'elec2', file: 'elec2.csv', label: 'class', task: 'binary', records: 45_312 },
  { name: 'sea', file: 'sea_concepts_50k.csv', label: 'y', task: 'binary', records: 50_000, windows: SEA_DRIFTS },
  { name: 'bike', file: 'bike_sharing_hour_numeric.csv', label: 'cnt', task: 'regression', records: 17_379 },
];

/** streamtune's rows: CLI flags, and the same as config keys for the library-API (windows) run. */
const VARIANTS = [
  { variant: 'default', flags: [], settings: {}, does: 'the defaults: a population of 4, one Adam step per record' },
  { variant: '--no-tuning', flags: ['--no-tuning'], settings: { tuning: { enabled: false } }, does: 'one model, fixed hyperparameters' },
  { variant: '--label-lags 1,2', flags: ['--label-lags', '1,2'], settings: { lags: { label: [1, 2] } }, does: 'the defaults + the previous 2 labels as features' },
  { variant: '--population 1', flags: ['--population', '1'], settings: { tuning: { population: { size: 1 } } }, does: 'one model, the tuner on' },
  { variant: '--population 8', flags: ['--population', '8'], settings: { tuning: { population: { size: 8 } } }, does: 'a population of 8' },
  { variant: '--config examples/classic.yaml', flags: ['--config', 'examples/classic.yaml'], config: 'examples/classic.yaml', settings: {}, does: "the seed's settings: Adam 0.001 (beta1 0.9), batch 32, L2 0.001, 20% holdout, one model" },
];
const LEARNERS = ['nochange', 'lr', 'lr_lags', 'hat', 'arf'];
const COST_POPULATIONS = [1, 2, 4, 8];
/** Preloaded into each CLI run: its CPU seconds from the "engine:" log line to the summary (lib/cpuClock.mjs). */
const CPU_CLOCK = new URL('./lib/cpuClock.mjs', import.meta.url).href;

export async function learningBench({ repo, work, python, log, quick, smoke, repeats }) {
  const node = process.execPath;
  const cli = join(repo, 'dist/src/cli.js');
  const data = join(repo, '../shared/data');
  const limit = quick || smoke ? QUICK_RECORDS : undefined;
  const out = {
    loadAverage: { start: loadavg(), end: null },
    method:
      'prequential on every record, in file order: each record is predicted and scored, then learned. streamtune: `streamtune train` (dist/src/cli.js) with the flags shown; its accuracy / MSE is the summary\'s prequential figure over the records it learns (the default holds 10% out: scored, not learned; classic.yaml 20%); records/s = the summary\'s (records / wall seconds from the first record read to the last learned); seconds = that time (wall = the whole process); per CPU-second: records / CPU seconds of the process (every thread) from its "engine:" log line to the first write of its summary (test/bench/lib/cpuClock.mjs, preloaded). SEA\'s windows come from the same settings run through the library API (test/bench/learningWindows.mjs; its overall accuracy is checked against the CLI\'s). River: test/bench/peers/river_learners.py, one process per learner, records as dicts of floats, every record learned; records/s = records / wall seconds of the loop (CSV parse included), and per CPU-second beside it.',
    quick: Boolean(quick || smoke),
    recordsPerFile: limit ?? null,
    files: [],
    memberCost: null,
    speedRatio: null,
    versions: {},
    errors: [],
  };
  const args = (f) => ['--source', join(data, f.file), '--label', f.label, '--task', f.task, ...(limit ? ['--max-records', String(limit)] : [])];
  const shown = (a) => ['streamtune', 'train', ...a].map((x) => x.replace(data + '/', '../shared/data/')).join(' ');

  async function cliRun(f, flags) {
    const summaryPath = join(work, `learning-${process.pid}-${Date.now()}.json`);
    const cpuPath = `${summaryPath}.cpu`;
    const a = [...args(f), ...flags];
    const full = ['train', ...a, '--progress', 'off', '--metrics-port', '0', '--dead-letter', join(work, 'learning-dead-letter.jsonl'), '--summary-json', summaryPath];
    const run = await runProcess(node, ['--import', CPU_CLOCK, cli, ...full], { cwd: repo, env: { STREAMTUNE_BENCH_CPU_FILE: cpuPath } });
    const cpu = existsSync(cpuPath) ? JSON.parse(readFileSync(cpuPath, 'utf8')) : {};
    rmSync(cpuPath, { force: true });
    if (run.code !== 0 || !existsSync(summaryPath)) return { command: shown(a), error: `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}` };
    const s = JSON.parse(readFileSync(summaryPath, 'utf8'));
    rmSync(summaryPath);
    return {
      command: shown(a),
      records: s.records.total,
      trained: s.records.trained,
      holdout: s.records.holdout,
      accuracy: f.task === 'binary' ? s.prequential.accuracy : undefined,
      mse: f.task === 'regression' ? s.prequential.mse : undefined,
      seconds: s.seconds,
      recordsPerSecond: s.recordsPerSecond,
      cpuSeconds: cpu.loopCpuSeconds ?? null,
      recordsPerCpuSecond: cpu.loopCpuSeconds ? s.records.total / cpu.loopCpuSeconds : null,
      processWallSeconds: run.wallSeconds,
      population: s.population?.members?.length ?? 1,
    };
  }
  async function windowsRun(f, v) {
    const settings = { label: f.label, task: f.task, deadLetter: join(work, 'learning-dead-letter.jsonl'), ...(limit ? { maxRecords: limit } : {}), ...v.settings };
    const a = [join(repo, 'test/bench/learningWindows.mjs'), '--source', join(data, f.file), '--settings', JSON.stringify(settings), '--windows', f.windows.join(','), '--window-size', String(WINDOW)];
    if (v.config) a.push('--config', join(repo, v.config));
    const run = await runProcess(node, a, { cwd: repo });
    const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
    return run.code === 0 && line ? JSON.parse(line) : { error: `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}` };
  }
  async function riverRun(f, learner) {
    const a = [join(repo, 'test/bench/peers/river_learners.py'), '--data', join(data, f.file), '--label', f.label, '--task', f.task, '--learner', learner];
    if (limit) a.push('--max-records', String(limit));
    if (f.windows && !limit) a.push('--windows', f.windows.join(','), '--window-size', String(WINDOW));
    const run = await runProcess(python, a, { cwd: repo });
    const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
    if (run.code !== 0 || !line) return { error: `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}` };
    const r = JSON.parse(line);
    Object.assign(out.versions, r.versions);
    return { ...r, seconds: r.wallSeconds, processWallSeconds: run.wallSeconds, windows: r.windows?.length ? r.windows : undefined };
  }
  const score = (r) => (r.error ? `FAILED ${r.error}` : r.accuracy != null ? `acc ${r.accuracy.toFixed(4)}` : `mse ${Math.round(r.mse)}`);

  const variants = smoke ? VARIANTS.filter((v) => v.variant === 'default') : VARIANTS;
  const learners = python ? (smoke ? ['lr'] : LEARNERS) : [];
  if (!python) out.errors.push('River rows not run: no Python with River (bash test/bench/setup-peers.sh)');
  for (const f of FILES) {
    const entry = { name: f.name, file: `../shared/data/${f.file}`, label: f.label, task: f.task, metric: f.task === 'binary' ? 'accuracy' : 'mse', records: limit ?? f.records, windows: f.windows && !limit ? f.windows : undefined, rows: [] };
    out.files.push(entry);
    for (const v of variants) {
      const r = await cliRun(f, v.flags);
      if (entry.windows && !r.error) {
        const w = await windowsRun(f, v);
        r.windows = w.windows;
        r.windowsRun = w.error ? { error: w.error } : { accuracy: w.accuracy, recordsPerSecond: w.recordsPerSecond, sameAccuracy: Math.abs(w.accuracy - r.accuracy) < 1e-9 };
      }
      entry.rows.push({ system: 'streamtune', variant: v.variant, does: v.does, ...r });
      log(`learning ${f.name} streamtune ${v.variant}: ${score(r)}${r.recordsPerSecond ? `, ${Math.round(r.recordsPerSecond)} rec/s` : ''}`);
    }
    for (const learner of learners) {
      const r = await riverRun(f, learner);
      entry.rows.push({ system: 'river', variant: learner, ...r });
      log(`learning ${f.name} river ${learner}: ${score(r)}${r.recordsPerSecond ? `, ${Math.round(r.recordsPerSecond)} rec/s (wall), ${Math.round(r.recordsPerCpuSecond)} per CPU-s` : ''}`);
    }
  }

  // Per-member cost and the speed ratio: Elec2, K = 1, 2, 4, 8 and River's LR, interleaved, run by run.
  const elec2 = FILES[0];
  const ks = smoke ? [1, 4] : COST_POPULATIONS;
  const rounds = smoke ? 1 : repeats;
  const costRuns = Object.fromEntries(ks.map((k) => [k, []]));
  const riverRuns = [];
  for (let rep = 1; rep <= rounds; rep++) {
    for (const k of ks) {
      const r = await cliRun(elec2, ['--population', String(k)]);
      costRuns[k].push(r);
      log(`learning cost elec2 --population ${k} #${rep}: ${r.error ?? `${Math.round(r.recordsPerSecond)} rec/s`}`);
    }
    if (python) {
      const r = await riverRun(elec2, 'lr');
      riverRuns.push(r);
      log(`learning cost elec2 river lr #${rep}: ${r.error ?? `${Math.round(r.recordsPerSecond)} rec/s`}`);
    }
  }
  const rate = (r) => (r?.error ? NaN : r?.recordsPerSecond);
  const cpuRate = (r) => (r?.error ? NaN : r?.recordsPerCpuSecond);
  out.memberCost = {
    dataset: 'elec2',
    records: limit ?? elec2.records,
    repeats: rounds,
    how: 'streamtune train --source elec2.csv --label class --task binary --population K, the Ks one after the other in each round; cost = seconds per record (wall, and CPU from the "engine:" log line to the summary); cost(K)/cost(1) = rate(1)/rate(K) within a round, median over rounds. Target (issue 12): about K, not more.',
    rows: ks.map((k) => ({
      population: k,
      recordsPerSecond: summarize(costRuns[k].map(rate)),
      usPerRecord: summarize(costRuns[k].map((r) => 1e6 / rate(r))),
      costRatio: summarize(costRuns[k].map((r, i) => rate(costRuns[1][i]) / rate(r))),
      perMember: summarize(costRuns[k].map((r, i) => rate(costRuns[1][i]) / rate(r) / k)),
      recordsPerCpuSecond: summarize(costRuns[k].map(cpuRate)),
      costRatioCpu: summarize(costRuns[k].map((r, i) => cpuRate(costRuns[1][i]) / cpuRate(r))),
      accuracy: costRuns[k].find((r) => !r.error)?.accuracy ?? null,
      errors: costRuns[k].filter((r) => r.error).map((r) => r.error),
    })),
  };
  if (python && costRuns[4]) {
    const ratio = summarize(costRuns[4].map((r, i) => rate(r) / rate(riverRuns[i])));
    out.speedRatio = {
      how: 'streamtune default (--population 4) records/s on Elec2 / River StandardScaler | LogisticRegression(SGD 0.01) per-record records/s on Elec2, run by run in the rounds above; median (min-max); wall clock (the headline), and per CPU-second (streamtune: from the "engine:" log line to the summary; River: process_time of its loop). Target (issue 12): at least 1.',
      streamtune: summarize(costRuns[4].map(rate)),
      river: summarize(riverRuns.map(rate)),
      riverPerCpuSecond: summarize(riverRuns.map((r) => r.recordsPerCpuSecond)),
      ratio,
      streamtunePerCpuSecond: summarize(costRuns[4].map(cpuRate)),
      ratioCpu: summarize(costRuns[4].map((r, i) => cpuRate(r) / riverRuns[i]?.recordsPerCpuSecond)),
      met: ratio.median != null && ratio.median >= 1,
    };
  }
  out.loadAverage.end = loadavg();
  return out;
}
