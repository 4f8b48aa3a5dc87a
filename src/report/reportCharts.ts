import type { BarChartSpec, LineChartSpec, Marker, Series } from './ChartSpec.js';
import { lineValues } from './lineValues.js';
import { PALETTE } from './palette.js';
import { populationCharts } from './populationCharts.js';
import type { MetricsLine, RunData } from './RunData.js';
import { throughput } from './throughput.js';

/**
 * The charts of a run report, each only when the run has its data: windowed loss and accuracy of
 * train and holdout beside every baseline the log carries, with drift and tuning markers; the
 * learning rate and L2; throughput; rejects by reason; and each member of a population (any array
 * of objects with an `id` in the lines) with its champion.
 *
 * @example
 * const { lines, bars } = reportCharts(parseMetricsLog(text, 'metrics.jsonl'));
 * lines.map((c) => c.id); // ['loss', 'accuracy', 'learningRate', 'l2', 'throughput']
 */
export function reportCharts(run: RunData): { lines: LineChartSpec[]; bars: BarChartSpec[] } {
  const markers: Marker[] = [
    ...run.drifts.map((e) => ({ x: e.records, kind: 'drift' as const, label: e.label })),
    ...run.tuning.map((e) => ({ x: e.records, kind: 'tuning' as const, label: e.label })),
  ];
  const loss = has(run.lines, 'crossEntropy') ? 'crossEntropy' : 'mse';
  const charts: Array<LineChartSpec | undefined> = [
    metricChart(run.lines, 'loss', `Loss over the window (${loss === 'mse' ? 'MSE' : 'cross-entropy'})`, loss, markers),
    metricChart(run.lines, 'accuracy', 'Accuracy over the window', 'accuracy', markers),
    single(run.lines, 'learningRate', 'Learning rate', markers),
    single(run.lines, 'l2', 'L2 strength', markers),
    throughputChart(run.lines),
    ...populationCharts(run.lines),
  ];
  return { lines: charts.filter((c): c is LineChartSpec => c !== undefined && c.series.length > 0), bars: [rejects(run)] };
}

/** Train and holdout's windowed `metric`, and every baseline's that has it. */
function metricChart(lines: readonly MetricsLine[], id: string, title: string, metric: string, markers: Marker[]): LineChartSpec {
  const series: Series[] = [];
  const add = (s: Series) => s.points.some(([, y]) => y !== null) && series.push(s);
  add({ name: 'train (prequential)', points: lineValues(lines, `window.train.${metric}`), color: PALETTE.train });
  add({ name: 'holdout', points: lineValues(lines, `window.holdout.${metric}`), color: PALETTE.holdout });
  baselineNames(lines).forEach((name, i) =>
    add({
      name: `baseline: ${name}`,
      points: lineValues(lines, `baselines.${name}.window.${metric}`),
      color: PALETTE.baselines[i % PALETTE.baselines.length] as string,
      dashed: true,
    }),
  );
  return { id, title, xLabel: 'records', yLabel: metric, series, markers };
}

function single(lines: readonly MetricsLine[], path: string, title: string, markers: Marker[]): LineChartSpec {
  const points = lineValues(lines, path);
  const series = points.some(([, y]) => y !== null) ? [{ name: path, points, color: PALETTE.single }] : [];
  return { id: path, title, xLabel: 'records', yLabel: path, series, markers: markers.filter((m) => m.kind === 'tuning'), step: true };
}

function throughputChart(lines: readonly MetricsLine[]): LineChartSpec | undefined {
  const points = throughput(lines);
  if (points.length === 0) return undefined;
  const series = [{ name: 'records per second', points, color: PALETTE.single }];
  return { id: 'throughput', title: 'Throughput', xLabel: 'records', yLabel: 'records / s', series, markers: [], zero: true };
}

/** Rejected records by reason: from the summary (the final counts), else the last line. */
function rejects(run: RunData): BarChartSpec {
  const last = run.lines[run.lines.length - 1] as MetricsLine;
  const byReason = (run.summary?.rejectedByReason ?? last.rejectedByReason) as Record<string, unknown> | undefined;
  const bars = Object.entries(byReason ?? {})
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value);
  const total = typeof last.rejected === 'number' ? last.rejected : 0;
  if (bars.length === 0 && total > 0) bars.push({ label: 'all reasons', value: total });
  return { id: 'rejects', title: 'Rejected records by reason', bars, empty: 'no rejected records' };
}

/** Whether any line has a finite windowed `metric` for a split. */
function has(lines: readonly MetricsLine[], metric: string): boolean {
  return ['train', 'holdout'].some((split) => lineValues(lines, `window.${split}.${metric}`).some(([, y]) => y !== null));
}

/** The baselines named in any line, in the order they first appear. */
function baselineNames(lines: readonly MetricsLine[]): string[] {
  const names = new Set<string>();
  for (const line of lines) {
    const b = line.baselines;
    if (b !== null && typeof b === 'object') for (const name of Object.keys(b)) names.add(name);
  }
  return [...names];
}
