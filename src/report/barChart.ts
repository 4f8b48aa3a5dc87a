import type { BarChartSpec } from './ChartSpec.js';
import { escapeXml } from './escapeXml.js';
import { formatTick } from './formatTick.js';
import { niceTicks } from './niceTicks.js';
import { PALETTE } from './palette.js';

const W = 720;
const LABEL = 170;
const ROW = 26;

/**
 * A horizontal bar chart as a self-contained SVG element: one `rect.bar` per label (`data-value`)
 * with its count at its end; the `empty` text when there are no bars.
 *
 * @example
 * barChart({ id: 'rejects', title: 'Rejected', bars: [{ label: 'non_numeric', value: 12 }], empty: 'none' });
 */
export function barChart(spec: BarChartSpec): string {
  const height = Math.max(1, spec.bars.length) * ROW + 40;
  const parts: string[] = [];
  if (spec.bars.length === 0) {
    parts.push(`<text class="empty" x="${W / 2}" y="${height / 2}" text-anchor="middle" font-size="14">${escapeXml(spec.empty)}</text>`);
  } else {
    const x = niceTicks(0, Math.max(...spec.bars.map((b) => b.value)), 5);
    const px = (v: number) => LABEL + (v / x.hi) * (W - LABEL - 60);
    for (const t of x.ticks) {
      parts.push(`<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="8" y2="${height - 26}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${px(t).toFixed(1)}" y="${height - 12}" text-anchor="middle">${escapeXml(formatTick(t, x.step))}</text>`);
    }
    spec.bars.forEach((b, i) => {
      const y = 10 + i * ROW;
      parts.push(`<text x="${LABEL - 8}" y="${y + 14}" text-anchor="end">${escapeXml(b.label)}</text>`);
      parts.push(
        `<rect class="bar" data-label="${escapeXml(b.label)}" data-value="${b.value}" x="${LABEL}" y="${y}" ` +
          `width="${Math.max(1, px(b.value) - LABEL).toFixed(1)}" height="${ROW - 8}" fill="${PALETTE.drift}" fill-opacity="0.75"/>`,
      );
      parts.push(`<text x="${(px(b.value) + 6).toFixed(1)}" y="${y + 14}">${b.value.toLocaleString('en-US')}</text>`);
    });
  }
  return (
    `<svg class="chart bar-chart" id="chart-${escapeXml(spec.id)}" data-chart="${escapeXml(spec.id)}" viewBox="0 0 ${W} ${height}" ` +
    `width="${W}" height="${height}" role="img" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11" fill="#333">` +
    `<title>${escapeXml(spec.title)}</title>${parts.join('')}</svg>`
  );
}
