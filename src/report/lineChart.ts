import type { LineChartSpec, Marker, Series } from './ChartSpec.js';
import { escapeXml } from './escapeXml.js';
import { formatTick } from './formatTick.js';
import { niceTicks } from './niceTicks.js';
import { PALETTE } from './palette.js';

const W = 720;
const H = 290;
const LEFT = 70;
const RIGHT = 16;
const BOTTOM = 42;
const MARKER_STYLE: Record<Marker['kind'], { color: string; dash: string; name: string }> = {
  drift: { color: PALETTE.drift, dash: '4 3', name: 'drift detected' },
  tuning: { color: PALETTE.tuning, dash: '', name: 'tuning event' },
  champion: { color: PALETTE.champion, dash: '6 2', name: 'new champion' },
};

/**
 * A line chart as a self-contained SVG element: axes with round ticks, grid lines, a legend, one
 * path per series (`data-series`, `data-points`: its number of drawn points) and a vertical line
 * per marker with its label as a tooltip (a short tick at the top for tuning events, which can be many). No script, no fonts or files from elsewhere.
 *
 * @example
 * const svg = lineChart({ id: 'loss', title: 'Loss', xLabel: 'records', yLabel: 'mse', series, markers: [] });
 */
export function lineChart(spec: LineChartSpec): string {
  const finite = spec.series.flatMap((s) => s.points.filter((p): p is readonly [number, number] => p[1] !== null));
  if (finite.length === 0) return emptyChart(spec.id, spec.title);
  const xs = [...finite.map(([x]) => x), ...spec.markers.map((m) => m.x)]; // events after the last line show too
  const ys = finite.map(([, y]) => y);
  const x = niceTicks(Math.min(...xs), Math.max(...xs), 6);
  const [yMin, yMax] = [spec.zero ? Math.min(0, ...ys) : Math.min(...ys), Math.max(...ys)];
  const pad = spec.zero ? 0 : (yMax - yMin) * 0.04; // keeps a line at the extreme off the axis
  const y = niceTicks(yMin - pad, yMax + pad, 5);
  const xLo = Math.min(...xs);
  const xHi = Math.max(...xs) > xLo ? Math.max(...xs) : xLo + 1;
  const legend = legendItems(spec);
  const top = 10 + legend.rows * 18 + 8;
  const px = (v: number) => LEFT + ((v - xLo) / (xHi - xLo)) * (W - LEFT - RIGHT);
  const py = (v: number) => H - BOTTOM - ((v - y.lo) / (y.hi - y.lo)) * (H - BOTTOM - top);
  const parts: string[] = [];
  for (const t of y.ticks) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${LEFT - 6}" y="${f(py(t) + 4)}" text-anchor="end">${escapeXml(formatTick(t, y.step))}</text>`);
  }
  for (const t of x.ticks.filter((t) => t >= xLo && t <= xHi)) {
    parts.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${H - BOTTOM}" y2="${H - BOTTOM + 4}" stroke="#555"/>`);
    parts.push(`<text x="${f(px(t))}" y="${H - BOTTOM + 16}" text-anchor="middle">${escapeXml(formatTick(t, x.step))}</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${H - BOTTOM}" y2="${H - BOTTOM}" stroke="#555"/>`);
  parts.push(`<line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${top}" y2="${H - BOTTOM}" stroke="#555"/>`);
  parts.push(`<text class="axis-label" x="${(LEFT + W - RIGHT) / 2}" y="${H - 6}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  parts.push(
    `<text class="axis-label" transform="translate(14 ${f((top + H - BOTTOM) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  for (const m of spec.markers) {
    const style = MARKER_STYLE[m.kind];
    // Tuning events can come by the hundred: a tick along the top edge, not a line across the data.
    const [y1, y2, width] = m.kind === 'tuning' ? [top, top + 9, 1.5] : [top, H - BOTTOM, 1];
    parts.push(
      `<line class="marker marker-${m.kind}" x1="${f(px(m.x))}" x2="${f(px(m.x))}" y1="${y1}" y2="${y2}" stroke="${style.color}" ` +
        `stroke-width="${width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} stroke-opacity="0.8"><title>${escapeXml(`${m.label} (record ${m.x})`)}</title></line>`,
    );
  }
  for (const s of spec.series) parts.push(seriesPath(s, px, py, spec.step === true));
  parts.push(legend.svg);
  return (
    `<svg class="chart line-chart" id="chart-${escapeXml(spec.id)}" data-chart="${escapeXml(spec.id)}" viewBox="0 0 ${W} ${H}" ` +
    `width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11" fill="#333">` +
    `<title>${escapeXml(spec.title)}</title>${parts.join('')}</svg>`
  );
}

function seriesPath(s: Series, px: (v: number) => number, py: (v: number) => number, step: boolean): string {
  let d = '';
  let drawn = 0;
  let previous: number | null = null;
  for (const [x, y] of s.points) {
    if (y === null) {
      previous = null;
      continue;
    }
    drawn++;
    if (previous === null) d += `M${f(px(x))} ${f(py(y))}`;
    else d += step ? `H${f(px(x))}V${f(py(y))}` : `L${f(px(x))} ${f(py(y))}`;
    previous = y;
  }
  // A lone point still shows: a zero-length segment with round caps.
  if (drawn === 1) d += 'h0.01';
  const dash = s.dashed ? ' stroke-dasharray="6 3"' : '';
  return (
    `<path class="series" data-series="${escapeXml(s.name)}" data-points="${drawn}" d="${d}" fill="none" stroke="${s.color}" ` +
    `stroke-width="${s.bold ? 3 : 1.6}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`
  );
}

/** The legend, laid out in rows across the top: series, then each kind of marker with its count. */
function legendItems(spec: LineChartSpec): { svg: string; rows: number } {
  const items = spec.series.map((s) => ({ name: s.name, color: s.color, dash: s.dashed ? '6 3' : '', width: s.bold ? 3 : 2 }));
  for (const kind of ['drift', 'tuning', 'champion'] as const) {
    const count = spec.markers.filter((m) => m.kind === kind).length;
    const style = MARKER_STYLE[kind];
    if (count > 0) items.push({ name: `${style.name} (${count})`, color: style.color, dash: style.dash, width: 2 });
  }
  const out: string[] = [];
  let col = LEFT;
  let row = 0;
  for (const item of items) {
    const width = 28 + item.name.length * 6.2 + 14;
    if (col + width > W - RIGHT && col > LEFT) {
      row++;
      col = LEFT;
    }
    const yy = 14 + row * 18;
    const dash = item.dash ? ` stroke-dasharray="${item.dash}"` : '';
    out.push(
      `<g class="legend-item"><line x1="${f(col)}" x2="${f(col + 22)}" y1="${yy - 4}" y2="${yy - 4}" stroke="${item.color}" stroke-width="${item.width}"${dash}/>` +
        `<text x="${f(col + 28)}" y="${yy}">${escapeXml(item.name)}</text></g>`,
    );
    col += width;
  }
  return { svg: `<g class="legend">${out.join('')}</g>`, rows: row + 1 };
}

function emptyChart(id: string, title: string): string {
  return (
    `<svg class="chart line-chart" id="chart-${escapeXml(id)}" data-chart="${escapeXml(id)}" viewBox="0 0 ${W} 60" width="${W}" height="60" ` +
    `xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13"><title>${escapeXml(title)}</title>` +
    `<text x="${W / 2}" y="34" text-anchor="middle">no data</text></svg>`
  );
}

const f = (v: number): string => (Math.round(v * 10) / 10).toString();
