import { describe, expect, it } from 'vitest';
import { reportCharts } from '../../src/report/reportCharts.js';
import type { MetricsLine, RunData } from '../../src/report/RunData.js';
import { binaryLines } from './fixtures.js';

const run = (lines: MetricsLine[], extra: Partial<RunData> = {}): RunData => ({ title: 't', lines, drifts: [], tuning: [], notes: [], ...extra });

describe('reportCharts', () => {
  it('draws a classification run: loss and accuracy beside the baselines, hyperparameters, throughput, rejects', () => {
    const lines = binaryLines(20);
    const { lines: charts, bars } = reportCharts(
      run(lines, { drifts: [{ records: 7000, label: 'drift' }], tuning: [{ records: 10_000, label: 'tuning' }] }),
    );
    expect(charts.map((c) => c.id)).toEqual(['loss', 'accuracy', 'learningRate', 'l2', 'throughput']);
    const accuracy = charts.find((c) => c.id === 'accuracy');
    expect(accuracy?.series.map((s) => s.name)).toEqual(['train (prequential)', 'holdout', 'baseline: majority', 'baseline: noChange']);
    expect(accuracy?.series[1]?.points).toEqual(lines.map((l) => [l.records, (l.window as { holdout: { accuracy: number } }).holdout.accuracy]));
    expect(accuracy?.markers.map((m) => m.kind)).toEqual(['drift', 'tuning']);
    // The loss of a classifier is the cross-entropy; its baselines have none, so they are not drawn there.
    expect(charts[0]?.yLabel).toBe('crossEntropy');
    expect(charts[0]?.series.map((s) => s.name)).toEqual(['train (prequential)', 'holdout']);
    expect(bars[0]?.bars).toEqual([{ label: 'non_numeric', value: 19 }]);
  });

  it('draws a regression run with its MSE beside the mean baseline, and no accuracy', () => {
    const lines = binaryLines(5).map((l, i) => ({
      records: l.records,
      window: { train: { mse: 10 - i }, holdout: { mse: 11 - i } },
      baselines: { mean: { window: { mse: 12 } } },
      learningRate: 0.01,
      l2: 0,
    }));
    const { lines: charts, bars } = reportCharts(run(lines));
    expect(charts.map((c) => c.id)).toEqual(['loss', 'learningRate', 'l2']);
    expect(charts[0]?.series.map((s) => s.name)).toEqual(['train (prequential)', 'holdout', 'baseline: mean']);
    expect(bars[0]?.bars).toEqual([]);
  });

  it('draws a population only when the lines carry one: a line per member and the champion in bold', () => {
    expect(reportCharts(run(binaryLines(4))).lines.some((c) => c.id.startsWith('members'))).toBe(false);
    const lines = binaryLines(4).map((l, i) => ({
      ...l,
      members: [
        { id: 'a', windowLoss: 0.5 + i, learningRate: 0.001 },
        { id: 'b', windowLoss: 0.4 + i, learningRate: 0.002 },
      ],
      champion: i < 2 ? 'a' : { id: 'b' },
    }));
    const charts = reportCharts(run(lines)).lines.filter((c) => c.id.startsWith('members.'));
    expect(charts.map((c) => c.id)).toEqual(['members.windowLoss', 'members.learningRate']);
    const loss = charts[0];
    expect(loss?.series.map((s) => s.name)).toEqual(['a', 'b', 'champion']);
    expect(loss?.series[2]?.bold).toBe(true);
    expect(loss?.series[2]?.points.map(([, y]) => y)).toEqual([0.5, 1.5, 2.4, 3.4]);
    expect(loss?.markers.map((m) => [m.x, m.label])).toEqual([
      [1000, 'champion: a'],
      [3000, 'champion: b'],
    ]);
  });
});
