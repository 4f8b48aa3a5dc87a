import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/report/barChart.js';
import { lineChart } from '../../src/report/lineChart.js';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('lineChart', () => {
  it('draws each series with its points, breaks lines at missing values, and a line per marker', () => {
    const svg = lineChart({
      id: 'loss',
      title: 'Loss <window>',
      xLabel: 'records',
      yLabel: 'mse',
      series: [
        { name: 'train', color: '#000', points: [[0, 1], [10, 2], [20, null], [30, 3], [40, 4]] },
        { name: 'holdout & co', color: '#111', points: [[0, 2], [40, 1]], dashed: true },
      ],
      markers: [
        { x: 15, kind: 'drift', label: 'drift: adwin' },
        { x: 25, kind: 'tuning', label: 'tuning' },
        { x: 99, kind: 'tuning', label: 'after the last point: the axis reaches it' },
      ],
    });
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('data-series="train" data-points="4" d="M');
    expect(count(svg.match(/data-series="train"[^>]*d="([^"]*)"/)?.[1] ?? '', /M/g)).toBe(2);
    expect(svg).toContain('data-series="holdout &amp; co" data-points="2"');
    expect(count(svg, /class="marker marker-drift"/g)).toBe(1);
    expect(count(svg, /class="marker marker-tuning"/g)).toBe(2);
    expect(svg).toContain('<title>Loss &lt;window&gt;</title>');
    expect(svg).toContain('drift detected (1)');
  });

  it('says so when there is nothing to draw', () => {
    const svg = lineChart({ id: 'x', title: 'x', xLabel: 'records', yLabel: 'y', series: [], markers: [] });
    expect(svg).toContain('no data');
  });
});

describe('barChart', () => {
  it('draws one bar per reason, longest for the largest count', () => {
    const svg = barChart({ id: 'r', title: 'r', bars: [{ label: 'non_numeric', value: 30 }, { label: 'missing_label', value: 10 }], empty: 'none' });
    const widths = [...svg.matchAll(/class="bar" data-label="(\w+)" data-value="(\d+)"[^>]*width="([\d.]+)"/g)].map((m) => [m[1], Number(m[3])]);
    expect(widths.map(([l]) => l)).toEqual(['non_numeric', 'missing_label']);
    expect(widths[0]?.[1]).toBeGreaterThan(2.5 * (widths[1]?.[1] as number));
    expect(barChart({ id: 'r', title: 'r', bars: [], empty: 'no rejected records' })).toContain('no rejected records');
  });
});
