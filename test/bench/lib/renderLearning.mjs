/**
 * The Markdown of the bench's `learning` section (learning.mjs): issue 12's table (stream |
 * streamtune default | best River learner | others), every row per file, the per-member cost of a
 * population and the speed ratio against River's per-record logistic regression.
 *
 * @example
 * out.push(...renderLearning(result.learning, result));
 */
const int = (x) => (x == null || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f = (x, d = 4) => (x == null || !Number.isFinite(Number(x)) ? '–' : Number(x).toFixed(d));
const spread = (s, fmt = int) => (s?.n ? (s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median)) : '–');

const RIVER_NAMES = {
  nochange: 'no-change',
  lr: 'LR',
  lr_lags: 'LR + previous 2 labels',
  hat: 'Hoeffding adaptive tree',
  arf: 'ARF (10 trees)',
};
const STREAMS = { elec2: 'Elec2 accuracy', sea: 'SEA accuracy', bike: 'Bike Sharing MSE (`cnt`)' };

const value = (file, r) => (r.error ? 'FAILED' : file.metric === 'accuracy' ? f(r.accuracy) : int(r.mse));
const windows = (r) => (r.windows?.length ? ` (${r.windows.map((w) => f(w.accuracy, 3)).join(' / ')})` : '');
const better = (file) => (a, b) => (file.metric === 'accuracy' ? b.accuracy - a.accuracy : a.mse - b.mse);

export function renderLearning(l, r = {}) {
  if (!l) return ['## Learning against River (issue 12)', '', 'Not run.', ''];
  if (l.error) return ['## Learning against River (issue 12)', '', `FAILED: ${l.error}`, ''];
  const out = ['## Learning against River (issue 12)', ''];
  const load = l.loadAverage ?? r.machine?.loadAverage;
  const loads = (x) => (x ? x.map((v) => v.toFixed(1)).join(' / ') : '–');
  out.push(
    `Command: \`${r.command ?? 'npm run bench -- --sections learning'}\`${r.generated ? ` (${r.generated})` : ''}. Load average (1/5/15 min) ${loads(load?.start)} at the start of the section, ${loads(load?.end)} at its end, on ${r.machine?.nproc ?? '?'} cores shared with other jobs: records/s are wall-clock and move with the load, so read the ratios taken run by run (cost, speed ratio), not the absolute rates.`,
    '',
  );
  out.push(
    `${l.quick ? `**Quick run: the first ${int(l.recordsPerFile)} records of each file, not the figures of issue 12.** ` : ''}River ${l.versions?.river ?? '(not run)'}. How: ${l.method}`,
    '',
    `| stream | streamtune default | streamtune \`--label-lags 1,2\` | best River learner | others |`,
    '|---|---|---|---|---|',
  );
  for (const file of l.files) {
    const st = (v) => file.rows.find((r) => r.system === 'streamtune' && r.variant === v);
    const river = file.rows.filter((r) => r.system === 'river' && !r.error).sort(better(file));
    const [best, ...rest] = river;
    const cell = (r) => (r ? `${value(file, r)}${windows(r)}` : '–');
    out.push(
      `| ${STREAMS[file.name] ?? file.name} | ${cell(st('default'))} | ${cell(st('--label-lags 1,2'))} | ${best ? `${RIVER_NAMES[best.variant] ?? best.variant} ${cell(best)}` : '–'} | ${rest.map((r) => `${RIVER_NAMES[r.variant] ?? r.variant} ${cell(r)}`).join(', ') || '–'} |`,
    );
  }
  out.push('', 'SEA: overall, then (in parentheses) the accuracy in the 2,000 records after each drift (12,500 / 25,000 / 37,500; streamtune: of the records it learns there).', '');

  for (const file of l.files) {
    out.push(
      `### ${file.name} (\`${file.file}\`, ${file.task}, label \`${file.label}\`, ${int(file.records)} records)`,
      '',
      `| system | setting | ${file.metric === 'accuracy' ? 'accuracy' : 'MSE'}${file.windows ? ' (after each drift)' : ''} | records/s (wall) | records/s per CPU-s | loop s (wall) | process s (wall) |`,
      '|---|---|---|---|---|---|---|',
    );
    for (const r of file.rows) {
      const name = r.system === 'river' ? `${RIVER_NAMES[r.variant] ?? r.variant}: ${(r.does ?? '').replace(/\|/g, '\\|')}` : `\`${r.variant}\`${r.population > 1 ? ` (K ${r.population})` : ''}`;
      if (r.error) {
        out.push(`| ${r.system} | ${name} | FAILED: ${r.error.replace(/\|/g, '/')} | | | | |`);
        continue;
      }
      out.push(`| ${r.system} | ${name} | ${value(file, r)}${windows(r)} | ${int(r.recordsPerSecond)} | ${int(r.recordsPerCpuSecond)} | ${f(r.seconds, 1)} | ${f(r.processWallSeconds, 1)} |`);
    }
    const mismatch = file.rows.filter((r) => r.windowsRun && (r.windowsRun.error || !r.windowsRun.sameAccuracy));
    if (file.windows) {
      out.push(
        '',
        mismatch.length
          ? `Windows run (library API) differs from the CLI for: ${mismatch.map((r) => `${r.variant} (${r.windowsRun.error ?? f(r.windowsRun.accuracy)})`).join(', ')}.`
          : "The library-API runs that give the windows reached the CLI's overall accuracy exactly, setting by setting.",
      );
    }
    out.push('');
  }

  const c = l.memberCost;
  if (c) {
    out.push(
      `### Per-member cost of a population (${c.dataset}, ${int(c.records)} records, ${c.repeats} interleaved round(s))`,
      '',
      c.how,
      '',
      '| population K | records/s (wall) | µs per record | cost(K) / cost(1) | per member (÷ K) | records per CPU-s | cost(K) / cost(1), CPU | accuracy |',
      '|---|---|---|---|---|---|---|---|',
      ...c.rows.map(
        (x) =>
          `| ${x.population} | ${spread(x.recordsPerSecond)} | ${spread(x.usPerRecord, (v) => f(v, 1))} | ${spread(x.costRatio, (v) => `${f(v, 2)}×`)} | ${spread(x.perMember, (v) => f(v, 2))} | ${spread(x.recordsPerCpuSecond)} | ${spread(x.costRatioCpu, (v) => `${f(v, 2)}×`)} | ${f(x.accuracy)} |`,
      ),
      '',
    );
  }
  const s = l.speedRatio;
  if (s) {
    out.push(
      `**Speed ratio** streamtune default / River LR on Elec2: **${spread(s.ratio, (v) => `${f(v, 2)}×`)}** (streamtune ${spread(s.streamtune)} records/s, River ${spread(s.river)} records/s wall); per CPU-second: **${spread(s.ratioCpu, (v) => `${f(v, 2)}×`)}** (streamtune ${spread(s.streamtunePerCpuSecond)}, River ${spread(s.riverPerCpuSecond)}); target at least 1 (wall, end to end): ${s.met ? 'met' : 'NOT met'}. ${s.how}`,
      '',
    );
  }
  if (l.errors?.length) out.push(...l.errors.map((e) => `- ${e}`), '');
  return out;
}
