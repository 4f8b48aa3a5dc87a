import { barChart } from './barChart.js';
import { escapeXml } from './escapeXml.js';
import { lineChart } from './lineChart.js';
import { reportCharts } from './reportCharts.js';
import type { MetricsLine, RunData } from './RunData.js';

const MAX_EVENTS = 1000;

/**
 * The run report as one self-contained HTML page: the run's key figures, then every chart as
 * inline SVG (made here, no script and nothing loaded from elsewhere), then the events as a table.
 *
 * @example
 * writeFileSync('report.html', renderReport(run, { generatedAt: new Date() }));
 */
export function renderReport(run: RunData, options: { generatedAt: Date }): string {
  const { lines, bars } = reportCharts(run);
  const figures = [
    ...lines.map((c) => figure(c.id, c.title, lineChart(c))),
    ...bars.map((c) => figure(c.id, c.title, barChart(c))),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>streamtune report: ${escapeXml(run.title)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
.sub { color: #555; margin: 0 0 12px; }
.facts { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
.facts th { text-align: left; font-weight: normal; color: #555; padding: 2px 16px 2px 0; }
.facts td { padding: 2px 0; font-variant-numeric: tabular-nums; }
.notes { color: #8a5a00; font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid #ddd; border-radius: 4px; padding: 8px 8px 4px; }
figcaption { font-weight: bold; font-size: 14px; margin-bottom: 4px; }
figure svg { width: 100%; height: auto; }
details { margin-top: 16px; font-size: 13px; }
.events td, .events th { padding: 1px 12px 1px 0; text-align: left; }
</style>
</head>
<body>
<h1>streamtune run report</h1>
<p class="sub">${escapeXml(run.title)} &middot; generated ${escapeXml(options.generatedAt.toISOString())}</p>
${facts(run)}
${run.notes.map((n) => `<p class="notes">${escapeXml(n)}</p>`).join('\n')}
<div class="charts">
${figures.join('\n')}
</div>
${events(run)}
</body>
</html>
`;
}

function figure(id: string, title: string, svg: string): string {
  return `<figure data-figure="${escapeXml(id)}"><figcaption>${escapeXml(title)}</figcaption>${svg}</figure>`;
}

/** Key figures: from the summary when there is one, else from the last metrics line. */
function facts(run: RunData): string {
  const s = run.summary as Record<string, unknown> | undefined;
  const last = run.lines[run.lines.length - 1] as MetricsLine;
  const records = (s?.records ?? last) as Record<string, unknown>;
  const rows: Array<[string, string]> = [];
  if (s?.source !== undefined) rows.push(['source', String(s.source)]);
  if (s?.task !== undefined) rows.push(['task / engine / backend', [s.task, s.engine, s.backend].filter((v) => v !== undefined).join(' / ')]);
  rows.push(['records', `${n(records.total ?? last.records)} total = ${n(records.trained)} trained + ${n(records.holdout)} holdout + ${n(records.rejected)} rejected`]);
  if (typeof s?.seconds === 'number') rows.push(['time', `${s.seconds.toFixed(1)} s, ${n(Math.round(Number(s.recordsPerSecond)))} records/s`]);
  else if (typeof last.seconds === 'number') rows.push(['time', `${last.seconds.toFixed(1)} s (to the last metrics line)`]);
  const window = last.window as Record<string, Record<string, unknown>> | undefined;
  for (const split of ['train', 'holdout'] as const) {
    const m = (s ? s[split === 'train' ? 'prequential' : 'holdout'] : window?.[split]) as Record<string, unknown> | undefined;
    if (m) rows.push([`${split === 'train' ? 'prequential (train)' : 'holdout'}${s ? '' : ', last window'}`, metrics(m)]);
  }
  const baselines = (s?.baselines ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, m] of Object.entries(baselines)) rows.push([`baseline ${name}`, metrics(m)]);
  const hp = (s?.hyperParams ?? last) as Record<string, unknown>;
  if (hp.learningRate !== undefined) rows.push(['learning rate / l2', `${short(hp.learningRate)} / ${short(hp.l2)}`]);
  rows.push(['events', `${run.drifts.length} drift detections, ${run.tuning.length} tuning events`]);
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</table>`;
}

function events(run: RunData): string {
  const all = [...run.drifts.map((e) => ({ ...e, kind: 'drift' })), ...run.tuning.map((e) => ({ ...e, kind: 'tuning' }))].sort(
    (a, b) => a.records - b.records,
  );
  if (all.length === 0) return '';
  const rows = all
    .slice(0, MAX_EVENTS)
    .map((e) => `<tr><td>${n(e.records)}</td><td>${e.kind}</td><td>${escapeXml(e.label)}</td><td>${escapeXml(e.time ?? '')}</td></tr>`);
  const more = all.length > MAX_EVENTS ? `<p>and ${all.length - MAX_EVENTS} more</p>` : '';
  return `<details><summary>${all.length} events</summary><table class="events"><tr><th>records</th><th>kind</th><th>what</th><th>time</th></tr>${rows.join('')}</table>${more}</details>`;
}

const metrics = (m: Record<string, unknown>): string =>
  Object.entries(m)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k} ${(v as number).toFixed(4)}`)
    .join('  ');

const short = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v));

const n = (v: unknown): string => (typeof v === 'number' ? v.toLocaleString('en-US') : '?');
